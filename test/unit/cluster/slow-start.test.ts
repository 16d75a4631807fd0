import t from 'tap';
import { createLoadBalancer } from '../../../lib/cluster/lb/index.js';
import { SlowStart } from '../../../lib/cluster/lb/slow-start.js';
import type { Host, LoadBalancer } from '../../../lib/cluster/types.js';
import type { LbPolicy, SlowStartConfig } from '../../../lib/config/model.js';
import type { Clock } from '../../../lib/util/clock.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, fakeHost, fakeHosts } from './fixtures.js';

class FakeClock implements Clock {
  ms = 0;
  now(): number {
    return this.ms;
  }
  wallNow(): number {
    return 1_700_000_000_000 + this.ms;
  }
}

const WINDOW = 10_000;
const cfg = (p: Partial<SlowStartConfig> = {}): SlowStartConfig => ({
  windowMs: WINDOW,
  aggression: 1,
  minWeightFraction: 0.1,
  ...p,
});
const NO_CTX = { hash: null, excluded: null };

function share(lb: LoadBalancer, host: Host, picks: number): number {
  let n = 0;
  for (let i = 0; i < picks; i++) if (lb.chooseHost(NO_CTX) === host) n++;
  return n / picks;
}

t.test('weight follows Envoy: weight · max(min, (max(1ms, t)/window)^(1/aggression))', async (t) => {
  const clock = new FakeClock();
  const h = fakeHost(1, { weight: 10 });
  const linear = new SlowStart(cfg(), clock);
  linear.observe([h]);
  t.equal(h.lastHcPassTimeMs, 0, 'first seen healthy → stamped now');
  t.equal(linear.weight(h, 10), 1, 'the minimum 10% at the start');
  clock.ms = 5000;
  t.equal(linear.weight(h, 10), 5);
  clock.ms = 9000;
  t.equal(linear.weight(h, 10), 9);
  clock.ms = WINDOW;
  t.equal(linear.weight(h, 10), 10, 'full weight once the window has passed');
  t.ok(linear.active(), 'Envoy still counts the window end itself as slow start (<=)');
  clock.ms = WINDOW + 1;
  t.notOk(linear.active());

  clock.ms = 2500;
  const steep = new SlowStart(cfg({ aggression: 2 }), clock);
  t.equal(steep.weight(h, 10), 5, 'aggression 2: sqrt(0.25) = 0.5');
  const floor = new SlowStart(cfg({ minWeightFraction: 0.4 }), clock);
  t.equal(floor.weight(h, 10), 4, 'min_weight_percent 40 holds until the ramp passes it');

  const sick = fakeHost(2);
  sick.setHealthy(false);
  linear.observe([sick]);
  t.equal(sick.lastHcPassTimeMs, undefined, 'unhealthy hosts are not stamped');
  sick.lastHcPassTimeMs = 0;
  t.equal(linear.weight(sick, 3), 3, 'no scaling while unhealthy (panic keeps base weights)');
});

