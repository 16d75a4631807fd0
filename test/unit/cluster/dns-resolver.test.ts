import t from 'tap';
import { selectAddresses, systemDnsResolver } from '../../../lib/cluster/dns-resolver.js';

const mixed = [
  { address: '10.0.0.1', family: 4 },
  { address: 'fd00::1', family: 6 },
  { address: '10.0.0.2', family: 4 },
  { address: '10.0.0.1', family: 4 },
];

t.test('family policies', async (t) => {
  t.same(selectAddresses(mixed, 'V4_ONLY'), ['10.0.0.1', '10.0.0.2'], 'duplicates dropped');
  t.same(selectAddresses(mixed, 'V6_ONLY'), ['fd00::1']);
  t.same(selectAddresses(mixed, 'AUTO'), ['fd00::1'], 'AUTO prefers IPv6');
  t.same(selectAddresses(mixed, 'V4_PREFERRED'), ['10.0.0.1', '10.0.0.2']);
  t.same(selectAddresses(mixed, 'ALL'), ['10.0.0.1', 'fd00::1', '10.0.0.2']);
  const v4 = mixed.filter((e) => e.family === 4);
  t.same(selectAddresses(v4, 'AUTO'), ['10.0.0.1', '10.0.0.2'], 'AUTO falls back to IPv4');
  t.same(
    selectAddresses(
      mixed.filter((e) => e.family === 6),
      'V4_PREFERRED',
    ),
    ['fd00::1'],
  );
  t.same(selectAddresses(v4, 'V6_ONLY'), []);
});

t.test('the system resolver resolves localhost', async (t) => {
  t.same(await systemDnsResolver.resolve('localhost', 'V4_ONLY'), ['127.0.0.1']);
  const auto = await systemDnsResolver.resolve('localhost', 'AUTO');
  t.ok(auto.length > 0 && auto.every((a) => a === '127.0.0.1' || a === '::1'), `AUTO gave ${auto}`);
});

t.test('an unknown name rejects', async (t) => {
  await t.rejects(systemDnsResolver.resolve('no-such-host.invalid', 'AUTO'));
});
