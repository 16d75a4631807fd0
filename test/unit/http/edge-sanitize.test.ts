import t from 'tap';
import { isInternalAddress, sanitizeEdgeRequest } from '../../../lib/http/edge-sanitize.js';
import { HeaderMap } from '../../../lib/http/header-map.js';

t.test('isInternalAddress: IPv4', async (t) => {
  const internal = [
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.0',
    '172.20.1.1',
    '172.31.255.255',
    '192.168.0.1',
    '192.168.255.254',
    '127.0.0.1',
    '127.9.9.9',
  ];
  for (const ip of internal) t.ok(isInternalAddress(ip), `${ip} is internal`);
  const external = [
    '172.15.255.255',
    '172.32.0.0',
    '192.167.1.1',
    '192.169.0.1',
    '11.0.0.1',
    '9.255.255.255',
    '8.8.8.8',
    '1.2.3.4',
    '128.0.0.1',
    '0.0.0.0',
  ];
  for (const ip of external) t.notOk(isInternalAddress(ip), `${ip} is external`);
});

t.test('isInternalAddress: IPv6 and IPv4-mapped', async (t) => {
  const internal = ['::1', 'fc00::1', 'fd00::1', 'fd12:3456:789a::1', 'FD00::2', 'fcff::', '::ffff:10.0.0.1'];
  for (const ip of internal) t.ok(isInternalAddress(ip), `${ip} is internal`);
  t.ok(isInternalAddress('::ffff:127.0.0.1'), 'mapped loopback');
  t.ok(isInternalAddress('::ffff:192.168.1.1'), 'mapped 192.168');
  const external = [
    'fe80::1',
    'fe80::1%eth0',
    '2001:db8::1',
    '::',
    '::2',
    'fb00::1',
    'fe00::1',
    'fc0::1', // 0fc0::/16, not fc00::/7
    '::ffff:8.8.8.8',
    '::ffff:172.32.0.1',
  ];
  for (const ip of external) t.notOk(isInternalAddress(ip), `${ip} is external`);
});

const CONTROL = [
  'x-envoy-decorator-operation',
  'x-envoy-downstream-service-cluster',
  'x-envoy-downstream-service-node',
  'x-envoy-expected-rq-timeout-ms',
  'x-envoy-external-address',
  'x-envoy-force-trace',
  'x-envoy-hedge-on-per-try-timeout',
  'x-envoy-internal',
  'x-envoy-ip-tags',
  'x-envoy-max-retries',
  'x-envoy-original-path',
  'x-envoy-retriable-header-names',
  'x-envoy-retriable-status-codes',
  'x-envoy-retry-grpc-on',
  'x-envoy-retry-on',
  'x-envoy-upstream-alt-stat-name',
  'x-envoy-upstream-rq-per-try-timeout-ms',
  'x-envoy-upstream-rq-timeout-alt-response',
  'x-envoy-upstream-rq-timeout-ms',
];

function withControlHeaders(): HeaderMap {
  const raw = ['Host', 'a'];
  // Upper-case wire names: the strip must match on the lower-cased key.
  for (const n of CONTROL) raw.push(n.toUpperCase(), '1');
  raw.push('X-Envoy-Attempt-Count', '2', 'X-Request-Id', 'r');
  return new HeaderMap(raw);
}

t.test('an external peer loses every listed x-envoy-* header', async (t) => {
  const h = withControlHeaders();
  t.equal(sanitizeEdgeRequest(h, '8.8.8.8'), true, 'external');
  t.same(h.flat(), ['Host', 'a', 'X-Envoy-Attempt-Count', '2', 'X-Request-Id', 'r']);
  for (const n of CONTROL) t.notOk(h.has(n), `${n} stripped`);
  t.notOk(h.has('x-envoy-internal'), 'no x-envoy-internal added');
});

t.test('an internal peer keeps them and gets x-envoy-internal: true', async (t) => {
  const h = withControlHeaders();
  const before = h.size;
  t.equal(sanitizeEdgeRequest(h, '10.1.2.3'), false, 'internal');
  for (const n of CONTROL) t.ok(h.has(n), `${n} kept`);
  t.equal(h.get('x-envoy-internal'), 'true', 'a client-sent value is overwritten');
  t.equal(h.count('x-envoy-internal'), 1);
  t.equal(h.size, before);
  t.equal(h.get('x-envoy-retry-on'), '1');
});

t.test('an internal peer without the header gets it appended', async (t) => {
  const h = new HeaderMap(['Host', 'a']);
  t.equal(sanitizeEdgeRequest(h, '::1'), false);
  t.same(h.flat(), ['Host', 'a', 'x-envoy-internal', 'true']);
});

t.test('an IPv4-mapped external peer is external', async (t) => {
  const h = new HeaderMap(['X-Envoy-Retry-On', '5xx', 'X-Envoy-Internal', 'true']);
  t.equal(sanitizeEdgeRequest(h, '::ffff:203.0.113.9'), true);
  t.same(h.flat(), []);
});