for (const policy of ['ROUND_ROBIN', 'LEAST_REQUEST'] as const satisfies readonly LbPolicy[]) {
  t.test(`${policy}: a host added later ramps up over the window`, async (t) => {
    const clock = new FakeClock();
    const hosts = fakeHosts(3);
    const lb = createLoadBalancer(
      clusterConfig({ lbPolicy: policy, slowStart: cfg() }),
      hosts,
      seededRandom(3),
      undefined,
      clock,
    );
    clock.ms = 60_000; // the initial hosts' own ramp is long over
    t.ok(Math.abs(share(lb, hosts[0]!, 3000) - 1 / 3) < 0.03, 'steady state: even');

    const fresh = fakeHost(9);
    const all = [...hosts, fresh];
    lb.refresh(all);
    t.equal(fresh.lastHcPassTimeMs, 60_000, 'the new host starts its window when first seen healthy');
    const shares: number[] = [];
    for (const at of [0, 2500, 5000, 7500]) {
      clock.ms = 60_000 + at;
      shares.push(share(lb, fresh, 4000));
    }
    clock.ms = 60_000 + WINDOW + 1;
    const after = share(lb, fresh, 4000);
    t.ok(shares[0]! < 0.06, `starts near min weight: ${shares[0]!.toFixed(3)} (0.1/3.1 ≈ 0.03)`);
    for (let i = 1; i < shares.length; i++) {
      t.ok(shares[i]! > shares[i - 1]!, `share grows: ${shares.map((s) => s.toFixed(3)).join(' < ')}`);
    }
    t.ok(shares[3]! < 0.25, 'still below a full share inside the window');
    t.ok(Math.abs(after - 0.25) < 0.03, `full share after the window: ${after.toFixed(3)}`);
  });

  t.test(`${policy}: without slow start a new host gets its share at once`, async (t) => {
    const clock = new FakeClock();
    const hosts = fakeHosts(3);
    const lb = createLoadBalancer(
      clusterConfig({ lbPolicy: policy }),
      hosts,
      seededRandom(3),
      undefined,
      clock,
    );
    const fresh = fakeHost(9);
    lb.refresh([...hosts, fresh]);
    t.ok(Math.abs(share(lb, fresh, 4000) - 0.25) < 0.03);
    t.equal(fresh.lastHcPassTimeMs, undefined, 'nothing stamped when slow start is off');
  });
}

t.test('a host passing an active health check again re-enters slow start', async (t) => {
  const clock = new FakeClock();
  const hosts = fakeHosts(2);
  const lb = createLoadBalancer(
    clusterConfig({ slowStart: cfg() }),
    hosts,
    seededRandom(1),
    undefined,
    clock,
  );
  clock.ms = 60_000;
  hosts[1]!.setHealthy(false);
  lb.refresh(hosts);
  t.equal(share(lb, hosts[1]!, 1000), 0);
  // What an active health checker does on the unhealthy → healthy transition.
  hosts[1]!.setHealthy(true);
  hosts[1]!.lastHcPassTimeMs = clock.now();
  lb.refresh(hosts);
  const early = share(lb, hosts[1]!, 2000);
  t.ok(early < 0.15, `ramping again: ${early.toFixed(3)}`);
});

t.test('LEAST_REQUEST active_request_bias with unequal weights', async (t) => {
  const run = (bias: number | undefined): number => {
    const heavy = fakeHost(1, { weight: 2 });
    const light = fakeHost(2, { weight: 1 });
    heavy.counters.activeRequests = 3;
    const lb = createLoadBalancer(
      clusterConfig({
        lbPolicy: 'LEAST_REQUEST',
        ...(bias === undefined ? {} : { activeRequestBias: bias }),
      }),
      [heavy, light],
      seededRandom(1),
    );
    return share(lb, heavy, 6000);
  };
  // heavy/light effective weights: 2/4^b against 1/1^b.
  t.ok(Math.abs(run(undefined) - 1 / 3) < 0.02, 'default bias 1: 0.5 vs 1');
  t.ok(Math.abs(run(1) - 1 / 3) < 0.02);
  t.ok(Math.abs(run(0) - 2 / 3) < 0.02, 'bias 0: plain weights 2 vs 1');
  t.ok(Math.abs(run(2) - 0.125 / 1.125) < 0.02, 'bias 2: 0.125 vs 1');
  t.ok(Math.abs(run(0.5) - 0.5) < 0.02, 'bias 0.5: 1 vs 1');
});

t.test('LEAST_REQUEST equal weights ignore the bias (P2C)', async (t) => {
  const hosts = fakeHosts(2);
  hosts[0]!.counters.activeRequests = 5;
  const lb = createLoadBalancer(
    clusterConfig({ lbPolicy: 'LEAST_REQUEST', activeRequestBias: 0 }),
    hosts,
    seededRandom(9),
  );
  t.ok(Math.abs(share(lb, hosts[1]!, 6000) - 0.75) < 0.03, 'the idle host still wins 3/4');
});
