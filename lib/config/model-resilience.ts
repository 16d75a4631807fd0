/** Cluster health and resilience settings of the internal model (re-exported by model.ts). */
import type { HeaderValueOption, StringMatcherConfig } from './model.js';

/** Envoy `SlowStartConfig`: a newly healthy host's weight ramps up over the window. */
export interface SlowStartConfig {
  /** `slow_start_window` in ms (> 0). */
  readonly windowMs: number;
  /** `aggression.default_value`, default 1.0 (linear); always > 0. */
  readonly aggression: number;
  /** `min_weight_percent.value` / 100, default 0.1. */
  readonly minWeightFraction: number;
}

/**
 * `Cluster.outlier_detection` with Envoy's defaults filled in. Durations in ms, percentages 0–100,
 * `successRateStdevFactor` as written (1900 = 1.9). Invariant: `maxEjectionTimeMs ≥ baseEjectionTimeMs`.
 */
export interface OutlierDetectionConfig {
  readonly consecutive5xx: number;
  readonly consecutiveGatewayFailure: number;
  readonly consecutiveLocalOriginFailure: number;
  readonly splitExternalLocalOriginErrors: boolean;
  readonly intervalMs: number;
  readonly baseEjectionTimeMs: number;
  readonly maxEjectionTimeMs: number;
  readonly maxEjectionTimeJitterMs: number;
  readonly maxEjectionPercent: number;
  readonly alwaysEjectOneHost: boolean;
  readonly enforcingConsecutive5xx: number;
  readonly enforcingConsecutiveGatewayFailure: number;
  readonly enforcingConsecutiveLocalOriginFailure: number;
  readonly enforcingSuccessRate: number;
  readonly enforcingLocalOriginSuccessRate: number;
  readonly enforcingFailurePercentage: number;
  readonly enforcingFailurePercentageLocalOrigin: number;
  readonly successRateMinimumHosts: number;
  readonly successRateRequestVolume: number;
  readonly successRateStdevFactor: number;
  readonly failurePercentageThreshold: number;
  readonly failurePercentageMinimumHosts: number;
  readonly failurePercentageRequestVolume: number;
  readonly successfulActiveHealthCheckUnejectHost: boolean;
}

/** One Envoy `HealthCheck`: timings in ms, Envoy's defaults applied. */
export interface HealthCheckConfig {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** `initial_jitter`, default 0: random delay before a host's first check. */
  readonly initialJitterMs: number;
  /** `interval_jitter`, default 0: random [0, jitter) added to every interval. */
  readonly intervalJitterMs: number;
  /** `interval_jitter_percent`, default 0: random [0, interval·pct/100) added as well. */
  readonly intervalJitterPercent: number;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
  /** Default true: one connection per host kept between checks. */
  readonly reuseConnection: boolean;
  /** Default 60000; used while the cluster has never had traffic. */
  readonly noTrafficIntervalMs: number;
  /** Default = noTrafficIntervalMs; for healthy hosts while there is no traffic. */
  readonly noTrafficHealthyIntervalMs: number;
  /** Default = intervalMs. */
  readonly unhealthyIntervalMs: number;
  /** Default = unhealthyIntervalMs: after a failure that has not yet made the host unhealthy. */
  readonly unhealthyEdgeIntervalMs: number;
  /** Default = intervalMs: after a success that has not yet made the host healthy. */
  readonly healthyEdgeIntervalMs: number;
  /** Decoded; the health check event log is not written yet. */
  readonly alwaysLogHealthCheckFailures: boolean;
  /** `event_log_path` or null; decoded, not written yet. */
  readonly eventLogPath: string | null;
  readonly checker: HttpHealthCheckConfig | TcpHealthCheckConfig;
}

/** Half-open status range `[start, end)` (Envoy `Int64Range`). */
export interface StatusRange {
  readonly start: number;
  readonly end: number;
}

/** `http_health_check` (HTTP/1.1 only for now). */
export interface HttpHealthCheckConfig {
  readonly kind: 'http';
  /** `host`; null = the cluster name. */
  readonly host: string | null;
  readonly path: string;
  /** Upper-case method, default GET. */
  readonly method: string;
  /** Literal values (no `%COMMAND%` substitution in health checks). */
  readonly requestHeadersToAdd: readonly HeaderValueOption[];
  readonly requestHeadersToRemove: readonly string[];
  /** Default `[{start: 200, end: 201}]`. */
  readonly expectedStatuses: readonly StatusRange[];
  readonly retriableStatuses: readonly StatusRange[];
  /** `service_name_matcher` against `x-envoy-upstream-healthchecked-cluster`; null = none. */
  readonly serviceNameMatcher: StringMatcherConfig | null;
}

/** `tcp_health_check`: payloads as lower-case hex (binary payloads are converted). */
export interface TcpHealthCheckConfig {
  readonly kind: 'tcp';
  /** null = connect only. */
  readonly send: string | null;
  /** Chunks that must all appear, in order, in what the host sends back. */
  readonly receive: readonly string[];
}

/** One priority's circuit-breaker thresholds (the first `thresholds[]` entry for it wins). */
export interface CircuitBreakerThresholdsConfig {
  /** Default 1024, cluster-wide. */
  readonly maxConnections: number;
  /** Default 1024. */
  readonly maxPendingRequests: number;
  /** Default 1024. */
  readonly maxRequests: number;
  /** Default 3; replaced by `retryBudget` when that is set. */
  readonly maxRetries: number;
  /** `retry_budget`, null when unset. */
  readonly retryBudget: RetryBudgetConfig | null;
  /** Publish the `remaining_*` gauges; default false. */
  readonly trackRemaining: boolean;
  /** Null = unlimited (Envoy's default). */
  readonly maxConnectionPools: number | null;
}

/** Concurrent retries allowed = max(minRetryConcurrency, budgetPercent % of active + pending requests). */
export interface RetryBudgetConfig {
  /** Default 20 (percent). */
  readonly budgetPercent: number;
  /** Default 3. */
  readonly minRetryConcurrency: number;
}

/** Thresholds for the two routing priorities Envoy has. */
export interface CircuitBreakersConfig {
  readonly default: CircuitBreakerThresholdsConfig;
  readonly high: CircuitBreakerThresholdsConfig;
}
