import t from 'tap';
import { parseOriginalDst } from '../../../lib/cluster/original-dst-address.js';

t.test('IP literals with and without a port', async (t) => {
  t.same(parseOriginalDst('10.0.0.1:8080', 80, null), {
    address: '10.0.0.1',
    port: 8080,
    hostname: '',
    key: '10.0.0.1:8080',
  });
  t.same(parseOriginalDst('10.0.0.1', 80, null)?.key, '10.0.0.1:80', 'default port');
  t.same(parseOriginalDst('10.0.0.1:080', 80, null)?.key, '10.0.0.1:80', 'leading zeros normalise');
  t.same(parseOriginalDst('[::1]:9000', 80, null), {
    address: '::1',
    port: 9000,
    hostname: '',
    key: '[::1]:9000',
  });
  t.same(parseOriginalDst('[::1]', 81, null)?.key, '[::1]:81');
  t.same(parseOriginalDst('fe80::1', 80, null)?.key, '[fe80::1]:80', 'bare IPv6 without a port');
});

t.test('DNS names (Skiff extension) are lower-cased and keep their name', async (t) => {
  t.same(parseOriginalDst('Order-Service.NS.svc:8080', 80, null), {
    address: 'order-service.ns.svc',
    port: 8080,
    hostname: 'order-service.ns.svc',
    key: 'order-service.ns.svc:8080',
  });
  t.same(parseOriginalDst('localhost', 80, null)?.key, 'localhost:80');
  t.same(parseOriginalDst('a.b.', 80, null)?.key, 'a.b.:80', 'a trailing dot is a valid FQDN');
});

t.test('upstream_port_override replaces any port', async (t) => {
  t.equal(parseOriginalDst('10.0.0.1:8080', 80, 9090)?.port, 9090);
  t.equal(parseOriginalDst('10.0.0.1', 80, 9090)?.key, '10.0.0.1:9090');
  t.equal(parseOriginalDst('[::1]:1', 80, 9090)?.key, '[::1]:9090');
});

t.test('values that name no host', async (t) => {
  for (const bad of [
    '',
    ':80',
    'host:',
    'host:http',
    'host:0',
    'host:65536',
    'host:123456',
    '10.0.0.1:80:90',
    '[::1',
    '[::1]x',
    '[::1]:',
    '[10.0.0.1]:80',
    '[nothost]:80',
    '-bad.example',
    'bad-.example',
    'a..b',
    'spa ce',
    'under/slash',
    'a,b',
    `${'a'.repeat(64)}.com`,
  ]) {
    t.equal(parseOriginalDst(bad, 80, null), null, JSON.stringify(bad));
  }
});
