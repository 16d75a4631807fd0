import type { Test } from 'tap';
import { createLoadBalancer } from '../../../lib/cluster/lb/index.js';
import type { Host, LoadBalancer, LoadBalancerContext } from '../../../lib/cluster/types.js';
import type { LbPolicy } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, type FakeHost, fakeHost, fakeHosts } from './fixtures.js';

export interface LbSuiteOptions {
  /** False for RANDOM, which (like Envoy) ignores load_balancing_weight. */
  readonly honoursWeights: boolean;
  /** Allowed relative deviation from the expected share. */
  readonly tolerance: number;
}

const PICKS = 20_000;
const NO_CTX: LoadBalancerContext = { hash: null, excluded: null };

interface Built {
  lb: LoadBalancer;
  panics: { count: number };
}

function build(policy: LbPolicy, hosts: readonly Host[], seed = 1, panicThreshold = 50): Built {
  const panics = { count: 0 };
  const cfg = clusterConfig({
    lbPolicy: policy,
    healthyPanicThresholdPercent: panicThreshold,
    maglevTableSize: 65537,
  });
  const lb = createLoadBalancer(cfg, hosts, seededRandom(seed), { onHealthyPanic: () => panics.count++ });
  return { lb, panics };
}

function countPicks(
  lb: LoadBalancer,
  n: number,
  ctx: LoadBalancerContext = NO_CTX,
): Map<Host | null, number> {
  const counts = new Map<Host | null, number>();
  for (let i = 0; i < n; i++) {
    const h = lb.chooseHost(ctx);
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  return counts;
}

function assertShare(
  t: Test,
  counts: Map<Host | null, number>,
  host: Host,
  share: number,
  tol: number,
): void {
  const got = (counts.get(host) ?? 0) / PICKS;
  t.ok(
    Math.abs(got - share) <= share * tol,
    `${host.authority} got ${(got * 100).toFixed(1)}%, want ${(share * 100).toFixed(1)}% ± ${tol * 100}%`,
  );
}

/** Behaviour every load balancing policy must share. */
export function runLbSuite(t: Test, policy: LbPolicy, opts: LbSuiteOptions): void {
  t.test(`${policy}: equal weights spread evenly`, async (t) => {
    const hosts = fakeHosts(4);
    const counts = countPicks(build(policy, hosts).lb, PICKS);
    for (const h of hosts) assertShare(t, counts, h, 0.25, opts.tolerance);
    t.notOk(counts.has(null), 'never null');
  });

  t.test(`${policy}: weights 1:3`, async (t) => {
    const hosts = [fakeHost(1, { weight: 1 }), fakeHost(2, { weight: 3 })];
    const counts = countPicks(build(policy, hosts).lb, PICKS);
    const light = opts.honoursWeights ? 0.25 : 0.5;
    assertShare(t, counts, hosts[0]!, light, opts.tolerance);
    assertShare(t, counts, hosts[1]!, 1 - light, opts.tolerance);
  });

  t.test(`${policy}: unhealthy hosts are skipped`, async (t) => {
    const hosts = fakeHosts(4);
    hosts[2]!.setHealthy(false);
    const { lb, panics } = build(policy, hosts);
    const counts = countPicks(lb, PICKS);
    t.equal(counts.get(hosts[2]!), undefined, 'unhealthy host never picked');
    for (const h of [hosts[0]!, hosts[1]!, hosts[3]!]) assertShare(t, counts, h, 1 / 3, opts.tolerance);
    t.equal(panics.count, 0, 'no panic at 75% healthy');
  });

  t.test(`${policy}: refresh follows health changes`, async (t) => {
    const hosts = fakeHosts(3);
    const { lb } = build(policy, hosts);
    hosts[0]!.setHealthy(false);
    lb.refresh(hosts);
    t.equal(countPicks(lb, 3000).get(hosts[0]!), undefined, 'newly unhealthy host dropped');
    hosts[0]!.setHealthy(true);
    lb.refresh(hosts);
    t.ok((countPicks(lb, 3000).get(hosts[0]!) ?? 0) > 0, 'recovered host picked again');
    lb.refresh(hosts.slice(1));
    t.equal(countPicks(lb, 3000).get(hosts[0]!), undefined, 'removed host dropped');
  });

  t.test(`${policy}: excluded hosts are avoided`, async (t) => {
    const hosts = fakeHosts(3);
    const { lb } = build(policy, hosts);
    const one = countPicks(lb, 3000, { hash: null, excluded: new Set([hosts[0]!]) });
    t.equal(one.get(hosts[0]!), undefined, 'single excluded host never returned');
    const two = countPicks(lb, 3000, { hash: null, excluded: new Set([hosts[0]!, hosts[1]!]) });
    t.equal(two.get(hosts[2]!), 3000, 'only the remaining host returned');
    for (let hash = 0; hash < 500; hash++) {
      const h = lb.chooseHost({ hash, excluded: new Set([hosts[1]!, hosts[2]!]) });
      if (h !== hosts[0]) return t.fail(`hash ${hash} picked an excluded host`);
    }
    t.pass('hashed picks avoid excluded hosts too');
    const all = lb.chooseHost({ hash: null, excluded: new Set(hosts) });
    t.ok(all !== null, 'all excluded still returns a host rather than none');
  });

  t.test(`${policy}: all unhealthy → panic over all hosts`, async (t) => {
    const hosts = fakeHosts(3);
    for (const h of hosts) h.setHealthy(false);
    const { lb, panics } = build(policy, hosts);
    const counts = countPicks(lb, 3000);
    for (const h of hosts) t.ok((counts.get(h) ?? 0) > 0, `${h.authority} picked in panic`);
    t.equal(panics.count, 3000, 'every pick counted as panic');
  });

  t.test(`${policy}: below the panic threshold → all hosts`, async (t) => {
    const hosts = fakeHosts(4);
    for (const h of hosts.slice(1)) h.setHealthy(false);
    const { lb, panics } = build(policy, hosts);
    const counts = countPicks(lb, 4000);
    for (const h of hosts) t.ok((counts.get(h) ?? 0) > 0, `${h.authority} picked`);
    t.equal(panics.count, 4000);
  });

  t.test(`${policy}: panic threshold 0 disables panic`, async (t) => {
    const hosts = fakeHosts(4);
    for (const h of hosts.slice(1)) h.setHealthy(false);
    const { lb, panics } = build(policy, hosts, 1, 0);
    t.equal(countPicks(lb, 1000).get(hosts[0]!), 1000, 'only the healthy host');
    for (const h of hosts) h.setHealthy(false);
    lb.refresh(hosts);
    t.equal(lb.chooseHost(NO_CTX), null, 'none healthy and no panic → null');
    t.equal(panics.count, 0);
  });

  t.test(`${policy}: empty → null`, async (t) => {
    const { lb } = build(policy, []);
    t.equal(lb.chooseHost(NO_CTX), null);
    t.equal(lb.chooseHost({ hash: 42, excluded: null }), null);
  });

  t.test(`${policy}: priorities`, async (t) => {
    const p0 = fakeHosts(2, { priority: 0 });
    const p1 = [fakeHost(10, { priority: 1 }), fakeHost(11, { priority: 1 })];
    const hosts: FakeHost[] = [...p1, ...p0];
    const { lb, panics } = build(policy, hosts);
    let counts = countPicks(lb, 2000);
    t.equal((counts.get(p0[0]!) ?? 0) + (counts.get(p0[1]!) ?? 0), 2000, 'healthy P0 takes everything');

    for (const h of p0) h.setHealthy(false);
    lb.refresh(hosts);
    counts = countPicks(lb, 2000);
    t.equal((counts.get(p1[0]!) ?? 0) + (counts.get(p1[1]!) ?? 0), 2000, 'P0 down → all to P1');
    t.equal(panics.count, 0, 'failover is not panic');

    p0[0]!.setHealthy(true);
    lb.refresh(hosts);
    counts = countPicks(lb, PICKS);
    // P0 at 50% health × 1.4 overprovisioning takes 70%, the rest spills to P1.
    const p0Share = (counts.get(p0[0]!) ?? 0) / PICKS;
    t.ok(Math.abs(p0Share - 0.7) < 0.03, `P0 share ${p0Share.toFixed(3)} ≈ 0.70`);
    t.equal(counts.get(p0[1]!), undefined, 'unhealthy P0 host still skipped');
  });
}
