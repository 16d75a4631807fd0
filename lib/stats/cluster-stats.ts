import type { Counter, Gauge, Histogram } from './cells.js';
import { bindCircuitBreakerStats } from './circuit-breaker-stats.js';
import type { Families } from './families.js';
import { bindHealthCheckStats, HEALTH_CHECK } from './health-check-stats.js';
import { bindOutlierDetectionStats, OUTLIER_DETECTION } from './outlier-stats.js';
import { ResponseCodeCells } from './response-code-cells.js';
import type { StatDef } from './stat-def.js';
import type { CircuitBreakerStats, ClusterStats, HealthCheckStats, OutlierDetectionStats } from './types.js';

const L = ['envoy_cluster_name'] as const;

function c(name: string, help: string): StatDef {
  return { name: `envoy_cluster_${name}`, type: 'counter', help, labels: L };
}
function g(name: string, help: string): StatDef {
  return { name: `envoy_cluster_${name}`, type: 'gauge', help, labels: L };
}

/** `cluster.<name>.*` stats, keyed by the ClusterStats field that owns each. */
export const CLUSTER = {
  upstreamRqTotal: c('upstream_rq_total', 'Total requests sent upstream'),
  upstreamRqActive: g('upstream_rq_active', 'Requests currently in flight upstream'),
  upstreamRqPendingOverflow: c(
    'upstream_rq_pending_overflow',
    'Requests that overflowed a circuit breaker (pending or requests) and failed',
  ),
  upstreamRqTimeout: c('upstream_rq_timeout', 'Requests that timed out waiting for a response'),
  upstreamRqPerTryTimeout: c('upstream_rq_per_try_timeout', 'Attempts that hit the per-try timeout'),
  upstreamRqPerTryIdleTimeout: c(
    'upstream_rq_per_try_idle_timeout',
    'Attempts that hit the per-try idle timeout',
  ),
  upstreamRqRetry: c('upstream_rq_retry', 'Retries scheduled'),
  upstreamRqRetrySuccess: c('upstream_rq_retry_success', 'Retried requests that then got a final response'),
  upstreamRqRetryOverflow: c(
    'upstream_rq_retry_overflow',
    'Retries skipped because the retry circuit breaker or budget was full',
  ),
  upstreamRqRetryLimitExceeded: c(
    'upstream_rq_retry_limit_exceeded',
    'Requests that wanted another retry after num_retries were spent',
  ),
  retryOrShadowAbandoned: c(
    'retry_or_shadow_abandoned',
    'Requests whose body outgrew the retry buffer, so they could no longer be retried',
  ),
  upstreamRqRxReset: c('upstream_rq_rx_reset', 'Requests reset by the upstream'),
  upstreamRqTxReset: c('upstream_rq_tx_reset', 'Requests reset locally'),
  upstreamRqCancelled: c('upstream_rq_cancelled', 'Requests cancelled before a connection was obtained'),
  upstreamCxTotal: c('upstream_cx_total', 'Total upstream connections opened'),
  upstreamCxActive: g('upstream_cx_active', 'Upstream connections currently open'),
  upstreamCxConnectFail: c('upstream_cx_connect_fail', 'Upstream connection failures'),
  upstreamCxConnectTimeout: c('upstream_cx_connect_timeout', 'Upstream connection attempts that timed out'),
  upstreamCxNoneHealthy: c(
    'upstream_cx_none_healthy',
    'Times a connection was not established because no host was healthy',
  ),
  upstreamCxDestroyRemoteWithActiveRq: c(
    'upstream_cx_destroy_remote_with_active_rq',
    'Upstream connections closed by the remote side with requests in flight',
  ),
  upstreamRqTime: {
    name: 'envoy_cluster_upstream_rq_time',
    type: 'histogram',
    help: 'Upstream request time, request start to last response byte (ms)',
    labels: L,
  },
  membershipHealthy: g(
    'membership_healthy',
    'Hosts currently healthy (active health check and outlier detection)',
  ),
  membershipTotal: g('membership_total', 'Hosts currently in the cluster'),
  upstreamRqByCode: {
    name: 'envoy_cluster_upstream_rq',
    type: 'counter',
    help: 'Upstream responses by status code (Envoy upstream_rq_<code>)',
    labels: ['envoy_response_code', 'envoy_cluster_name'],
  },
  upstreamRqByClass: {
    name: 'envoy_cluster_upstream_rq_xx',
    type: 'counter',
    help: 'Upstream responses by status class (Envoy upstream_rq_<N>xx)',
    labels: ['envoy_response_code_class', 'envoy_cluster_name'],
  },
  upstreamRqCompleted: c('upstream_rq_completed', 'Upstream requests that completed with a response'),
  ...OUTLIER_DETECTION,
  ...HEALTH_CHECK,
  upstreamCxOverflow: c(
    'upstream_cx_overflow',
    'Times max_connections stopped a new connection (the request waited as pending)',
  ),
  upstreamRqPendingTotal: c('upstream_rq_pending_total', 'Requests that waited for a connection'),
  upstreamRqPendingActive: g('upstream_rq_pending_active', 'Requests currently waiting for a connection'),
  originalDstHostInvalid: c(
    'original_dst_host_invalid',
    'ORIGINAL_DST requests whose destination header value was not a valid host[:port]',
  ),
  upstreamCxConnectMs: {
    name: 'envoy_cluster_upstream_cx_connect_ms',
    type: 'histogram',
    help: 'Upstream connection establishment time, TCP and TLS (ms)',
    labels: L,
  },
  upstreamCxLengthMs: {
    name: 'envoy_cluster_upstream_cx_length_ms',
    type: 'histogram',
    help: 'Upstream connection length, connected to closed (ms)',
    labels: L,
  },
  lbHealthyPanic: c('lb_healthy_panic', 'Load balancer picks made in panic mode (too few healthy hosts)'),
  upstreamCxRxBytesTotal: c(
    'upstream_cx_rx_bytes_total',
    'Bytes received from upstream connections (tcp_proxy)',
  ),
  upstreamCxTxBytesTotal: c('upstream_cx_tx_bytes_total', 'Bytes sent on upstream connections (tcp_proxy)'),
} as const satisfies Record<string, StatDef>;

