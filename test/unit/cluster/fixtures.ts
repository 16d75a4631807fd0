import type { Cluster, Host, HostCounters } from '../../../lib/cluster/types.js';
import { HealthFlag, NO_PASSIVE_HEALTH } from '../../../lib/cluster/types.js';
import { DEFAULT_CIRCUIT_BREAKERS } from '../../../lib/config/envoy/cluster-circuit-breakers.js';
import type { ClusterConfig, EndpointConfig, HealthStatus } from '../../../lib/config/model.js';
// The real cells are plain numbers already; the fixtures read their `value` directly.
import { Counter as FakeCounter, Gauge as FakeGauge } from '../../../lib/stats/cells.js';
import type {
  CircuitBreakerStats,
  ClusterStats,
  CounterCell,
  GaugeCell,
  HealthCheckStats,
  HistogramCell,
  OutlierDetectionStats,
} from '../../../lib/stats/types.js';

export { FakeCounter, FakeGauge };

class FakeHistogram implements HistogramCell {
  readonly values: number[] = [];
  observe(v: number): void {
    this.values.push(v);
  }
}

export type FakeClusterStats = {
  [K in Exclude<keyof ClusterStats, 'healthCheck'>]: ClusterStats[K] extends GaugeCell
    ? FakeGauge
    : ClusterStats[K] extends CounterCell
      ? FakeCounter
      : ClusterStats[K];
} & { readonly healthCheck: FakeHealthCheckStats };

/** Circuit-breaker gauges as plain cells the tests read. */
export interface FakeCircuitBreakerStats extends CircuitBreakerStats {
  readonly cxOpen: FakeGauge;
  readonly cxPoolOpen: FakeGauge;
  readonly rqPendingOpen: FakeGauge;
  readonly rqOpen: FakeGauge;
  readonly rqRetryOpen: FakeGauge;
  readonly remainingCx: FakeGauge | null;
  readonly remainingPending: FakeGauge | null;
  readonly remainingRq: FakeGauge | null;
  readonly remainingRetries: FakeGauge | null;
}

export function fakeCircuitBreakerStats(trackRemaining: boolean): FakeCircuitBreakerStats {
  const r = () => (trackRemaining ? new FakeGauge() : null);
  return {
    cxOpen: new FakeGauge(),
    cxPoolOpen: new FakeGauge(),
    rqPendingOpen: new FakeGauge(),
    rqOpen: new FakeGauge(),
    rqRetryOpen: new FakeGauge(),
    remainingCx: r(),
    remainingPending: r(),
    remainingRq: r(),
    remainingRetries: r(),
  };
}

export function fakeClusterStats(): FakeClusterStats & {
  readonly breakers: Map<string, FakeCircuitBreakerStats>;
} {
  const breakers = new Map<string, FakeCircuitBreakerStats>();
  return {
    breakers,
    upstreamCxOverflow: new FakeCounter(),
    upstreamRqPendingTotal: new FakeCounter(),
    upstreamRqPendingActive: new FakeGauge(),
    circuitBreakers: (priority, trackRemaining) => {
      const s = fakeCircuitBreakerStats(trackRemaining);
      breakers.set(priority, s);
      return s;
    },
    upstreamRqTotal: new FakeCounter(),
    upstreamRqActive: new FakeGauge(),
    upstreamRqPendingOverflow: new FakeCounter(),
    upstreamRqTimeout: new FakeCounter(),
    upstreamRqPerTryTimeout: new FakeCounter(),
    upstreamRqPerTryIdleTimeout: new FakeCounter(),
    upstreamRqRetry: new FakeCounter(),
    upstreamRqRetrySuccess: new FakeCounter(),
    upstreamRqRetryOverflow: new FakeCounter(),
    upstreamRqRetryLimitExceeded: new FakeCounter(),
    retryOrShadowAbandoned: new FakeCounter(),
    upstreamRqRxReset: new FakeCounter(),
    upstreamRqTxReset: new FakeCounter(),
    upstreamRqCancelled: new FakeCounter(),
    upstreamCxTotal: new FakeCounter(),
    upstreamCxActive: new FakeGauge(),
    upstreamCxConnectFail: new FakeCounter(),
    upstreamCxConnectTimeout: new FakeCounter(),
    upstreamCxNoneHealthy: new FakeCounter(),
    upstreamCxDestroyRemoteWithActiveRq: new FakeCounter(),
    upstreamRqTime: new FakeHistogram(),
    membershipHealthy: new FakeGauge(),
    membershipTotal: new FakeGauge(),
    recordResponse: () => {},
    outlierDetection: fakeOutlierStats(),
    healthCheck: fakeHealthCheckStats(),
    originalDstHostInvalid: new FakeCounter(),
    upstreamCxConnectMs: new FakeHistogram(),
    upstreamCxLengthMs: new FakeHistogram(),
    lbHealthyPanic: new FakeCounter(),
    upstreamCxRxBytesTotal: new FakeCounter(),
    upstreamCxTxBytesTotal: new FakeCounter(),
  };
}

/** Outlier detection cells by name, each a real counter/gauge whose `value` tests read. */
export type FakeOutlierStats = {
  [K in keyof OutlierDetectionStats]: OutlierDetectionStats[K] extends GaugeCell ? FakeGauge : FakeCounter;
};

