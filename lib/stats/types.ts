/**
 * Stat cells the data path touches. Each is bound to its labels once (at config load), so the
 * hot path only calls inc/dec/observe and never builds a name.
 */
export interface CounterCell {
  inc(n?: number): void;
}

export interface GaugeCell {
  inc(n?: number): void;
  dec(n?: number): void;
  set(v: number): void;
}

export interface HistogramCell {
  observe(v: number): void;
}

/** `cluster.<name>.*` stats, Prometheus names `envoy_cluster_*{envoy_cluster_name}`. */
export interface ClusterStats {
  readonly upstreamRqTotal: CounterCell;
  readonly upstreamRqActive: GaugeCell;
  readonly upstreamRqPendingOverflow: CounterCell;
  readonly upstreamRqTimeout: CounterCell;
  readonly upstreamRqPerTryTimeout: CounterCell;
  readonly upstreamRqPerTryIdleTimeout: CounterCell;
  readonly upstreamRqRetry: CounterCell;
  readonly upstreamRqRetrySuccess: CounterCell;
  readonly upstreamRqRetryOverflow: CounterCell;
  readonly upstreamRqRetryLimitExceeded: CounterCell;
  readonly retryOrShadowAbandoned: CounterCell;
  readonly upstreamRqRxReset: CounterCell;
  readonly upstreamRqTxReset: CounterCell;
  readonly upstreamRqCancelled: CounterCell;
  readonly upstreamCxTotal: CounterCell;
  readonly upstreamCxActive: GaugeCell;
  readonly upstreamCxConnectFail: CounterCell;
  readonly upstreamCxConnectTimeout: CounterCell;
  readonly upstreamCxNoneHealthy: CounterCell;
  readonly upstreamCxDestroyRemoteWithActiveRq: CounterCell;
  readonly upstreamRqTime: HistogramCell;
  readonly membershipHealthy: GaugeCell;
  readonly membershipTotal: GaugeCell;
  /** Counts one completed upstream response: `upstream_rq_<code>`, `upstream_rq_<N>xx`, `upstream_rq_completed`. */
  recordResponse(statusCode: number): void;
  /** `cluster.<name>.outlier_detection.*`. */
  readonly outlierDetection: OutlierDetectionStats;
  /** `health_check.*`; untouched when the cluster has no active health check. */
  readonly healthCheck: HealthCheckStats;
  /** A new connection was wanted but the cluster's max_connections was reached. */
  readonly upstreamCxOverflow: CounterCell;
  /** Requests that had to wait for a connection. */
  readonly upstreamRqPendingTotal: CounterCell;
  readonly upstreamRqPendingActive: GaugeCell;
  /** ORIGINAL_DST: the destination header held no valid `host[:port]`; absent in test fakes. */
  readonly originalDstHostInvalid?: CounterCell;
  /** `circuit_breakers.<default|high>.*` gauges; `remaining_*` are bound only with track_remaining. */
  circuitBreakers(priority: 'DEFAULT' | 'HIGH', trackRemaining: boolean): CircuitBreakerStats;
  /** Connection establishment time (ms); absent in test fakes. */
  readonly upstreamCxConnectMs?: HistogramCell;
  /** Connection lifetime, connected to closed (ms); absent in test fakes. */
  readonly upstreamCxLengthMs?: HistogramCell;
  /** Load balancer picks made in panic mode; absent in test fakes. */
  readonly lbHealthyPanic?: CounterCell;
  /** Bytes received from upstream connections (counted by the tcp_proxy); absent in test fakes. */
  readonly upstreamCxRxBytesTotal?: CounterCell;
  /** Bytes sent on upstream connections (counted by the tcp_proxy); absent in test fakes. */
  readonly upstreamCxTxBytesTotal?: CounterCell;
}

/**
 * `cluster.<name>.outlier_detection.*`, Prometheus `envoy_cluster_outlier_detection_*`. `detected`
 * counts every outlier found; `enforced` only those actually ejected (after max % and enforcing %).
 */