export const CLUSTER_STATS: readonly StatDef[] = Object.values(CLUSTER);

/** One cluster's cells, bound once; the cluster keeps this object across config reloads. */
export class BoundClusterStats implements ClusterStats {
  readonly upstreamRqTotal: Counter;
  readonly upstreamRqActive: Gauge;
  readonly upstreamRqPendingOverflow: Counter;
  readonly upstreamRqTimeout: Counter;
  readonly upstreamRqPerTryTimeout: Counter;
  readonly upstreamRqPerTryIdleTimeout: Counter;
  readonly upstreamRqRetry: Counter;
  readonly upstreamRqRetrySuccess: Counter;
  readonly upstreamRqRetryOverflow: Counter;
  readonly upstreamRqRetryLimitExceeded: Counter;
  readonly retryOrShadowAbandoned: Counter;
  readonly upstreamRqRxReset: Counter;
  readonly upstreamRqTxReset: Counter;
  readonly upstreamRqCancelled: Counter;
  readonly upstreamCxTotal: Counter;
  readonly upstreamCxActive: Gauge;
  readonly upstreamCxConnectFail: Counter;
  readonly upstreamCxConnectTimeout: Counter;
  readonly upstreamCxNoneHealthy: Counter;
  readonly upstreamCxDestroyRemoteWithActiveRq: Counter;
  readonly upstreamRqTime: Histogram;
  readonly upstreamCxConnectMs: Histogram;
  readonly upstreamCxLengthMs: Histogram;
  readonly lbHealthyPanic: Counter;
  readonly membershipHealthy: Gauge;
  readonly membershipTotal: Gauge;
  readonly outlierDetection: OutlierDetectionStats;
  private readonly families: Families;
  private readonly labelValues: readonly string[];
  private hc: HealthCheckStats | null = null;
  private readonly completed: Counter;
  private readonly codes: ResponseCodeCells;
  readonly upstreamCxOverflow: Counter;
  readonly upstreamRqPendingTotal: Counter;
  readonly upstreamRqPendingActive: Gauge;
  private readonly name: string;
  private odInvalid: Counter | null = null;
  readonly upstreamCxRxBytesTotal: Counter;
  readonly upstreamCxTxBytesTotal: Counter;