export function fakeOutlierStats(): FakeOutlierStats {
  return {
    ejectionsActive: new FakeGauge(),
    ejectionsOverflow: new FakeCounter(),
    ejectionsEnforcedTotal: new FakeCounter(),
    ejectionsEnforcedConsecutive5xx: new FakeCounter(),
    ejectionsDetectedConsecutive5xx: new FakeCounter(),
    ejectionsEnforcedConsecutiveGatewayFailure: new FakeCounter(),
    ejectionsDetectedConsecutiveGatewayFailure: new FakeCounter(),
    ejectionsEnforcedConsecutiveLocalOriginFailure: new FakeCounter(),
    ejectionsDetectedConsecutiveLocalOriginFailure: new FakeCounter(),
    ejectionsEnforcedSuccessRate: new FakeCounter(),
    ejectionsDetectedSuccessRate: new FakeCounter(),
    ejectionsEnforcedLocalOriginSuccessRate: new FakeCounter(),
    ejectionsDetectedLocalOriginSuccessRate: new FakeCounter(),
    ejectionsEnforcedFailurePercentage: new FakeCounter(),
    ejectionsDetectedFailurePercentage: new FakeCounter(),
    ejectionsEnforcedLocalOriginFailurePercentage: new FakeCounter(),
    ejectionsDetectedLocalOriginFailurePercentage: new FakeCounter(),
  };
}

/** Health checker cells whose values tests read. */
export interface FakeHealthCheckStats extends HealthCheckStats {
  readonly attempt: FakeCounter;
  readonly success: FakeCounter;
  readonly failure: FakeCounter;
  readonly networkFailure: FakeCounter;
  readonly passiveFailure: FakeCounter;
  readonly verifyCluster: FakeCounter;
  readonly healthy: FakeGauge;
  readonly degraded: FakeGauge;
}

export function fakeHealthCheckStats(): FakeHealthCheckStats {
  return {
    attempt: new FakeCounter(),
    success: new FakeCounter(),
    failure: new FakeCounter(),
    networkFailure: new FakeCounter(),
    passiveFailure: new FakeCounter(),
    verifyCluster: new FakeCounter(),
    healthy: new FakeGauge(),
    degraded: new FakeGauge(),
  };
}

export function endpoint(address: string, port: number, over: Partial<EndpointConfig> = {}): EndpointConfig {
  return {
    address: { address, port },
    weight: 1,
    healthStatus: 'UNKNOWN',
    locality: { region: '', zone: '', subZone: '' },
    priority: 0,
    hostname: '',
    labels: {},
    ...over,
  };
}

export function clusterConfig(over: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    name: 'backend',
    type: 'STATIC',
    connectTimeoutMs: 5000,
    lbPolicy: 'ROUND_ROBIN',
    endpoints: [],
    dnsRefreshRateMs: 5000,
    dnsLookupFamily: 'AUTO',
    idleTimeoutMs: 3_600_000,
    maxRequestsPerConnection: 0,
    perConnectionBufferLimitBytes: 1024 * 1024,
    leastRequestChoiceCount: 2,
    ringHash: { minimumRingSize: 1024, maximumRingSize: 8_388_608 },
    maglevTableSize: 65537,
    healthyPanicThresholdPercent: 50,
    upstreamProtocol: 'http1',
    eds: null,
    outlierDetection: null,
    healthChecks: [],
    circuitBreakers: DEFAULT_CIRCUIT_BREAKERS,
    ...over,
  };
}

/** A host for load balancer tests: no pool, mutable health and load. */
export interface FakeHost extends Host {
  setHealthy(ok: boolean): void;
}

export function fakeHost(
  index: number,
  opts: { weight?: number; priority?: number; healthy?: boolean } = {},
): FakeHost {
  const counters: HostCounters = {
    activeRequests: 0,
    rqTotal: 0,
    rqSuccess: 0,
    rqError: 0,
    rqTimeout: 0,
    cxTotal: 0,
    cxActive: 0,
    cxConnectFail: 0,
  };
  const address = `10.0.${index >> 8}.${index & 255}`;
  const edsHealthStatus: HealthStatus = 'HEALTHY';
  const host: FakeHost = {
    cluster: undefined as unknown as Cluster,
    outlier: NO_PASSIVE_HEALTH,
    address,
    port: 8080,
    authority: `${address}:8080`,
    hostname: '',
    weight: opts.weight ?? 1,
    priority: opts.priority ?? 0,
    labels: {},
    locality: { region: '', zone: '', subZone: '' },
    healthFlags: opts.healthy === false ? HealthFlag.FailedActiveHc : 0,
    edsHealthStatus,
    healthy() {
      return (this.healthFlags & (HealthFlag.FailedActiveHc | HealthFlag.FailedOutlierCheck)) === 0;
    },
    setHealthy(ok: boolean) {
      this.healthFlags = ok ? 0 : HealthFlag.FailedActiveHc;
    },
    dispatcher() {
      throw new Error('fake host has no pool');
    },
    counters,
  };
  return host;
}

export function fakeHosts(n: number, opts: { weight?: number; priority?: number } = {}): FakeHost[] {
  return Array.from({ length: n }, (_, i) => fakeHost(i + 1, opts));
}

/** Rejects after `ms` so no test can hang on a missing event. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
