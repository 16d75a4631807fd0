import t from 'tap';
import { OUTLIER_DEFAULTS } from '../../../lib/config/envoy/cluster-outlier-detection.js';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { OutlierDetectionConfig } from '../../../lib/config/model.js';
import { minimal } from './fixtures.js';

const OD = 'static_resources.clusters[0].outlier_detection';

/** minimal() with `outlier_detection: <flow>` appended to its one cluster. */
function withOutlier(flow: string): string {
  return `${minimal()}    outlier_detection: ${flow}\n`;
}

function decode(flow: string): OutlierDetectionConfig | null {
  const r = loadConfigText(withOutlier(flow), 'od.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.bootstrap.clusters[0]!.outlierDetection;
}

function issues(flow: string): string[] {
  const r = loadConfigText(withOutlier(flow), 'od.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

t.test('no outlier_detection → null; an empty one gets every Envoy default', async (t) => {
  const r = loadConfigText(minimal(), 'od.yaml');
  t.ok(r.ok);
  if (r.ok) t.equal(r.bootstrap.clusters[0]!.outlierDetection, null);
  t.equal(decode('null'), null, 'null is unset, as in protobuf JSON');
  const d = decode('{}');
  t.same(d, OUTLIER_DEFAULTS);
  t.same(d, {
    consecutive5xx: 5,
    consecutiveGatewayFailure: 5,
    consecutiveLocalOriginFailure: 5,
    splitExternalLocalOriginErrors: false,
    intervalMs: 10_000,
    baseEjectionTimeMs: 30_000,
    maxEjectionTimeMs: 300_000,
    maxEjectionTimeJitterMs: 0,
    maxEjectionPercent: 10,
    alwaysEjectOneHost: false,
    enforcingConsecutive5xx: 100,
    enforcingConsecutiveGatewayFailure: 0,
    enforcingConsecutiveLocalOriginFailure: 100,
    enforcingSuccessRate: 100,
    enforcingLocalOriginSuccessRate: 100,
    enforcingFailurePercentage: 0,
    enforcingFailurePercentageLocalOrigin: 0,
    successRateMinimumHosts: 5,
    successRateRequestVolume: 100,
    successRateStdevFactor: 1900,
    failurePercentageThreshold: 85,
    failurePercentageMinimumHosts: 5,
    failurePercentageRequestVolume: 50,
    successfulActiveHealthCheckUnejectHost: true,
  });
});

t.test('every field decodes (snake_case and lowerCamelCase)', async (t) => {
  const d = decode(`{
      consecutive_5xx: 3, consecutiveGatewayFailure: 4, consecutive_local_origin_failure: "6",
      split_external_local_origin_errors: true, interval: 0.2s, base_ejection_time: 1s,
      max_ejection_time: {seconds: 10}, max_ejection_time_jitter: 0.5s, max_ejection_percent: 100,
      always_eject_one_host: true, enforcing_consecutive_5xx: 90, enforcing_consecutive_gateway_failure: 80,
      enforcing_consecutive_local_origin_failure: 70, enforcing_success_rate: 60,
      enforcing_local_origin_success_rate: 50, enforcing_failure_percentage: 40,
      enforcing_failure_percentage_local_origin: 30, success_rate_minimum_hosts: 2,
      success_rate_request_volume: 20, success_rate_stdev_factor: 1000, failure_percentage_threshold: 75,
      failure_percentage_minimum_hosts: 3, failure_percentage_request_volume: 10,
      successful_active_health_check_uneject_host: false }`);
  t.same(d, {
    consecutive5xx: 3,
    consecutiveGatewayFailure: 4,
    consecutiveLocalOriginFailure: 6,
    splitExternalLocalOriginErrors: true,
    intervalMs: 200,
    baseEjectionTimeMs: 1000,
    maxEjectionTimeMs: 10_000,
    maxEjectionTimeJitterMs: 500,
    maxEjectionPercent: 100,
    alwaysEjectOneHost: true,
    enforcingConsecutive5xx: 90,
    enforcingConsecutiveGatewayFailure: 80,
    enforcingConsecutiveLocalOriginFailure: 70,
    enforcingSuccessRate: 60,
    enforcingLocalOriginSuccessRate: 50,
    enforcingFailurePercentage: 40,
    enforcingFailurePercentageLocalOrigin: 30,
    successRateMinimumHosts: 2,
    successRateRequestVolume: 20,
    successRateStdevFactor: 1000,
    failurePercentageThreshold: 75,
    failurePercentageMinimumHosts: 3,
    failurePercentageRequestVolume: 10,
    successfulActiveHealthCheckUnejectHost: false,
  });
});

t.test('max_ejection_time defaults to 300s or base_ejection_time, whichever is larger', async (t) => {
  t.equal(decode('{base_ejection_time: 600s}')!.maxEjectionTimeMs, 600_000);
  t.equal(decode('{base_ejection_time: 10s}')!.maxEjectionTimeMs, 300_000);
  t.equal(decode('{base_ejection_time: 10s, max_ejection_time: 10s}')!.maxEjectionTimeMs, 10_000);
});

t.test('each kind of bad input is reported with its field path', async (t) => {
  const cases: Array<[string, string]> = [
    [
      '5',
      `${OD.slice(0, -'.outlier_detection'.length)}.outlier_detection: expected an object, got a number (5)`,
    ],
    ['{bogus: 1}', `${OD}: unknown field "bogus"`],
    ['{monitors: {}}', `${OD}.monitors: monitors is not supported yet`],
    ['{max_ejection_percent: 101}', `${OD}.max_ejection_percent: 101 is out of range; must be 0–100`],
    [
      '{enforcing_consecutive_5xx: 150}',
      `${OD}.enforcing_consecutive_5xx: 150 is out of range; must be 0–100`,
    ],
    [
      '{failure_percentage_threshold: 200}',
      `${OD}.failure_percentage_threshold: 200 is out of range; must be 0–100`,
    ],
    ['{consecutive_5xx: -1}', `${OD}.consecutive_5xx: -1 is out of range; must be at least 0`],
    ['{consecutive_5xx: five}', `${OD}.consecutive_5xx: expected an integer, got a string ("five")`],
    [
      '{success_rate_stdev_factor: 1.9}',
      `${OD}.success_rate_stdev_factor: expected an integer, got a number (1.9)`,
    ],
    [
      '{split_external_local_origin_errors: "yes"}',
      `${OD}.split_external_local_origin_errors: expected a boolean, got a string ("yes")`,
    ],
    ['{interval: 0s}', `${OD}.interval: must be greater than 0s`],
    ['{base_ejection_time: 0s}', `${OD}.base_ejection_time: must be greater than 0s`],
    [
      '{interval: 10}',
      `${OD}.interval: invalid duration 10: expected a string of seconds such as "10s" (protobuf Duration)`,
    ],
    [
      '{max_ejection_time_jitter: -1s}',
      `${OD}.max_ejection_time_jitter: invalid duration "-1s": must not be negative`,
    ],
    [
      '{base_ejection_time: 60s, max_ejection_time: 30s}',
      `${OD}.max_ejection_time: must not be smaller than base_ejection_time`,
    ],
  ];
  for (const [flow, expected] of cases) t.same(issues(flow), [`od.yaml: ${expected}`], flow);
});