  constructor(f: Families, name: string) {
    const v = [name];
    this.upstreamRqTotal = f.counter(CLUSTER.upstreamRqTotal, v);
    this.upstreamRqActive = f.gauge(CLUSTER.upstreamRqActive, v);
    this.upstreamRqPendingOverflow = f.counter(CLUSTER.upstreamRqPendingOverflow, v);
    this.upstreamRqTimeout = f.counter(CLUSTER.upstreamRqTimeout, v);
    this.upstreamRqPerTryTimeout = f.counter(CLUSTER.upstreamRqPerTryTimeout, v);
    this.upstreamRqPerTryIdleTimeout = f.counter(CLUSTER.upstreamRqPerTryIdleTimeout, v);
    this.upstreamRqRetry = f.counter(CLUSTER.upstreamRqRetry, v);
    this.upstreamRqRetrySuccess = f.counter(CLUSTER.upstreamRqRetrySuccess, v);
    this.upstreamRqRetryOverflow = f.counter(CLUSTER.upstreamRqRetryOverflow, v);
    this.upstreamRqRetryLimitExceeded = f.counter(CLUSTER.upstreamRqRetryLimitExceeded, v);
    this.retryOrShadowAbandoned = f.counter(CLUSTER.retryOrShadowAbandoned, v);
    this.upstreamRqRxReset = f.counter(CLUSTER.upstreamRqRxReset, v);
    this.upstreamRqTxReset = f.counter(CLUSTER.upstreamRqTxReset, v);
    this.upstreamRqCancelled = f.counter(CLUSTER.upstreamRqCancelled, v);
    this.upstreamCxTotal = f.counter(CLUSTER.upstreamCxTotal, v);
    this.upstreamCxActive = f.gauge(CLUSTER.upstreamCxActive, v);
    this.upstreamCxConnectFail = f.counter(CLUSTER.upstreamCxConnectFail, v);
    this.upstreamCxConnectTimeout = f.counter(CLUSTER.upstreamCxConnectTimeout, v);
    this.upstreamCxNoneHealthy = f.counter(CLUSTER.upstreamCxNoneHealthy, v);
    this.upstreamCxDestroyRemoteWithActiveRq = f.counter(CLUSTER.upstreamCxDestroyRemoteWithActiveRq, v);
    this.upstreamRqTime = f.histogram(CLUSTER.upstreamRqTime, v);
    this.upstreamCxConnectMs = f.histogram(CLUSTER.upstreamCxConnectMs, v);
    this.upstreamCxLengthMs = f.histogram(CLUSTER.upstreamCxLengthMs, v);
    this.lbHealthyPanic = f.counter(CLUSTER.lbHealthyPanic, v);
    this.membershipHealthy = f.gauge(CLUSTER.membershipHealthy, v);
    this.membershipTotal = f.gauge(CLUSTER.membershipTotal, v);
    this.completed = f.counter(CLUSTER.upstreamRqCompleted, v);
    this.outlierDetection = bindOutlierDetectionStats(f, v);
    this.families = f;
    this.labelValues = v;
    this.codes = new ResponseCodeCells(
      (code) => f.counter(CLUSTER.upstreamRqByCode, [String(code), name]),
      (cls) => f.counter(CLUSTER.upstreamRqByClass, [String(cls), name]),
    );
    this.upstreamCxOverflow = f.counter(CLUSTER.upstreamCxOverflow, v);
    this.upstreamRqPendingTotal = f.counter(CLUSTER.upstreamRqPendingTotal, v);
    this.upstreamRqPendingActive = f.gauge(CLUSTER.upstreamRqPendingActive, v);
    this.name = name;
    this.upstreamCxRxBytesTotal = f.counter(CLUSTER.upstreamCxRxBytesTotal, v);
    this.upstreamCxTxBytesTotal = f.counter(CLUSTER.upstreamCxTxBytesTotal, v);
  }

  /** Bound on first use, so only ORIGINAL_DST clusters that saw a bad header expose it. */
  get originalDstHostInvalid(): Counter {
    this.odInvalid ??= this.families.counter(CLUSTER.originalDstHostInvalid, this.labelValues);
    return this.odInvalid;
  }

  circuitBreakers(priority: 'DEFAULT' | 'HIGH', trackRemaining: boolean): CircuitBreakerStats {
    return bindCircuitBreakerStats(this.families, this.name, priority, trackRemaining);
  }

  /** Bound on first use, so clusters without an active health check expose no such series. */
  get healthCheck(): HealthCheckStats {
    if (this.hc === null) this.hc = bindHealthCheckStats(this.families, this.labelValues);
    return this.hc;
  }

  recordResponse(statusCode: number): void {
    this.completed.inc();
    this.codes.record(statusCode);
  }

  /** Called when the cluster's series were dropped from the registry. */
  detach(): void {
    this.codes.detach();
  }
}
