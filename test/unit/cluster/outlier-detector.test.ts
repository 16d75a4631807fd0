import t from 'tap';
import { OutlierResult } from '../../../lib/cluster/types.js';
import { outlierRig, respond } from './outlier-fixtures.js';

t.test('consecutive 5xx: the Nth in a row ejects, a success in between resets the streak', async (t) => {
  const rig = outlierRig();
  respond(rig, 0, 500, 4);
  respond(rig, 0, 200);
  respond(rig, 0, 500, 4);
  t.notOk(rig.ejected(0), 'a 2xx reset the streak');
  t.equal(rig.changes, 0);
  respond(rig, 0, 500);
  t.ok(rig.ejected(0), 'ejected at the 5th consecutive 5xx');
  t.notOk(rig.ejected(1));
  t.equal(rig.changes, 1, 'the cluster was told once');
  const s = rig.stats;
  t.equal(s.ejectionsDetectedConsecutive5xx.value, 1);
  t.equal(s.ejectionsEnforcedConsecutive5xx.value, 1);
  t.equal(s.ejectionsEnforcedTotal.value, 1);
  t.equal(s.ejectionsActive.value, 1);
  t.equal(rig.detector.activeEjections(), 1);
  respond(rig, 0, 500, 10);
  t.equal(s.ejectionsDetectedConsecutive5xx.value, 1, 'reports while ejected detect nothing more');
  t.equal(rig.scheduler.lastMs, 10_000, 'the sweep runs every interval');
});

t.test('gateway failures: detected at 0 % enforcing (the default) but not ejected', async (t) => {
  const rig = outlierRig({ consecutive5xx: 10 });
  respond(rig, 0, 502, 2);
  respond(rig, 0, 500);
  respond(rig, 0, 503, 4);
  t.equal(
    rig.stats.ejectionsDetectedConsecutiveGatewayFailure.value,
    0,
    'a plain 500 reset the gateway streak',
  );
  respond(rig, 0, 504);
  t.equal(rig.stats.ejectionsDetectedConsecutiveGatewayFailure.value, 1);
  t.equal(rig.stats.ejectionsEnforcedConsecutiveGatewayFailure.value, 0);
  t.notOk(rig.ejected(0), 'enforcing_consecutive_gateway_failure 0 only detects');
  t.equal(rig.stats.ejectionsOverflow.value, 0);
  respond(rig, 0, 503, 3);
  t.ok(rig.ejected(0), 'the 10th consecutive 5xx still ejects');
  t.equal(rig.stats.ejectionsEnforcedConsecutive5xx.value, 1);
});

t.test('gateway failures eject when enforced', async (t) => {
  const rig = outlierRig({ enforcingConsecutiveGatewayFailure: 100, consecutiveGatewayFailure: 3 });
  respond(rig, 1, 503, 3);
  t.ok(rig.ejected(1));
  t.equal(rig.stats.ejectionsEnforcedConsecutiveGatewayFailure.value, 1);
  t.equal(rig.stats.ejectionsDetectedConsecutive5xx.value, 0);
});

t.test('enforcing percentages roll the injected Random', async (t) => {
  // The first roll (60) misses 50 %, the second (10) hits.
  const rig = outlierRig({ enforcingConsecutive5xx: 50 }, 2, [60, 10]);
  respond(rig, 0, 500, 5);
  t.notOk(rig.ejected(0));
  t.equal(rig.stats.ejectionsDetectedConsecutive5xx.value, 1);
  respond(rig, 0, 500, 5);
  t.ok(rig.ejected(0), 'the streak restarted after the miss and the next roll hit');
  t.same(rig.random.asked, [100, 100]);
});

t.test('non-split mode: local-origin results count as 503 / 504', async (t) => {
  const rig = outlierRig();
  const m = rig.hosts[0]!.outlier;
  for (let i = 0; i < 4; i++) {
    m.putResult(OutlierResult.LocalOriginConnectFailed);
    m.putResult(OutlierResult.LocalOriginConnectSuccess);
  }
  t.equal(rig.monitor(0).consecutive5xx, 4, 'a bare connect success is not counted');
  m.putResult(OutlierResult.LocalOriginTimeout);
  t.ok(rig.ejected(0));
  t.equal(rig.stats.ejectionsDetectedConsecutiveGatewayFailure.value, 1, '503 and 504 are gateway errors');
  t.equal(rig.stats.ejectionsEnforcedConsecutive5xx.value, 1);

  const other = rig.hosts[1]!.outlier;
  other.putResult(OutlierResult.ExtOriginRequestFailed);
  t.equal(rig.monitor(1).consecutive5xx, 1);
  t.equal(rig.monitor(1).consecutiveGatewayFailure, 0, 'ExtOriginRequestFailed maps to 500');
  other.putResult(OutlierResult.LocalOriginConnectSuccessFinal);
  t.equal(rig.monitor(1).consecutive5xx, 0, 'a final success maps to 200');
  t.equal(rig.monitor(1).consecutiveLocalOriginFailure, 0);
});

