import t from 'tap';
import { createLoadBalancer } from '../../../lib/cluster/lb/index.js';
import { RoundRobinPicker } from '../../../lib/cluster/lb/round-robin.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, fakeHost, fakeHosts } from './fixtures.js';

t.test('equal weights rotate through every host', async (t) => {
  const hosts = fakeHosts(5);
  const picker = new RoundRobinPicker(hosts, seededRandom(7));
  for (let round = 0; round < 4; round++) {
    const seen = new Set();
    for (let i = 0; i < hosts.length; i++) seen.add(picker.pick());
    t.equal(seen.size, hosts.length, `round ${round} visits each host once`);
  }
});

t.test('the starting host is randomised', async (t) => {
  const hosts = fakeHosts(8);
  const firsts = new Set();
  for (let seed = 1; seed <= 20; seed++) firsts.add(new RoundRobinPicker(hosts, seededRandom(seed)).pick());
  t.ok(firsts.size > 3, `${firsts.size} distinct first picks over 20 seeds`);
});

t.test('weights 1:3 interleave', async (t) => {
  const a = fakeHost(1, { weight: 1 });
  const b = fakeHost(2, { weight: 3 });
  const picker = new RoundRobinPicker([a, b], seededRandom(3));
  for (let w = 0; w < 50; w++) {
    let as = 0;
    for (let i = 0; i < 4; i++) if (picker.pick() === a) as++;
    if (as !== 1) return t.fail(`window ${w} had ${as} picks of the light host`);
  }
  t.pass('every window of 4 picks holds exactly one light-host pick');
});

t.test('refresh with an unchanged set keeps the rotation', async (t) => {
  const hosts = fakeHosts(3);
  const lb = createLoadBalancer(clusterConfig(), hosts, seededRandom(1));
  const ctx = { hash: null, excluded: null };
  const first = lb.chooseHost(ctx);
  const second = lb.chooseHost(ctx);
  lb.refresh([...hosts]);
  const third = lb.chooseHost(ctx);
  t.not(third, first);
  t.not(third, second);
});