export interface OutlierDetectionStats {
  readonly ejectionsActive: GaugeCell;
  readonly ejectionsOverflow: CounterCell;
  readonly ejectionsEnforcedTotal: CounterCell;
  readonly ejectionsEnforcedConsecutive5xx: CounterCell;
  readonly ejectionsDetectedConsecutive5xx: CounterCell;
  readonly ejectionsEnforcedConsecutiveGatewayFailure: CounterCell;
  readonly ejectionsDetectedConsecutiveGatewayFailure: CounterCell;
  readonly ejectionsEnforcedConsecutiveLocalOriginFailure: CounterCell;
  readonly ejectionsDetectedConsecutiveLocalOriginFailure: CounterCell;
  readonly ejectionsEnforcedSuccessRate: CounterCell;
  readonly ejectionsDetectedSuccessRate: CounterCell;
  readonly ejectionsEnforcedLocalOriginSuccessRate: CounterCell;
  readonly ejectionsDetectedLocalOriginSuccessRate: CounterCell;
  readonly ejectionsEnforcedFailurePercentage: CounterCell;
  readonly ejectionsDetectedFailurePercentage: CounterCell;
  readonly ejectionsEnforcedLocalOriginFailurePercentage: CounterCell;
  readonly ejectionsDetectedLocalOriginFailurePercentage: CounterCell;
}

/** `cluster.<name>.health_check.*`, Prometheus `envoy_cluster_health_check_*{envoy_cluster_name}`. */
export interface HealthCheckStats {
  readonly attempt: CounterCell;
  readonly success: CounterCell;
  readonly failure: CounterCell;
  readonly networkFailure: CounterCell;
  readonly passiveFailure: CounterCell;
  readonly verifyCluster: CounterCell;
  readonly healthy: GaugeCell;
  readonly degraded: GaugeCell;
}

/** Gauges of one cluster's breakers at one priority: `*_open` is 0 (closed) or 1 (open). */
export interface CircuitBreakerStats {
  readonly cxOpen: GaugeCell;
  readonly cxPoolOpen: GaugeCell;
  readonly rqPendingOpen: GaugeCell;
  readonly rqOpen: GaugeCell;
  readonly rqRetryOpen: GaugeCell;
  /** The `remaining_*` gauges; null unless track_remaining. */
  readonly remainingCx: GaugeCell | null;
  readonly remainingPending: GaugeCell | null;
  readonly remainingRq: GaugeCell | null;
  readonly remainingRetries: GaugeCell | null;
}

/** `http.<stat_prefix>.*` stats, Prometheus `envoy_http_*{envoy_http_conn_manager_prefix}`. */
export interface HttpConnectionManagerStats {
  readonly downstreamCxTotal: CounterCell;
  readonly downstreamCxActive: GaugeCell;
  readonly downstreamCxProtocolError: CounterCell;
  readonly downstreamRqTotal: CounterCell;
  readonly downstreamRqActive: GaugeCell;
  readonly downstreamRqTime: HistogramCell;
  readonly downstreamRqRxReset: CounterCell;
  readonly downstreamRqTxReset: CounterCell;
  readonly noRoute: CounterCell;
  readonly noCluster: CounterCell;
  readonly rqDirectResponse: CounterCell;
  readonly rqRedirect: CounterCell;
  /** `downstream_rq_<N>xx` plus `downstream_rq_completed`. */
  recordResponse(statusCode: number): void;
}

/** `listener.<address>.*` stats, `envoy_listener_*{envoy_listener_address}`. */
export interface ListenerStats {
  readonly downstreamCxTotal: CounterCell;
  readonly downstreamCxActive: GaugeCell;
}

/** `tcp.<stat_prefix>.*` stats of the tcp_proxy, Prometheus `envoy_tcp_*{envoy_tcp_prefix}`. */
export interface TcpProxyStats {
  readonly downstreamCxTotal: CounterCell;
  readonly downstreamCxNoRoute: CounterCell;
  readonly downstreamCxRxBytesTotal: CounterCell;
  readonly downstreamCxTxBytesTotal: CounterCell;
  readonly idleTimeout: CounterCell;
  readonly maxDownstreamConnectionDuration: CounterCell;
}
