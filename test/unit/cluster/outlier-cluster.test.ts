import t from 'tap';
import { ClusterImpl } from '../../../lib/cluster/cluster.js';
import type { DnsResolver } from '../../../lib/cluster/dns-resolver.js';
import { type Host, NO_PASSIVE_HEALTH } from '../../../lib/cluster/types.js';
import { OUTLIER_DEFAULTS } from '../../../lib/config/envoy/cluster-outlier-detection.js';
import type { ClusterConfig } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, endpoint, fakeClusterStats, fakeOutlierStats, withTimeout } from './fixtures.js';
import { FakeClock, ManualScheduler } from './outlier-fixtures.js';

const NO_CTX = { hash: null, excluded: null };

/** Answers every lookup from `answer`, which tests change between refreshes. */
class ListResolver implements DnsResolver {
  answer: string[] = [];
  async resolve(): Promise<string[]> {
    return this.answer;
  }
}

function makeCluster(over: Partial<ClusterConfig>, resolver: DnsResolver = new ListResolver()) {
  const stats = { ...fakeClusterStats(), outlierDetection: fakeOutlierStats() };
  const scheduler = new ManualScheduler();
  const clock = new FakeClock();
  let panics = 0;
  const cluster = new ClusterImpl(
    clusterConfig({
      endpoints: [endpoint('10.0.0.1', 80), endpoint('10.0.0.2', 80)],
      outlierDetection: { ...OUTLIER_DEFAULTS, maxEjectionPercent: 100, baseEjectionTimeMs: 1000 },
      ...over,
    }),
    {
      random: seededRandom(7),
      stats,
      resolver,
      log: () => {},
      initialDnsTimeoutMs: 2000,
      clock,
      outlierScheduler: scheduler,
      lbHooks: { onHealthyPanic: () => panics++ },
    },
  );
  return { cluster, stats, scheduler, clock, panics: () => panics };
}

function eject(h: Host): void {
  for (let i = 0; i < 5; i++) h.outlier.putHttpResponseCode(503);
}

function picks(cluster: ClusterImpl, n: number): Set<string | null> {
  const seen = new Set<string | null>();
  for (let i = 0; i < n; i++) seen.add(cluster.chooseHost(NO_CTX)?.authority ?? null);
  return seen;
}

t.test('without outlier_detection hosts keep the no-op monitor', async (t) => {
  const { cluster } = makeCluster({ outlierDetection: null });
  t.teardown(() => cluster.close());
  t.equal(cluster.outlierDetector, null);
  for (const h of cluster.hosts()) t.equal(h.outlier, NO_PASSIVE_HEALTH);
});

t.test('an ejected host is skipped by every load balancer', async (t) => {
  for (const lbPolicy of ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV'] as const) {
    const { cluster, stats } = makeCluster({ lbPolicy });
    const [a, b] = cluster.hosts();
    t.not(a!.outlier, NO_PASSIVE_HEALTH);
    eject(a!);
    t.notOk(a!.healthy(), `${lbPolicy}: ejected`);
    t.same([...picks(cluster, 50)], [b!.authority], `${lbPolicy}: all traffic goes to the other host`);
    t.equal(stats.membershipHealthy.value, 1);
    t.equal(stats.outlierDetection.ejectionsActive.value, 1);
    await cluster.close();
  }
});

t.test('all hosts ejected: the panic threshold balances over all of them', async (t) => {
  const { cluster, panics, scheduler, clock, stats } = makeCluster({});
  t.teardown(() => cluster.close());
  const [a, b] = cluster.hosts();
  eject(a!);
  eject(b!);
  t.notOk(a!.healthy() || b!.healthy(), 'both ejected (max_ejection_percent 100)');
  t.equal(stats.membershipHealthy.value, 0);
  t.same([...picks(cluster, 50)].sort(), [a!.authority, b!.authority], 'panic: both hosts get traffic');
  t.ok(panics() >= 50, 'every pick counted as a panic pick');
  clock.ms = 1000;
  scheduler.fire();
  t.ok(a!.healthy() && b!.healthy(), 'both back after base_ejection_time');
  t.equal(stats.membershipHealthy.value, 2);
});

t.test('all hosts ejected with healthy_panic_threshold 0: no host (503 UH)', async (t) => {
  const { cluster, stats } = makeCluster({ healthyPanicThresholdPercent: 0 });
  t.teardown(() => cluster.close());
  for (const h of cluster.hosts()) eject(h);
  t.same([...picks(cluster, 5)], [null]);
  t.equal(stats.upstreamCxNoneHealthy.value, 5);
});

t.test('hosts added later by DNS get a monitor; close() stops the sweep', async (t) => {
  const r = new ListResolver();
  r.answer = ['10.0.0.1'];
  const { cluster, scheduler, stats } = makeCluster(
    { type: 'STRICT_DNS', endpoints: [endpoint('svc.local', 80)] },
    r,
  );
  await withTimeout(cluster.ready(), 5000, 'ready');
  const [first] = cluster.hosts();
  t.not(first!.outlier, NO_PASSIVE_HEALTH);
  r.answer = ['10.0.0.1', '10.0.0.2'];
  await withTimeout(cluster.refreshDns(), 5000, 'refresh');
  const second = cluster.hosts()[1]!;
  t.equal(second.address, '10.0.0.2');
  t.not(second.outlier, NO_PASSIVE_HEALTH, 'the new host is monitored');
  eject(second);
  t.notOk(second.healthy());
  t.equal(stats.outlierDetection.ejectionsActive.value, 1);
  r.answer = ['10.0.0.1'];
  await withTimeout(cluster.refreshDns(), 5000, 'refresh');
  t.equal(stats.outlierDetection.ejectionsActive.value, 0, 'the removed host no longer counts');
  t.not(scheduler.pending, null);
  await cluster.close();
  t.equal(scheduler.pending, null, 'close() cancelled the sweep');
});
