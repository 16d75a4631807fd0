import t from 'tap';
import { CheckResult } from '../../../lib/cluster/health-check-probe.js';
import { HealthChecker } from '../../../lib/cluster/health-checker.js';
import { HealthFlag, type Host, type PassiveHealthMonitor } from '../../../lib/cluster/types.js';
import type { HealthCheckConfig } from '../../../lib/config/model.js';
import type { Random } from '../../../lib/util/random.js';
import { FakeProbes, FakeScheduler, fixedRandom, hcConfig } from './fake-hc.js';
import { type FakeHost, fakeHealthCheckStats, fakeHost } from './fixtures.js';

const F = HealthFlag;

function setup(over: Partial<HealthCheckConfig> = {}, opts: { random?: Random; hosts?: number } = {}) {
  const sched = new FakeScheduler();
  const probes = new FakeProbes();
  const stats = fakeHealthCheckStats();
  const traffic = { value: false };
  const changes: Host[] = [];
  const hosts: FakeHost[] = [];
  for (let i = 1; i <= (opts.hosts ?? 1); i++) {
    const h = fakeHost(i);
    // What the cluster does for a new host when it has a health checker.
    h.healthFlags = F.FailedActiveHc;
    hosts.push(h);
  }
  const checker = new HealthChecker({
    config: hcConfig(over),
    clusterName: 'backend',
    stats,
    random: opts.random ?? fixedRandom(0),
    scheduler: sched,
    probes: probes.factory,
    hadTraffic: () => traffic.value,
    onHealthChanged: (h) => changes.push(h),
  });
  checker.setHosts(hosts);
  const host = hosts[0]!;
  return { checker, sched, probes, stats, traffic, changes, hosts, host, probe: probes.of(host) };
}

t.test('start-up: a host begins failed and one passing check makes it healthy', async (t) => {
  const s = setup();
  t.equal(s.probe.starts, 1, 'first check runs at once without initial_jitter');
  t.equal(s.stats.attempt.value, 1);
  t.equal(s.stats.healthy.value, 0);
  let first = false;
  void s.checker.initialChecks().then(() => {
    first = true;
  });
  await new Promise((r) => setImmediate(r));
  t.notOk(first, 'not before');
  s.probe.respond(CheckResult.Success);
  await new Promise((r) => setImmediate(r));
  t.ok(first, 'initialChecks resolves after the first result');
  t.equal(s.host.healthFlags, 0);
  t.same(s.changes, [s.host], 'the cluster is told');
  t.equal(s.stats.success.value, 1);
  t.equal(s.stats.healthy.value, 1);
  t.equal(s.sched.delays.at(-1), 60_000, 'no traffic yet: no_traffic_healthy_interval');
});

t.test(
  'a failed first check keeps the host failed; then healthy_threshold successes are needed',
  async (t) => {
    const s = setup({ healthyThreshold: 3, healthyEdgeIntervalMs: 2000, unhealthyIntervalMs: 5000 });
    s.traffic.value = true;
    s.probe.respond(CheckResult.NetworkFailure);
    t.equal(s.host.healthFlags, F.FailedActiveHc);
    t.same(s.changes, [], 'flags did not change');
    t.equal(s.stats.failure.value, 1);
    t.equal(s.stats.networkFailure.value, 1);
    t.equal(s.sched.delays.at(-1), 5000, 'unhealthy_interval');
    s.sched.advance(5000);
    s.probe.respond(CheckResult.Success);
    t.equal(s.host.healthFlags, F.FailedActiveHc, '1 of 3');
    t.equal(s.sched.delays.at(-1), 2000, 'healthy_edge_interval while the change is pending');
    s.sched.advance(2000);
    s.probe.respond(CheckResult.Success);
    t.equal(s.host.healthFlags, F.FailedActiveHc, '2 of 3');
    s.sched.advance(2000);
    s.probe.respond(CheckResult.Success);
    t.equal(s.host.healthFlags, 0, '3 of 3: healthy');
    t.equal(s.sched.delays.at(-1), 10_000, 'interval once healthy');
    t.equal(s.stats.healthy.value, 1);
    t.equal(s.changes.length, 1);
  },
);

