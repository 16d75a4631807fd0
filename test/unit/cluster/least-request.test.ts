import t from 'tap';
import { LeastRequestPicker } from '../../../lib/cluster/lb/least-request.js';
import { seededRandom } from '../../../lib/util/random.js';
import { fakeHost, fakeHosts } from './fixtures.js';

const N = 9000;

t.test('P2C: the busiest host only wins when drawn twice', async (t) => {
  const hosts = fakeHosts(3);
  hosts[0]!.counters.activeRequests = 10;
  hosts[1]!.counters.activeRequests = 1;
  hosts[2]!.counters.activeRequests = 1;
  const picker = new LeastRequestPicker(hosts, seededRandom(5), 2);
  let busy = 0;
  for (let i = 0; i < N; i++) if (picker.pick() === hosts[0]) busy++;
  // P(both draws are the busy host) = 1/9.
  t.ok(Math.abs(busy / N - 1 / 9) < 0.02, `busy host share ${(busy / N).toFixed(3)} ≈ 0.111`);
});

t.test('P2C prefers the less-loaded of two hosts', async (t) => {
  const hosts = fakeHosts(2);
  hosts[0]!.counters.activeRequests = 5;
  const picker = new LeastRequestPicker(hosts, seededRandom(9), 2);
  let idle = 0;
  for (let i = 0; i < N; i++) if (picker.pick() === hosts[1]) idle++;
  t.ok(Math.abs(idle / N - 0.75) < 0.03, `idle host share ${(idle / N).toFixed(3)} ≈ 0.75`);
});

t.test('more choices concentrate load on the idle host', async (t) => {
  const hosts = fakeHosts(4);
  for (const h of hosts.slice(1)) h.counters.activeRequests = 3;
  const picker = new LeastRequestPicker(hosts, seededRandom(2), 5);
  let idle = 0;
  for (let i = 0; i < N; i++) if (picker.pick() === hosts[0]) idle++;
  // 1 - (3/4)^5 ≈ 0.763
  t.ok(Math.abs(idle / N - 0.763) < 0.03, `idle share ${(idle / N).toFixed(3)}`);
});

t.test('unequal weights divide by active requests + 1', async (t) => {
  const heavy = fakeHost(1, { weight: 2 });
  const light = fakeHost(2, { weight: 1 });
  const picker = new LeastRequestPicker([heavy, light], seededRandom(1), 2);
  let heavyPicks = 0;
  for (let i = 0; i < 3000; i++) if (picker.pick() === heavy) heavyPicks++;
  t.ok(Math.abs(heavyPicks / 3000 - 2 / 3) < 0.02, 'idle: 2:1');
  // 2 / (3 + 1) = 0.5 < 1 / (0 + 1): the light host now gets two thirds.
  heavy.counters.activeRequests = 3;
  heavyPicks = 0;
  for (let i = 0; i < 3000; i++) if (picker.pick() === heavy) heavyPicks++;
  t.ok(
    Math.abs(heavyPicks / 3000 - 1 / 3) < 0.03,
    `loaded heavy host share ${(heavyPicks / 3000).toFixed(3)}`,
  );
});