t.test('split mode: local-origin failures have their own streak and type', async (t) => {
  const rig = outlierRig({ splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailure: 3 });
  const m = rig.hosts[0]!.outlier;
  m.putResult(OutlierResult.LocalOriginConnectFailed);
  m.putResult(OutlierResult.LocalOriginTimeout);
  m.putResult(OutlierResult.LocalOriginConnectSuccess);
  t.equal(rig.monitor(0).consecutiveLocalOriginFailure, 0, 'a connect success resets the local streak');
  respond(rig, 0, 503, 4);
  for (let i = 0; i < 3; i++) m.putResult(OutlierResult.LocalOriginConnectFailed);
  t.equal(rig.monitor(0).consecutive5xx, 4, 'local-origin failures leave the 5xx streak alone');
  t.ok(rig.ejected(0));
  t.equal(rig.stats.ejectionsEnforcedConsecutiveLocalOriginFailure.value, 1);
  t.equal(rig.stats.ejectionsDetectedConsecutive5xx.value, 0);
  rig.hosts[1]!.outlier.putResult(OutlierResult.ExtOriginRequestFailed);
  t.equal(rig.monitor(1).consecutiveGatewayFailure, 1, 'ExtOriginRequestFailed counts as a 503 when split');
});

t.test('max_ejection_percent counts the host about to be ejected', async (t) => {
  const ten = outlierRig({ maxEjectionPercent: 10 }, 10);
  respond(ten, 0, 500, 5);
  t.ok(ten.ejected(0), '100 × 1 / 10 = 10 ≤ 10');
  respond(ten, 1, 500, 5);
  t.notOk(ten.ejected(1), '100 × 2 / 10 = 20 > 10');
  t.equal(ten.stats.ejectionsOverflow.value, 1);
  t.equal(ten.stats.ejectionsDetectedConsecutive5xx.value, 2, 'an overflow is still a detection');
  respond(ten, 1, 500, 5);
  t.equal(ten.stats.ejectionsOverflow.value, 2, 'the streak was reset, so it overflows again 5 later');

  const five = outlierRig({ maxEjectionPercent: 10 }, 5);
  respond(five, 0, 500, 5);
  t.notOk(five.ejected(0), 'with the default 10 % and fewer than 10 hosts nothing is ejected');
  t.equal(five.stats.ejectionsOverflow.value, 1);

  const half = outlierRig({ maxEjectionPercent: 50 }, 2);
  respond(half, 0, 500, 5);
  respond(half, 1, 500, 5);
  t.ok(half.ejected(0));
  t.notOk(half.ejected(1));
});

t.test('always_eject_one_host allows the first ejection whatever the percentage', async (t) => {
  const rig = outlierRig({ maxEjectionPercent: 10, alwaysEjectOneHost: true }, 5);
  respond(rig, 0, 500, 5);
  t.ok(rig.ejected(0));
  respond(rig, 1, 500, 5);
  t.notOk(rig.ejected(1), 'only while nothing else is ejected');
  t.equal(rig.stats.ejectionsOverflow.value, 1);
  const zero = outlierRig({ maxEjectionPercent: 0, alwaysEjectOneHost: true }, 3);
  respond(zero, 2, 500, 5);
  t.ok(zero.ejected(2));
});

t.test('a host returns after base × ejections, capped by max_ejection_time', async (t) => {
  const rig = outlierRig({ intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionTimeMs: 50_000 });
  respond(rig, 0, 500, 5);
  rig.sweepAt(10_000);
  rig.sweepAt(20_000);
  t.ok(rig.ejected(0), 'still out before base_ejection_time');
  t.equal(rig.changes, 1);
  rig.sweepAt(30_000);
  t.notOk(rig.ejected(0), 'back after 30s');
  t.equal(rig.changes, 2, 'the return was reported');
  t.equal(rig.stats.ejectionsActive.value, 0);
  t.equal(rig.monitor(0).consecutive5xx, 0, 'streaks are cleared on return');

  respond(rig, 0, 500, 5);
  t.ok(rig.ejected(0), 'ejected a second time at 30s');
  rig.sweepAt(79_999);
  t.ok(rig.ejected(0), 'min(2 × 30s, 50s) = 50s: still out just before 80s');
  rig.sweepAt(80_000);
  t.notOk(rig.ejected(0), 'back after the 50s cap');
  t.equal(rig.monitor(0).numEjections, 2);
});

