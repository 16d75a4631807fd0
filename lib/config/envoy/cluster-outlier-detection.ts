import type { OutlierDetectionConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { OUTLIER_DETECTION_RULES } from './field-rules.js';

/** Envoy's defaults (`outlier_detection.proto`, `DetectorConfig`). */
export const OUTLIER_DEFAULTS: OutlierDetectionConfig = {
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
};

/** A Duration field that protobuf validates as `gt: 0s`. */
function positiveDuration(r: FieldReader, name: string, fallback: number): number {
  const ms = r.duration(name);
  if (ms === undefined) return fallback;
  if (ms <= 0) {
    r.error(name, 'must be greater than 0s');
    return fallback;
  }
  return ms;
}

function percent(r: FieldReader, name: string, fallback: number): number {
  return r.int(name, 0, 100) ?? fallback;
}

function count(r: FieldReader, name: string, fallback: number): number {
  return r.int(name) ?? fallback;
}

/** Decodes `Cluster.outlier_detection`; null when the cluster has none. */
export function readOutlierDetection(cluster: FieldReader): OutlierDetectionConfig | null {
  const r = cluster.object('outlier_detection');
  if (r === undefined) return null;
  const d = OUTLIER_DEFAULTS;
  const baseEjectionTimeMs = positiveDuration(r, 'base_ejection_time', d.baseEjectionTimeMs);
  // Unset, the cap is 300s or base_ejection_time, whichever is larger (Envoy's DetectorConfig).
  const maxEjectionTimeMs = positiveDuration(
    r,
    'max_ejection_time',
    Math.max(d.maxEjectionTimeMs, baseEjectionTimeMs),
  );
  if (r.has('max_ejection_time') && maxEjectionTimeMs < baseEjectionTimeMs) {
    r.error('max_ejection_time', 'must not be smaller than base_ejection_time');
  }
  const cfg: OutlierDetectionConfig = {
    consecutive5xx: count(r, 'consecutive_5xx', d.consecutive5xx),
    consecutiveGatewayFailure: count(r, 'consecutive_gateway_failure', d.consecutiveGatewayFailure),
    consecutiveLocalOriginFailure: count(
      r,
      'consecutive_local_origin_failure',
      d.consecutiveLocalOriginFailure,
    ),
    splitExternalLocalOriginErrors:
      r.bool('split_external_local_origin_errors') ?? d.splitExternalLocalOriginErrors,
    intervalMs: positiveDuration(r, 'interval', d.intervalMs),
    baseEjectionTimeMs,
    maxEjectionTimeMs,
    maxEjectionTimeJitterMs: r.duration('max_ejection_time_jitter') ?? d.maxEjectionTimeJitterMs,
    maxEjectionPercent: percent(r, 'max_ejection_percent', d.maxEjectionPercent),
    alwaysEjectOneHost: r.bool('always_eject_one_host') ?? d.alwaysEjectOneHost,
    enforcingConsecutive5xx: percent(r, 'enforcing_consecutive_5xx', d.enforcingConsecutive5xx),
    enforcingConsecutiveGatewayFailure: percent(
      r,
      'enforcing_consecutive_gateway_failure',
      d.enforcingConsecutiveGatewayFailure,
    ),
    enforcingConsecutiveLocalOriginFailure: percent(
      r,
      'enforcing_consecutive_local_origin_failure',
      d.enforcingConsecutiveLocalOriginFailure,
    ),
    enforcingSuccessRate: percent(r, 'enforcing_success_rate', d.enforcingSuccessRate),
    enforcingLocalOriginSuccessRate: percent(
      r,
      'enforcing_local_origin_success_rate',
      d.enforcingLocalOriginSuccessRate,
    ),
    enforcingFailurePercentage: percent(r, 'enforcing_failure_percentage', d.enforcingFailurePercentage),
    enforcingFailurePercentageLocalOrigin: percent(
      r,
      'enforcing_failure_percentage_local_origin',
      d.enforcingFailurePercentageLocalOrigin,
    ),
    successRateMinimumHosts: count(r, 'success_rate_minimum_hosts', d.successRateMinimumHosts),
    successRateRequestVolume: count(r, 'success_rate_request_volume', d.successRateRequestVolume),
    successRateStdevFactor: count(r, 'success_rate_stdev_factor', d.successRateStdevFactor),
    failurePercentageThreshold: percent(r, 'failure_percentage_threshold', d.failurePercentageThreshold),
    failurePercentageMinimumHosts: count(
      r,
      'failure_percentage_minimum_hosts',
      d.failurePercentageMinimumHosts,
    ),
    failurePercentageRequestVolume: count(
      r,
      'failure_percentage_request_volume',
      d.failurePercentageRequestVolume,
    ),
    successfulActiveHealthCheckUnejectHost:
      r.bool('successful_active_health_check_uneject_host') ?? d.successfulActiveHealthCheckUnejectHost,
  };
  r.finish(OUTLIER_DETECTION_RULES);
  return cfg;
}