t.test('a success in between resets the count', async (t) => {
  const s = setup({ healthyThreshold: 2 });
  s.probe.respond(CheckResult.Failed);
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Retriable);
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.host.healthFlags, F.FailedActiveHc, 'the failure reset the success streak');
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.host.healthFlags, 0);
});

t.test('healthy host: an unexpected status fails it at once', async (t) => {
  const s = setup({ unhealthyThreshold: 3 });
  s.traffic.value = true;
  s.probe.respond(CheckResult.Success);
  s.sched.advance(10_000);
  s.probe.respond(CheckResult.Failed);
  t.equal(s.host.healthFlags, F.FailedActiveHc);
  t.equal(s.stats.healthy.value, 0);
  t.equal(s.stats.networkFailure.value, 0);
  t.equal(s.changes.length, 2);
});

t.test('network failures, timeouts and retriable statuses need unhealthy_threshold in a row', async (t) => {
  const s = setup({ unhealthyThreshold: 3, unhealthyEdgeIntervalMs: 1500, unhealthyIntervalMs: 4000 });
  s.traffic.value = true;
  s.probe.respond(CheckResult.Success);
  s.sched.advance(10_000);
  s.probe.respond(CheckResult.NetworkFailure);
  t.equal(s.host.healthFlags, 0, '1 of 3');
  t.equal(s.sched.delays.at(-1), 1500, 'unhealthy_edge_interval while pending');
  s.sched.advance(1500);
  s.probe.respond(CheckResult.Retriable);
  t.equal(s.host.healthFlags, 0, '2 of 3');
  s.sched.advance(1500);
  t.ok(s.probe.inFlight);
  s.sched.advance(1000);
  t.equal(s.probe.aborts, 1, 'the timeout aborts the probe');
  t.equal(s.host.healthFlags, F.FailedActiveHc | F.ActiveHcTimeout, '3 of 3, by a timeout');
  t.equal(s.stats.networkFailure.value, 2, 'network failure and timeout; retriable is not network');
  t.equal(s.stats.failure.value, 3);
  t.equal(s.sched.delays.at(-1), 4000, 'unhealthy_interval once failed');
  s.sched.advance(4000);
  s.probe.respond(CheckResult.Failed);
  t.equal(s.host.healthFlags, F.FailedActiveHc, 'a later non-timeout failure clears active_hc_timeout');
});

t.test('a late answer after the timeout is ignored', async (t) => {
  const s = setup();
  s.sched.advance(1000);
  t.equal(s.probe.aborts, 1);
  t.equal(s.stats.networkFailure.value, 1);
  t.throws(() => s.probe.respond(CheckResult.Success), 'the probe dropped its callback');
  t.equal(s.host.healthFlags, F.FailedActiveHc | F.ActiveHcTimeout);
});

t.test('no-traffic intervals until the cluster carries traffic', async (t) => {
  const s = setup({ noTrafficIntervalMs: 30_000, noTrafficHealthyIntervalMs: 45_000, unhealthyThreshold: 2 });
  s.probe.respond(CheckResult.Failed);
  t.equal(s.sched.delays.at(-1), 30_000, 'unhealthy, no traffic');
  s.sched.advance(30_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.sched.delays.at(-1), 30_000, 'pending change, no traffic');
  s.sched.advance(30_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.sched.delays.at(-1), 45_000, 'healthy, no traffic');
  s.traffic.value = true;
  s.sched.advance(45_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.sched.delays.at(-1), 10_000, 'traffic: interval');
});