t.test('the ejection multiplier decays by one per sweep spent in service', async (t) => {
  const rig = outlierRig({ intervalMs: 10_000, baseEjectionTimeMs: 10_000, maxEjectionTimeMs: 300_000 });
  respond(rig, 0, 500, 5);
  rig.sweepAt(10_000);
  t.notOk(rig.ejected(0));
  respond(rig, 0, 500, 5);
  t.equal(rig.monitor(0).backoff, 2);
  rig.sweepAt(20_000);
  t.ok(rig.ejected(0), '2 × 10s: not back after 10s');
  rig.sweepAt(30_000);
  t.notOk(rig.ejected(0));
  t.equal(rig.monitor(0).backoff, 2, 'no decay on the sweep that returned it');
  rig.sweepAt(40_000);
  t.equal(rig.monitor(0).backoff, 1);
  rig.sweepAt(50_000);
  t.equal(rig.monitor(0).backoff, 0);
  rig.sweepAt(60_000);
  t.equal(rig.monitor(0).backoff, 0, 'never below zero');
  respond(rig, 0, 500, 5);
  rig.sweepAt(70_000);
  t.notOk(rig.ejected(0), 'the next ejection lasts base_ejection_time again');
});

t.test('the multiplier stops growing once base × multiplier passes the cap', async (t) => {
  const rig = outlierRig({ intervalMs: 1000, baseEjectionTimeMs: 1000, maxEjectionTimeMs: 2000 });
  let now = 0;
  for (let i = 0; i < 5; i++) {
    respond(rig, 0, 500, 5);
    now += 2000;
    rig.sweepAt(now);
    t.notOk(rig.ejected(0), `back within the 2s cap (ejection ${i + 1})`);
  }
  t.equal(rig.monitor(0).backoff, 3, 'grows while backoff × base < max + base');
});

t.test('max_ejection_time_jitter adds a random extra time drawn at ejection', async (t) => {
  const rig = outlierRig(
    { intervalMs: 1000, baseEjectionTimeMs: 1000, maxEjectionTimeJitterMs: 500 },
    2,
    [400],
  );
  respond(rig, 0, 500, 5);
  t.same(rig.random.asked, [501], 'jitter in [0, 500] ms');
  rig.sweepAt(1000);
  t.ok(rig.ejected(0));
  rig.sweepAt(1399);
  t.ok(rig.ejected(0));
  rig.sweepAt(1400);
  t.notOk(rig.ejected(0));
});

t.test('success rate: hosts below mean − factor × stdev are ejected', async (t) => {
  const rig = outlierRig({ successRateRequestVolume: 10 }, 6);
  // Host 0: 50 %, hosts 1–4: 100 %, host 5: too few requests to count.
  respond(rig, 0, 200, 5);
  respond(rig, 0, 500, 1);
  respond(rig, 0, 200, 1);
  respond(rig, 0, 500, 1);
  respond(rig, 0, 200, 1);
  respond(rig, 0, 500, 1);
  respond(rig, 0, 503, 2);
  for (let i = 1; i <= 4; i++) respond(rig, i, 200, 10);
  respond(rig, 5, 500, 4);
  t.notOk(rig.ejected(0), 'success rate is judged on the sweep only');
  rig.sweepAt(10_000);
  t.ok(rig.ejected(0), '50 < 90 − 1.9 × 20 = 52');
  t.notOk(rig.ejected(5));
  t.equal(rig.stats.ejectionsDetectedSuccessRate.value, 1);
  t.equal(rig.stats.ejectionsEnforcedSuccessRate.value, 1);
  t.equal(rig.changes, 1);
  rig.sweepAt(20_000);
  t.equal(rig.stats.ejectionsDetectedSuccessRate.value, 1, 'a quiet interval judges nothing');
});

t.test('success rate needs success_rate_minimum_hosts hosts with enough volume', async (t) => {
  const rig = outlierRig({ successRateRequestVolume: 10, consecutive5xx: 1000 }, 5);
  respond(rig, 0, 500, 10);
  for (let i = 1; i <= 3; i++) respond(rig, i, 200, 10);
  respond(rig, 4, 200, 9);
  rig.sweepAt(10_000);
  t.notOk(rig.ejected(0), 'only 4 hosts reached the request volume');
  t.equal(rig.stats.ejectionsDetectedSuccessRate.value, 0);
  const off = outlierRig({ successRateRequestVolume: 10, enforcingSuccessRate: 0, consecutive5xx: 1000 }, 5);
  off.hosts[0]!.outlier.putHttpResponseCode(200);
  respond(off, 0, 200, 4);
  respond(off, 0, 503, 5);
  for (let i = 1; i <= 4; i++) respond(off, i, 200, 10);
  off.sweepAt(10_000);
  t.equal(off.stats.ejectionsDetectedSuccessRate.value, 1);
  t.notOk(off.ejected(0), 'enforcing_success_rate 0 only detects');
});

