import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { HealthCheckConfig } from '../../../lib/config/model.js';
import { minimal } from './fixtures.js';

const HC = 'static_resources.clusters[0].health_checks[0]';

/** `minimal()` with `lines` (indented for a cluster's fields) appended to its cluster. */
function withCluster(lines: string): string {
  return `${minimal()}${lines
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `    ${l}`))
    .join('\n')}\n`;
}

function decode(lines: string): readonly HealthCheckConfig[] {
  const r = loadConfigText(withCluster(lines), 'hc.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.bootstrap.clusters[0]!.healthChecks;
}

function issues(lines: string): string[] {
  const r = loadConfigText(withCluster(lines), 'bad.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

t.test('no health_checks → empty list', async (t) => {
  t.same(decode(''), []);
});

t.test('an HTTP check gets Envoy defaults', async (t) => {
  const [hc] = decode(`
health_checks:
- timeout: 1s
  interval: 5s
  unhealthy_threshold: 3
  healthy_threshold: 2
  http_health_check: {path: /healthz}
`);
  t.same(hc, {
    timeoutMs: 1000,
    intervalMs: 5000,
    initialJitterMs: 0,
    intervalJitterMs: 0,
    intervalJitterPercent: 0,
    unhealthyThreshold: 3,
    healthyThreshold: 2,
    reuseConnection: true,
    noTrafficIntervalMs: 60_000,
    noTrafficHealthyIntervalMs: 60_000,
    unhealthyIntervalMs: 5000,
    unhealthyEdgeIntervalMs: 5000,
    healthyEdgeIntervalMs: 5000,
    alwaysLogHealthCheckFailures: false,
    eventLogPath: null,
    checker: {
      kind: 'http',
      host: null,
      path: '/healthz',
      method: 'GET',
      requestHeadersToAdd: [],
      requestHeadersToRemove: [],
      expectedStatuses: [{ start: 200, end: 201 }],
      retriableStatuses: [],
      serviceNameMatcher: null,
    },
  });
});

t.test('every HTTP field decodes; derived intervals follow the ones given', async (t) => {
  const [hc] = decode(`
health_checks:
- timeout: 0.5s
  interval: 2s
  initial_jitter: 1s
  interval_jitter: 0.2s
  interval_jitter_percent: 10
  unhealthy_threshold: 4
  healthy_threshold: 1
  reuse_connection: false
  no_traffic_interval: 30s
  unhealthy_interval: 7s
  always_log_health_check_failures: true
  event_log_path: /dev/stdout
  name: main
  http_health_check:
    host: svc.local
    path: /ready
    method: HEAD
    codec_client_type: HTTP1
    request_headers_to_add:
    - header: {key: X-Probe, value: "1"}
      append_action: OVERWRITE_IF_EXISTS_OR_ADD
    request_headers_to_remove: [User-Agent]
    expected_statuses: [{start: 200, end: 300}]
    retriable_statuses: [{start: 503, end: 504}]
    service_name_matcher: {prefix: svc}
`);
  t.match(hc, {
    timeoutMs: 500,
    intervalMs: 2000,
    initialJitterMs: 1000,
    intervalJitterMs: 200,
    intervalJitterPercent: 10,
    reuseConnection: false,
    noTrafficIntervalMs: 30_000,
    noTrafficHealthyIntervalMs: 30_000,
    unhealthyIntervalMs: 7000,
    unhealthyEdgeIntervalMs: 7000,
    healthyEdgeIntervalMs: 2000,
    alwaysLogHealthCheckFailures: true,
    eventLogPath: '/dev/stdout',
    checker: {
      kind: 'http',
      host: 'svc.local',
      path: '/ready',
      method: 'HEAD',
      requestHeadersToAdd: [
        { key: 'x-probe', value: '1', appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD', keepEmptyValue: false },
      ],
      requestHeadersToRemove: ['user-agent'],
      expectedStatuses: [{ start: 200, end: 300 }],
      retriableStatuses: [{ start: 503, end: 504 }],
      serviceNameMatcher: { kind: 'prefix', value: 'svc', ignoreCase: false },
    },
  });
});

t.test('TCP payloads: hex text, base64 binary, connect-only', async (t) => {
  const [hc] = decode(`
health_checks:
- timeout: 1s
  interval: 1s
  unhealthy_threshold: 1
  healthy_threshold: 1
  no_traffic_healthy_interval: 9s
  unhealthy_edge_interval: 3s
  healthy_edge_interval: 4s
  tcp_health_check:
    send: {text: "50494E47"}
    receive: [{text: "504f"}, {binary: "Tkc="}]
`);
  t.same(hc!.checker, { kind: 'tcp', send: '50494e47', receive: ['504f', '4e47'] });
  t.match(hc, {
    noTrafficIntervalMs: 60_000,
    noTrafficHealthyIntervalMs: 9000,
    unhealthyEdgeIntervalMs: 3000,
    healthyEdgeIntervalMs: 4000,
  });
  const [connectOnly] = decode(`
health_checks:
- {timeout: 1s, interval: 1s, unhealthy_threshold: 1, healthy_threshold: 1, tcp_health_check: {}}
`);
  t.same(connectOnly!.checker, { kind: 'tcp', send: null, receive: [] });
});

const BASE = 'timeout: 1s, interval: 1s, unhealthy_threshold: 1, healthy_threshold: 1';

t.test('missing required fields and no checker', async (t) => {
  t.same(issues('health_checks: [{}]'), [
    `bad.yaml: ${HC}: missing required field "timeout"`,
    `bad.yaml: ${HC}: missing required field "interval"`,
    `bad.yaml: ${HC}: missing required field "unhealthy_threshold"`,
    `bad.yaml: ${HC}: missing required field "healthy_threshold"`,
    `bad.yaml: ${HC}: exactly one of http_health_check, tcp_health_check, grpc_health_check, custom_health_check is required`,
  ]);
});

t.test('unsupported checkers and codecs are named', async (t) => {
  t.same(issues(`health_checks: [{${BASE}, grpc_health_check: {}}]`), [
    `bad.yaml: ${HC}.grpc_health_check: grpc_health_check is not supported yet (supported: http_health_check, tcp_health_check)`,
  ]);
  t.same(issues(`health_checks: [{${BASE}, custom_health_check: {name: x}}]`), [
    `bad.yaml: ${HC}.custom_health_check: custom_health_check is not supported yet (supported: http_health_check, tcp_health_check)`,
  ]);
  t.same(issues(`health_checks: [{${BASE}, http_health_check: {path: /h, codec_client_type: HTTP2}}]`), [
    `bad.yaml: ${HC}.http_health_check.codec_client_type: HTTP2 is not supported yet`,
  ]);
  t.same(issues(`health_checks: [{${BASE}, http_health_check: {path: /h, method: CONNECT}}]`), [
    `bad.yaml: ${HC}.http_health_check.method: CONNECT is not supported yet`,
  ]);
  t.same(issues(`health_checks: [{${BASE}, alt_port: 9000, tcp_health_check: {}}]`), [
    `bad.yaml: ${HC}.alt_port: alt_port is not supported yet`,
  ]);
  t.same(issues(`health_checks: [{${BASE}, http_health_check: {path: /h, send: {text: "00"}}}]`), [
    `bad.yaml: ${HC}.http_health_check.send: send is not supported yet`,
  ]);
  t.same(issues(`health_checks: [{${BASE}, tcp_health_check: {}, http_health_check: {path: /h}}]`), [
    `bad.yaml: ${HC}: only one of http_health_check, tcp_health_check, grpc_health_check, custom_health_check may be set (found http_health_check and tcp_health_check)`,
  ]);
});

t.test('bad values carry their field path', async (t) => {
  t.same(
    issues(
      `health_checks: [{timeout: 0s, interval: -1s, unhealthy_threshold: 0, healthy_threshold: x, initial_jitter: 1, tcp_health_check: {}}]`,
    ),
    [
      `bad.yaml: ${HC}.timeout: must be greater than 0`,
      `bad.yaml: ${HC}.interval: invalid duration "-1s": must not be negative`,
      `bad.yaml: ${HC}.unhealthy_threshold: 0 is out of range; must be at least 1`,
      `bad.yaml: ${HC}.healthy_threshold: expected an integer, got a string ("x")`,
      `bad.yaml: ${HC}.initial_jitter: invalid duration 1: expected a string of seconds such as "1s" (protobuf Duration)`,
    ],
  );
  t.same(
    issues(
      `health_checks: [{${BASE}, http_health_check: {path: "", expected_statuses: [{start: 99, end: 200}, {start: 200, end: 601}, {start: 300, end: 300}, {start: 200}], bogus: 1}}]`,
    ),
    [
      `bad.yaml: ${HC}.http_health_check.path: must not be empty`,
      `bad.yaml: ${HC}.http_health_check.expected_statuses[0].start: expecting start >= 100, found 99`,
      `bad.yaml: ${HC}.http_health_check.expected_statuses[1].end: expecting end <= 600, found 601`,
      `bad.yaml: ${HC}.http_health_check.expected_statuses[2]: expecting start < end, found start=300 and end=300`,
      `bad.yaml: ${HC}.http_health_check.expected_statuses[3]: a status range needs both start and end`,
      `bad.yaml: ${HC}.http_health_check: unknown field "bogus"`,
    ],
  );
  t.same(
    issues(
      `health_checks: [{${BASE}, tcp_health_check: {send: {text: "ABC"}, receive: [{binary: "%%"}, {}]}}]`,
    ),
    [
      `bad.yaml: ${HC}.tcp_health_check.send.text: expected a non-empty hex string with an even number of digits`,
      `bad.yaml: ${HC}.tcp_health_check.receive[0].binary: expected non-empty base64 bytes`,
      `bad.yaml: ${HC}.tcp_health_check.receive[1]: exactly one of text, binary is required`,
    ],
  );
  t.same(issues(`health_checks: [{${BASE}, tcp_health_check: {}}, {${BASE}, tcp_health_check: {}}]`), [
    'bad.yaml: static_resources.clusters[0].health_checks: only one health check per cluster is supported yet',
  ]);
  t.same(issues(`health_checks: {${BASE}}`), [
    'bad.yaml: static_resources.clusters[0].health_checks: expected a list, got an object',
  ]);
});