t.test(
  'jitter: initial_jitter, interval_jitter and interval_jitter_percent from the injected Random',
  async (t) => {
    const s = setup(
      { initialJitterMs: 1000, intervalJitterMs: 200, intervalJitterPercent: 10 },
      { random: fixedRandom(0.5) },
    );
    t.equal(s.probe.starts, 0, 'waits for the initial jitter');
    t.same(s.sched.delays, [500]);
    s.sched.advance(500);
    t.equal(s.probe.starts, 1);
    s.traffic.value = true;
    s.probe.respond(CheckResult.Success);
    // 10000 + int(1000 · 0.5) + int(200 · 0.5)
    t.equal(s.sched.delays.at(-1), 10_600);
  },
);

t.test('degraded answers set degraded_active_hc and the degraded gauge', async (t) => {
  const s = setup();
  s.probe.respond(CheckResult.Degraded);
  t.equal(s.host.healthFlags, F.DegradedActiveHc, 'healthy but degraded');
  t.equal(s.stats.degraded.value, 1);
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.host.healthFlags, 0);
  t.equal(s.stats.degraded.value, 0);
  t.equal(s.changes.length, 2);
});

t.test('immediate failure from the data path', async (t) => {
  const s = setup({ healthyThreshold: 2 });
  s.probe.respond(CheckResult.Success);
  const other = fakeHost(99);
  t.notOk(s.checker.immediateFail(other), 'unknown host');
  t.ok(s.checker.immediateFail(s.host));
  t.equal(s.host.healthFlags, F.FailedActiveHc | F.ExcludedViaImmediateHcFail);
  t.equal(s.stats.passiveFailure.value, 1);
  t.equal(s.stats.failure.value, 1);
  t.equal(s.stats.healthy.value, 0);
  t.equal(s.changes.length, 2);
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.host.healthFlags, F.FailedActiveHc | F.ExcludedViaImmediateHcFail, 'needs healthy_threshold');
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(s.host.healthFlags, 0, 'both flags cleared');
});

t.test('a passing check lifts an outlier ejection', async (t) => {
  const s = setup({ healthyThreshold: 2 });
  let unejects = 0;
  const monitor: PassiveHealthMonitor = {
    putHttpResponseCode: () => {},
    putResult: () => {},
    uneject: () => {
      unejects++;
      s.host.healthFlags &= ~F.FailedOutlierCheck;
    },
  };
  (s.host as { outlier: PassiveHealthMonitor }).outlier = monitor;
  s.host.healthFlags |= F.FailedOutlierCheck;
  s.probe.respond(CheckResult.Success);
  t.equal(unejects, 1, 'first check passed: healthy by active HC, so un-ejected');
  t.equal(s.host.healthFlags, 0);
  s.host.healthFlags |= F.FailedOutlierCheck;
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(unejects, 2);
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Failed);
  s.host.healthFlags |= F.FailedOutlierCheck;
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(unejects, 2, 'still failing active HC: stays ejected');
  s.sched.advance(60_000);
  s.probe.respond(CheckResult.Success);
  t.equal(unejects, 3, 'healthy_threshold reached');
});

t.test('host set changes add and stop sessions; stop() leaves no timer or probe', async (t) => {
  const s = setup({}, { hosts: 2 });
  const [a, b] = s.hosts as [FakeHost, FakeHost];
  s.probes.of(a).respond(CheckResult.Success);
  s.probes.of(b).respond(CheckResult.Success);
  t.equal(s.stats.healthy.value, 2);
  const c = fakeHost(3);
  c.healthFlags = F.FailedActiveHc;
  s.checker.setHosts([b, c]);
  t.ok(s.probes.of(a).closed, 'removed host: probe closed');
  t.equal(s.stats.healthy.value, 1, 'removed healthy host leaves the gauge');
  t.equal(s.probes.of(c).starts, 1, 'new host checked at once');
  t.equal(s.probes.of(b).starts, 1, 'kept host keeps its schedule');
  s.checker.stop();
  t.ok(s.probes.of(b).closed && s.probes.of(c).closed);
  t.equal(s.sched.pending(), 0, 'no timer left');
  t.equal(s.stats.healthy.value, 0);
  await s.checker.initialChecks();
  s.checker.setHosts([fakeHost(4)]);
  t.equal(s.probes.byHost.size, 3, 'a stopped checker starts nothing');
});