t.test('failure percentage: hosts at or above the threshold are ejected when enforced', async (t) => {
  const cfg = {
    successRateMinimumHosts: 100,
    failurePercentageRequestVolume: 20,
    failurePercentageMinimumHosts: 3,
    enforcingFailurePercentage: 100,
    consecutive5xx: 1000,
  };
  const rig = outlierRig(cfg, 4);
  respond(rig, 0, 200, 3);
  respond(rig, 0, 500, 17);
  respond(rig, 1, 200, 5);
  respond(rig, 1, 500, 15);
  for (let i = 2; i <= 3; i++) respond(rig, i, 200, 20);
  rig.sweepAt(10_000);
  t.ok(rig.ejected(0), '85 % failures ≥ 85');
  t.notOk(rig.ejected(1), '75 % failures < 85');
  t.equal(rig.stats.ejectionsEnforcedFailurePercentage.value, 1);
  t.equal(rig.stats.ejectionsDetectedSuccessRate.value, 0, 'too few hosts for success rate');
});

t.test('failure percentage is detect-only by default', async (t) => {
  const rig = outlierRig(
    { successRateMinimumHosts: 100, failurePercentageRequestVolume: 10, consecutive5xx: 1000 },
    5,
  );
  respond(rig, 0, 200);
  respond(rig, 0, 500, 9);
  for (let i = 1; i <= 4; i++) respond(rig, i, 200, 10);
  rig.sweepAt(10_000);
  t.equal(rig.stats.ejectionsDetectedFailurePercentage.value, 1);
  t.notOk(rig.ejected(0));
});

t.test('local-origin success rate uses the split local-origin counts', async (t) => {
  const rig = outlierRig(
    {
      splitExternalLocalOriginErrors: true,
      successRateRequestVolume: 10,
      consecutiveLocalOriginFailure: 100,
    },
    5,
  );
  for (let k = 0; k < 10; k++) {
    rig.hosts[0]!.outlier.putResult(
      k % 2 === 0 ? OutlierResult.LocalOriginConnectFailed : OutlierResult.LocalOriginConnectSuccess,
    );
  }
  for (let i = 1; i <= 4; i++) {
    for (let k = 0; k < 10; k++) rig.hosts[i]!.outlier.putResult(OutlierResult.LocalOriginConnectSuccess);
  }
  rig.sweepAt(10_000);
  t.ok(rig.ejected(0));
  t.equal(rig.stats.ejectionsEnforcedLocalOriginSuccessRate.value, 1);
  t.equal(rig.stats.ejectionsDetectedSuccessRate.value, 0);
});

t.test('uneject(): a passing active health check returns the host at once', async (t) => {
  const rig = outlierRig();
  respond(rig, 0, 500, 5);
  rig.hosts[0]!.outlier.uneject();
  t.notOk(rig.ejected(0));
  t.equal(rig.changes, 2);
  t.equal(rig.stats.ejectionsActive.value, 0);
  rig.hosts[1]!.outlier.uneject();
  t.equal(rig.changes, 2, 'a host that is not ejected is left alone');

  const keep = outlierRig({ successfulActiveHealthCheckUnejectHost: false });
  respond(keep, 0, 500, 5);
  keep.hosts[0]!.outlier.uneject();
  t.ok(keep.ejected(0), 'successful_active_health_check_uneject_host: false keeps it out');
});

t.test('hosts leaving the set and stop()', async (t) => {
  const rig = outlierRig({}, 3);
  respond(rig, 0, 500, 5);
  const gone = rig.hosts[0]!;
  rig.detector.setHosts(rig.hosts.slice(1));
  t.equal(rig.detector.activeEjections(), 0, 'a removed ejected host no longer counts');
  t.equal(rig.stats.ejectionsActive.value, 0);
  respond(rig, 0, 500, 20);
  t.equal(rig.stats.ejectionsDetectedConsecutive5xx.value, 1, 'its late reports are ignored');
  t.notOk(gone.outlier === rig.hosts[1]!.outlier);
  respond(rig, 1, 500, 5);
  t.equal(rig.stats.ejectionsActive.value, 1);
  rig.detector.stop();
  t.equal(rig.scheduler.pending, null, 'the sweep was cancelled');
  t.equal(rig.stats.ejectionsActive.value, 0, 'the shared gauge gives back this detector’s ejections');
  respond(rig, 2, 500, 5);
  t.notOk(rig.ejected(2), 'nothing is ejected after stop');
});
