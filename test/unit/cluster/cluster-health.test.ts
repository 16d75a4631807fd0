import t from 'tap';
import { ClusterImpl } from '../../../lib/cluster/cluster.js';
import type { DnsResolver } from '../../../lib/cluster/dns-resolver.js';
import { CheckResult } from '../../../lib/cluster/health-check-probe.js';
import { HealthFlag } from '../../../lib/cluster/types.js';
import type { ClusterConfig } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { FakeProbes, FakeScheduler, hcConfig } from './fake-hc.js';
import { clusterConfig, endpoint, fakeClusterStats, withTimeout } from './fixtures.js';

const NO_CTX = { hash: null, excluded: null };

function build(cfg: Partial<ClusterConfig>, resolver?: DnsResolver) {
  const sched = new FakeScheduler();
  const probes = new FakeProbes();
  const stats = fakeClusterStats();
  const cluster = new ClusterImpl(clusterConfig(cfg), {
    random: seededRandom(1),
    stats,
    resolver: resolver ?? { resolve: async () => [] },
    log: () => {},
    initialDnsTimeoutMs: 2000,
    healthCheckScheduler: sched,
    healthCheckProbes: probes.factory,
  });
  return { cluster, sched, probes, stats };
}

t.test('STATIC: hosts start failed, ready() waits for the first checks, LB skips failed hosts', async (t) => {
  const { cluster, probes, stats } = build({
    endpoints: [endpoint('10.0.0.1', 80), endpoint('10.0.0.2', 80)],
    healthChecks: [hcConfig()],
  });
  const [a, b] = cluster.hosts();
  t.equal(a!.healthFlags, HealthFlag.FailedActiveHc);
  t.equal(b!.healthFlags, HealthFlag.FailedActiveHc);
  let ready = false;
  void cluster.ready().then(() => {
    ready = true;
  });
  probes.of(a!).respond(CheckResult.Success);
  await new Promise((r) => setImmediate(r));
  t.notOk(ready, 'one host still unchecked');
  probes.of(b!).respond(CheckResult.Failed);
  await withTimeout(cluster.ready(), 1000, 'ready');
  t.equal(stats.membershipHealthy.value, 1);
  t.equal(stats.healthCheck.healthy.value, 1);
  for (let i = 0; i < 10; i++) t.equal(cluster.chooseHost(NO_CTX), a, 'only the healthy host');

  cluster.onImmediateHealthCheckFail(a!);
  t.equal(a!.healthFlags, HealthFlag.FailedActiveHc | HealthFlag.ExcludedViaImmediateHcFail);
  t.equal(stats.healthCheck.passiveFailure.value, 1);
  t.equal(stats.membershipHealthy.value, 0, 'membership follows at once');
  await cluster.close();
  t.ok(probes.of(a!).closed && probes.of(b!).closed, 'close() stops the checker');
});

t.test('without health checks the immediate-fail header is ignored and nothing is checked', async (t) => {
  const { cluster, probes, sched } = build({ endpoints: [endpoint('10.0.0.1', 80)] });
  const [a] = cluster.hosts();
  t.equal(a!.healthFlags, 0);
  cluster.onImmediateHealthCheckFail(a!);
  t.equal(a!.healthFlags, 0);
  t.equal(probes.byHost.size, 0);
  t.equal(sched.pending(), 0);
  await withTimeout(cluster.ready(), 1000, 'ready');
  await cluster.close();
});

t.test('STRICT_DNS: sessions follow the host set', async (t) => {
  let answer = ['10.0.0.1', '10.0.0.2'];
  const resolver: DnsResolver = { resolve: async () => answer };
  const { cluster, probes } = build(
    { type: 'STRICT_DNS', endpoints: [endpoint('svc.local', 80)], healthChecks: [hcConfig()] },
    resolver,
  );
  const readyP = cluster.ready();
  await new Promise((r) => setImmediate(r));
  const [a, b] = cluster.hosts();
  t.equal(cluster.hosts().length, 2);
  probes.of(a!).respond(CheckResult.Success);
  probes.of(b!).respond(CheckResult.Success);
  await withTimeout(readyP, 1000, 'ready after DNS and first checks');
  answer = ['10.0.0.2', '10.0.0.3'];
  await cluster.refreshDns();
  const c = cluster.hosts().find((h) => h.address === '10.0.0.3')!;
  t.ok(probes.of(a!).closed, 'session of the removed host stopped');
  t.notOk(probes.of(b!).closed, 'kept host keeps its session');
  t.equal(c.healthFlags, HealthFlag.FailedActiveHc, 'new host starts failed');
  t.equal(probes.of(c).starts, 1, 'and is checked at once');
  await cluster.close();
});
