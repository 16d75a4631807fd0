/** `outlier_detection` and `circuit_breakers` of a cluster (non-default values only). */
import type {
  CircuitBreakersConfig,
  CircuitBreakerThresholdsConfig,
  OutlierDetectionConfig,
} from '../../model.js';
import { DEFAULT_THRESHOLDS } from '../cluster-circuit-breakers.js';
import { OUTLIER_DEFAULTS } from '../cluster-outlier-detection.js';
import { duration, fields, type Json, unless } from './format.js';

// Model field → proto field, in proto order; durations are the ones ending in Ms.
const OUTLIER_FIELDS: ReadonlyArray<readonly [keyof OutlierDetectionConfig, string]> = [
  ['consecutive5xx', 'consecutive_5xx'],
  ['intervalMs', 'interval'],
  ['baseEjectionTimeMs', 'base_ejection_time'],
  ['maxEjectionPercent', 'max_ejection_percent'],
  ['enforcingConsecutive5xx', 'enforcing_consecutive_5xx'],
  ['enforcingSuccessRate', 'enforcing_success_rate'],
  ['successRateMinimumHosts', 'success_rate_minimum_hosts'],
  ['successRateRequestVolume', 'success_rate_request_volume'],
  ['successRateStdevFactor', 'success_rate_stdev_factor'],
  ['consecutiveGatewayFailure', 'consecutive_gateway_failure'],
  ['enforcingConsecutiveGatewayFailure', 'enforcing_consecutive_gateway_failure'],
  ['splitExternalLocalOriginErrors', 'split_external_local_origin_errors'],
  ['consecutiveLocalOriginFailure', 'consecutive_local_origin_failure'],
  ['enforcingConsecutiveLocalOriginFailure', 'enforcing_consecutive_local_origin_failure'],
  ['enforcingLocalOriginSuccessRate', 'enforcing_local_origin_success_rate'],
  ['failurePercentageThreshold', 'failure_percentage_threshold'],
  ['enforcingFailurePercentage', 'enforcing_failure_percentage'],
  ['enforcingFailurePercentageLocalOrigin', 'enforcing_failure_percentage_local_origin'],
  ['failurePercentageMinimumHosts', 'failure_percentage_minimum_hosts'],
  ['failurePercentageRequestVolume', 'failure_percentage_request_volume'],
  ['maxEjectionTimeMs', 'max_ejection_time'],
  ['maxEjectionTimeJitterMs', 'max_ejection_time_jitter'],
  ['successfulActiveHealthCheckUnejectHost', 'successful_active_health_check_uneject_host'],
  ['alwaysEjectOneHost', 'always_eject_one_host'],
];

/** `cluster.v3.OutlierDetection`; `{}` when every value is Envoy's default (detection still on). */
export function encodeOutlierDetection(o: OutlierDetectionConfig): Json {
  // Unset, max_ejection_time is max(300s, base_ejection_time).
  const defaults: OutlierDetectionConfig = {
    ...OUTLIER_DEFAULTS,
    maxEjectionTimeMs: Math.max(OUTLIER_DEFAULTS.maxEjectionTimeMs, o.baseEjectionTimeMs),
  };
  const out: Json = {};
  for (const [key, proto] of OUTLIER_FIELDS) {
    const v = o[key];
    if (v === defaults[key]) continue;
    out[proto] = key.endsWith('Ms') && typeof v === 'number' ? duration(v) : v;
  }
  return out;
}

function sameThresholds(a: CircuitBreakerThresholdsConfig, b: CircuitBreakerThresholdsConfig): boolean {
  return (
    a.maxConnections === b.maxConnections &&
    a.maxPendingRequests === b.maxPendingRequests &&
    a.maxRequests === b.maxRequests &&
    a.maxRetries === b.maxRetries &&
    a.trackRemaining === b.trackRemaining &&
    a.maxConnectionPools === b.maxConnectionPools &&
    a.retryBudget?.budgetPercent === b.retryBudget?.budgetPercent &&
    a.retryBudget?.minRetryConcurrency === b.retryBudget?.minRetryConcurrency
  );
}

function encodeThresholds(priority: 'DEFAULT' | 'HIGH', t: CircuitBreakerThresholdsConfig): Json {
  const d = DEFAULT_THRESHOLDS;
  const rb = t.retryBudget;
  return fields({
    priority,
    max_connections: unless(t.maxConnections, d.maxConnections),
    max_pending_requests: unless(t.maxPendingRequests, d.maxPendingRequests),
    max_requests: unless(t.maxRequests, d.maxRequests),
    max_retries: unless(t.maxRetries, d.maxRetries),
    retry_budget:
      rb === null
        ? undefined
        : fields({
            budget_percent: rb.budgetPercent === 20 ? undefined : { value: rb.budgetPercent },
            min_retry_concurrency: unless(rb.minRetryConcurrency, 3),
          }),
    track_remaining: t.trackRemaining ? true : undefined,
    max_connection_pools: t.maxConnectionPools ?? undefined,
  });
}

/** `cluster.v3.CircuitBreakers`, or undefined when both priorities hold Envoy's defaults. */
export function encodeCircuitBreakers(cb: CircuitBreakersConfig): Json | undefined {
  const thresholds: Json[] = [];
  if (!sameThresholds(cb.default, DEFAULT_THRESHOLDS))
    thresholds.push(encodeThresholds('DEFAULT', cb.default));
  if (!sameThresholds(cb.high, DEFAULT_THRESHOLDS)) thresholds.push(encodeThresholds('HIGH', cb.high));
  return thresholds.length === 0 ? undefined : { thresholds };
}
