import type { Test } from 'tap';
import { createLoadBalancer } from '../../../lib/cluster/lb/index.js';
import {
  HealthFlag,
  type Host,
  type LoadBalancer,
  type LoadBalancerContext,
} from '../../../lib/cluster/types.js';
import type { LbPolicy } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, type FakeHost, fakeHost, fakeHosts } from './fixtures.js';

export interface LbSuiteOptions {
  /** False for RANDOM, which (like Envoy) ignores load_balancing_weight. */
  readonly honoursWeights: boolean;
  /** Allowed relative deviation from the expected share. */
  readonly tolerance: number;
  /**
   * Consistent-hash policies: the most keys one membership change may move, as a multiple of
   * 1/N (1 = only the removed host's keys). Unset for policies that do not hash.
   */
  readonly keyMovementLimit?: number;
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

  t.test(`${policy}: weights 1:2:5`, async (t) => {
    const hosts = [fakeHost(1, { weight: 1 }), fakeHost(2, { weight: 2 }), fakeHost(3, { weight: 5 })];
    const counts = countPicks(build(policy, hosts).lb, PICKS);
    const shares = opts.honoursWeights ? [1 / 8, 2 / 8, 5 / 8] : [1 / 3, 1 / 3, 1 / 3];
    for (let i = 0; i < 3; i++) assertShare(t, counts, hosts[i]!, shares[i]!, opts.tolerance);
  });

  t.test(`${policy}: only healthy, non-ejected hosts are chosen`, async (t) => {
    const hosts = fakeHosts(6);
    hosts[1]!.healthFlags = HealthFlag.FailedOutlierCheck;
    hosts[4]!.healthFlags = HealthFlag.FailedActiveHc;
    const { lb, panics } = build(policy, hosts);
    const counts = countPicks(lb, PICKS);
    t.equal(counts.get(hosts[1]!), undefined, 'outlier-ejected host never picked');
    t.equal(counts.get(hosts[4]!), undefined, 'host failing active HC never picked');
    for (const i of [0, 2, 3, 5]) assertShare(t, counts, hosts[i]!, 1 / 4, opts.tolerance);
    for (let hash = 0; hash < 2000; hash++) {
      const h = lb.chooseHost({ hash: hash * 2654435761, excluded: null });
      if (h === hosts[1] || h === hosts[4]) return t.fail(`hash ${hash} picked an unusable host`);
    }
    t.equal(panics.count, 0, 'no panic at 67% healthy');
    hosts[1]!.healthFlags = 0;
    lb.refresh(hosts);
    t.ok((countPicks(lb, 4000).get(hosts[1]!) ?? 0) > 0, 'un-ejected host picked again after refresh');
  });

  const limit = opts.keyMovementLimit;
  if (limit !== undefined) {
    t.test(`${policy}: a host leaving or joining moves ~1/N of the keys`, async (t) => {
      const KEYS = 20_000;
      const hosts = fakeHosts(6);
      const { lb } = build(policy, hosts.slice(0, 5));
      const map = (): (Host | null)[] =>
        Array.from({ length: KEYS }, (_, k) => lb.chooseHost({ hash: k * 2654435761, excluded: null }));
      const diff = (a: (Host | null)[], b: (Host | null)[]): number => a.filter((h, k) => h !== b[k]).length;
      const before = map();
      const owned = before.filter((h) => h === hosts[4]).length / KEYS;
      t.ok(Math.abs(owned - 1 / 5) < 0.05, `removed host owned ${owned.toFixed(3)} of the keys (1/N = 0.2)`);
      lb.refresh(hosts.slice(0, 4));
      const removed = diff(before, map()) / KEYS;
      t.ok(
        removed <= limit / 5,
        `removing 1 of 5 moved ${removed.toFixed(3)} (limit ${(limit / 5).toFixed(3)})`,
      );
      lb.refresh(hosts.slice(0, 5));
      t.equal(diff(before, map()), 0, 'restoring the host restores every key');
      lb.refresh(hosts);
      const added = diff(before, map()) / KEYS;
      t.ok(
        added <= limit / 6,
        `adding a 6th host moved ${added.toFixed(3)} (limit ${(limit / 6).toFixed(3)})`,
      );
      t.ok(added > 0.5 / 6, 'the new host takes a share');
    });
  }

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
