import t from 'tap';
import {
  compileJsonFormat,
  compileTextFormat,
  DEFAULT_FORMAT,
  validateJsonFormat,
  validateTextFormat,
} from '../../../lib/accesslog/formatter.js';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { fakeRecord } from './fake-record.js';

const envoyExample = fakeRecord(
  { upstreamHost: 'tcp://10.0.2.1:80' },
  {
    ':method': 'POST',
    ':path': '/api/v1/locations',
    ':authority': 'locations',
    'x-forwarded-for': '10.0.35.28',
    'user-agent': 'nsq2http',
    'x-request-id': 'cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2',
  },
  { 'x-envoy-upstream-service-time': '100' },
);

t.test('default format reproduces Envoy documented example', async (t) => {
  t.ok(DEFAULT_FORMAT.endsWith('"%UPSTREAM_HOST%"\n'));
  t.equal(
    compileTextFormat(DEFAULT_FORMAT)(envoyExample),
    '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" ' +
      '"nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"\n',
  );
  const bare = fakeRecord({ responseCode: 0, durationMs: null }, { ':method': 'GET', ':path': '/' });
  t.equal(
    compileTextFormat(DEFAULT_FORMAT)(bare),
    '[2016-04-15T20:17:00.310Z] "GET / HTTP/2" 0 - 154 0 - - "-" "-" "-" "-" "-"\n',
  );
  const rewritten = fakeRecord({}, { ':path': '/new', 'x-envoy-original-path': '/orig' });
  t.equal(compileTextFormat('%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%')(rewritten), '/orig');
});

t.test('every operator', async (t) => {
  const r = fakeRecord(
    {
      responseCode: 503,
      responseFlags: ResponseFlag.UpstreamRetryLimitExceeded | ResponseFlag.UpstreamConnectionFailure,
      responseCodeDetails: 'upstream_reset_before_response_started{connection_failure}',
      connectionTerminationDetails: 'td',
      upstreamTransportFailureReason: 'delayed connect error: 111',
      bytesReceived: 1,
      bytesSent: 91,
      durationMs: 12,
      responseDurationMs: 7,
      protocol: 'HTTP/1.1',
      upstreamHost: '10.0.0.2:8080',
      upstreamCluster: 'outbound|8080||svc',
      upstreamLocalAddress: '10.0.0.1:40000',
      downstreamRemoteAddress: '10.1.1.1:5555',
      downstreamLocalAddress: '[::1]:15006',
      requestedServerName: 'svc.ns.svc.cluster.local',
      routeName: 'default',
    },
    { 'x-a': 'req-a' },
    { 'x-b': 'resp-b' },
    { 'grpc-status': '14' },
  );
  const cases: [string, string][] = [
    ['%RESPONSE_CODE%', '503'],
    ['%RESPONSE_FLAGS%', 'UF,URX'],
    ['%RESPONSE_CODE_DETAILS%', 'upstream_reset_before_response_started{connection_failure}'],
    ['%CONNECTION_TERMINATION_DETAILS%', 'td'],
    ['%UPSTREAM_TRANSPORT_FAILURE_REASON%', 'delayed connect error: 111'],
    ['%BYTES_RECEIVED%', '1'],
    ['%BYTES_SENT%', '91'],
    ['%DURATION%', '12'],
    ['%RESPONSE_DURATION%', '7'],
    ['%REQUEST_DURATION%', '-'],
    ['%PROTOCOL%', 'HTTP/1.1'],
    ['%UPSTREAM_HOST%', '10.0.0.2:8080'],
    ['%UPSTREAM_CLUSTER%', 'outbound|8080||svc'],
    ['%UPSTREAM_CLUSTER_RAW%', 'outbound|8080||svc'],
    ['%UPSTREAM_LOCAL_ADDRESS%', '10.0.0.1:40000'],
    ['%DOWNSTREAM_REMOTE_ADDRESS%', '10.1.1.1:5555'],
    ['%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%', '10.1.1.1'],
    ['%DOWNSTREAM_LOCAL_ADDRESS%', '[::1]:15006'],
    ['%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%', '::1'],
    ['%REQUESTED_SERVER_NAME%', 'svc.ns.svc.cluster.local'],
    ['%ROUTE_NAME%', 'default'],
    ['%REQ(X-A)%', 'req-a'],
    ['%REQUEST_HEADER(x-a)%', 'req-a'],
    ['%REQ(X-MISSING?X-A)%', 'req-a'],
    ['%RESP(X-B)%', 'resp-b'],
    ['%RESPONSE_HEADER(X-B)%', 'resp-b'],
    ['%TRAILER(GRPC-STATUS)%', '14'],
    ['%RESPONSE_TRAILER(grpc-status)%', '14'],
    ['%START_TIME%', '2016-04-15T20:17:00.310Z'],
    ['%START_TIME(%Y/%m/%dT%H:%M:%S%z)%', '2016/04/15T20:17:00+0000'],
    ['%START_TIME(%s)%', '1460751420'],
    ['%START_TIME(%F %T.%3f %Z)%', '2016-04-15 20:17:00.310 UTC'],
    ['%START_TIME(%E3S|%6f|%f|%1f|%%)%', '00.310|310000|310000000|3|%'],
    ['100%% done', '100% done'],
    ['', ''],
  ];
  for (const [fmt, want] of cases) t.equal(compileTextFormat(fmt)(r), want, fmt);
});

t.test('missing values render as - and :Z truncates', async (t) => {
  const r = fakeRecord({ durationMs: null, responseDurationMs: null }, { 'user-agent': 'curl/8.4.0' });
  for (const op of [
    'RESPONSE_CODE_DETAILS',
    'CONNECTION_TERMINATION_DETAILS',
    'UPSTREAM_TRANSPORT_FAILURE_REASON',
    'DURATION',
    'RESPONSE_DURATION',
    'UPSTREAM_HOST',
    'UPSTREAM_CLUSTER',
    'UPSTREAM_LOCAL_ADDRESS',
    'DOWNSTREAM_REMOTE_ADDRESS',
    'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT',
    'DOWNSTREAM_LOCAL_ADDRESS',
    'REQUESTED_SERVER_NAME',
    'ROUTE_NAME',
    'RESPONSE_FLAGS',
  ]) {
    t.equal(compileTextFormat(`%${op}%`)(r), '-', op);
  }
  t.equal(compileTextFormat('%REQ(X-NONE)%')(r), '-');
  t.equal(compileTextFormat('%REQ(USER-AGENT):4%')(r), 'curl');
  t.equal(compileTextFormat('%REQ(USER-AGENT):100%')(r), 'curl/8.4.0');
  t.equal(compileTextFormat('%REQ(X-NONE):2%')(r), '-');
  t.equal(compileTextFormat('%PROTOCOL%:4')(r), 'HTTP/2:4', ':Z outside the operator is text');
});

t.test('JSON format', async (t) => {
  const fmt = {
    start_time: '%START_TIME%',
    method: '%REQ(:METHOD)%',
    response_code: '%RESPONSE_CODE%',
    bytes_sent: '%BYTES_SENT%',
    duration: '%DURATION%',
    flags: '%RESPONSE_FLAGS%',
    ua: '%REQ(USER-AGENT)%',
    ua_short: '%REQ(USER-AGENT):2%',
    mixed: 'ua=%REQ(USER-AGENT)% code=%RESPONSE_CODE%',
    nested: { host: '%UPSTREAM_HOST%', fixed: 1, on: true },
    quote: '"%REQ(:PATH)%"',
  };
  t.equal(validateJsonFormat(fmt), null);
  const line = compileJsonFormat(fmt)(envoyExample);
  t.ok(line.endsWith('}\n'));
  t.equal(line.indexOf('\n'), line.length - 1, 'one line');
  t.same(JSON.parse(line), {
    start_time: '2016-04-15T20:17:00.310Z',
    method: 'POST',
    response_code: 204,
    bytes_sent: 0,
    duration: 226,
    flags: '-',
    ua: 'nsq2http',
    ua_short: 'ns',
    mixed: 'ua=nsq2http code=204',
    nested: { host: 'tcp://10.0.2.1:80', fixed: 1, on: true },
    quote: '"/api/v1/locations"',
  });
  t.same(Object.keys(JSON.parse(line)), Object.keys(fmt), 'keys keep config order');
  const missing = compileJsonFormat(fmt)(fakeRecord({ durationMs: null }));
  const m = JSON.parse(missing);
  t.equal(m.ua, null, 'unset single operator is null');
  t.equal(m.duration, null);
  t.equal(m.mixed, 'ua=- code=204');
  t.equal(compileJsonFormat({})(envoyExample), '{}\n');
});

t.test('validation errors', async (t) => {
  t.equal(validateTextFormat(DEFAULT_FORMAT), null);
  t.equal(validateTextFormat('%FOO%'), 'unknown command operator %FOO%');
  t.equal(validateTextFormat('x %REQ(abc'), 'unterminated %REQ(');
  t.equal(validateTextFormat('%PROTOCOL'), 'unterminated %PROTOCOL');
  t.equal(validateTextFormat('%REQ(X) y'), 'unterminated %REQ(X)');
  t.match(validateTextFormat('100% done'), /invalid % at position 3/);
  t.match(validateTextFormat('%REQ(A?B?C)%'), /more than one alternative/);
  t.match(validateTextFormat('%REQ()%'), /needs a header name/);
  t.match(validateTextFormat('%PROTOCOL(x)%'), /takes no argument/);
  t.match(validateTextFormat('%REQ(X):%'), /invalid length/);
  t.equal(validateTextFormat('%START_TIME(%Q)%'), 'unsupported START_TIME specifier %Q');
  t.throws(() => compileTextFormat('%FOO%'), /unknown command operator %FOO%/);
  t.equal(validateJsonFormat({ a: { b: '%NOPE%' } }), 'a.b: unknown command operator %NOPE%');
  t.match(validateJsonFormat({ a: ['x'] }), /^a: json_format values must be/);
  t.throws(() => compileJsonFormat({ a: '%NOPE%' }));
});

t.test('durations print as whole milliseconds, as Envoy does', async (t) => {
  const line = compileTextFormat('%DURATION% %RESPONSE_DURATION%')(
    fakeRecord({ durationMs: 17.81, responseDurationMs: 3.999 }),
  );
  t.equal(line, '17 3');
});
