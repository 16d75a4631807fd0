/**
 * `ConnectionPoolSettings` → circuit breakers, timeouts and connection reuse, as istiod's
 * `applyConnectionPool` sets them. istiod applies its defaults to every outbound cluster, with
 * or without a DestinationRule: all four breakers at 2^32−1 with `track_remaining`, and the
 * mesh's 10 s connect timeout.
 */
import { DEFAULT_THRESHOLDS } from '../../envoy/cluster-circuit-breakers.js';
import { DEFAULT_CLUSTER_PROTOCOL } from '../../envoy/cluster-protocol.js';
import type { CircuitBreakersConfig, CircuitBreakerThresholdsConfig } from '../../model.js';
import type { ConnectionPoolSettings, ServicePort } from '../model.js';
import { type PolicySection, warnAt } from './effective-policy.js';
import type { TranslateSink } from './types.js';

/** 2^32−1: what istiod writes for "no limit" (`math.MaxUint32`). */
export const ISTIO_UNLIMITED = 4_294_967_295;

/** Mesh config `connectTimeout` default. */
export const ISTIO_CONNECT_TIMEOUT_MS = 10_000;

/**
 * istiod's `getDefaultCircuitBreakerThresholds` (Envoy's `max_retries: 3` caused 503s during
 * rollouts, so Istio lifts every limit).
 */
export const ISTIO_THRESHOLDS: CircuitBreakerThresholdsConfig = {
  maxConnections: ISTIO_UNLIMITED,
  maxPendingRequests: ISTIO_UNLIMITED,
  maxRequests: ISTIO_UNLIMITED,
  maxRetries: ISTIO_UNLIMITED,
  retryBudget: null,
  trackRemaining: true,
  maxConnectionPools: null,
};

/** Istio's breakers without a DestinationRule: one DEFAULT-priority entry; HIGH keeps Envoy's. */
export const ISTIO_CIRCUIT_BREAKERS: CircuitBreakersConfig = {
  default: ISTIO_THRESHOLDS,
  high: DEFAULT_THRESHOLDS,
};

/** The connection fields of a cluster that a DestinationRule decides. */
export interface PoolSettings {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxRequestsPerConnection: number;
  readonly circuitBreakers: CircuitBreakersConfig;
  readonly upstreamProtocol: 'http1' | 'http2';
}

// Ports whose protocol istiod always serves over HTTP/2 upstream (`IsHTTP2`).
const H2_PROTOCOLS = new Set(['HTTP2', 'GRPC', 'GRPC-WEB']);

/** The pool settings of an outbound cluster on `port` under the effective `connectionPool`. */
export function applyConnectionPool(
  pool: PolicySection<ConnectionPoolSettings> | null,
  port: ServicePort,
  sink: TranslateSink,
): PoolSettings {
  const tcp = pool?.value.tcp ?? null;
  const http = pool?.value.http ?? null;
  // Istio cannot tell 0 from unset in these int32 fields, so 0 keeps the default (its FIXME).
  const thresholds: CircuitBreakerThresholdsConfig = {
    ...ISTIO_THRESHOLDS,
    maxConnections: positiveOr(tcp?.maxConnections, ISTIO_UNLIMITED),
    maxPendingRequests: positiveOr(http?.http1MaxPendingRequests, ISTIO_UNLIMITED),
    maxRequests: positiveOr(http?.http2MaxRequests, ISTIO_UNLIMITED),
    maxRetries: positiveOr(http?.maxRetries, ISTIO_UNLIMITED),
  };
  let upstreamProtocol: 'http1' | 'http2' = H2_PROTOCOLS.has(port.protocol.toUpperCase()) ? 'http2' : 'http1';
  if (pool !== null) upstreamProtocol = warnUnapplied(pool, upstreamProtocol, sink);
  return {
    connectTimeoutMs: tcp?.connectTimeoutMs ?? ISTIO_CONNECT_TIMEOUT_MS,
    // http.idleTimeout, else tcp.idleTimeout, else Envoy's 1 h.
    idleTimeoutMs: http?.idleTimeoutMs ?? tcp?.idleTimeoutMs ?? DEFAULT_CLUSTER_PROTOCOL.idleTimeoutMs,
    maxRequestsPerConnection: positiveOr(
      http?.maxRequestsPerConnection,
      DEFAULT_CLUSTER_PROTOCOL.maxRequestsPerConnection,
    ),
    circuitBreakers: { ...ISTIO_CIRCUIT_BREAKERS, default: thresholds },
    upstreamProtocol,
  };
}

function positiveOr(v: number | undefined, fallback: number): number {
  return v !== undefined && v > 0 ? v : fallback;
}

/** Warns about the settings the model has no field for; returns the upstream protocol. */
function warnUnapplied(
  pool: PolicySection<ConnectionPoolSettings>,
  protocol: 'http1' | 'http2',
  sink: TranslateSink,
): 'http1' | 'http2' {
  const { tcp, http } = pool.value;
  if (tcp?.tcpKeepalive != null) {
    warnAt(
      sink,
      pool,
      'tcp.tcpKeepalive',
      'not applied: upstream TCP keepalive is not configurable in Skiff yet',
    );
  }
  if (tcp?.maxConnectionDurationMs != null) {
    warnAt(
      sink,
      pool,
      'tcp.maxConnectionDuration',
      'not applied to HTTP: Skiff does not cap upstream HTTP connection age yet (Sidecar TCP ports apply it as the tcp_proxy max_downstream_connection_duration)',
    );
  }
  if (http === null) return protocol;
  if (http.useClientProtocol) {
    warnAt(sink, pool, 'http.useClientProtocol', 'not applied: upstream requests use HTTP/1.1');
    return 'http1';
  }
  if (http.h2UpgradePolicy === 'UPGRADE') {
    warnAt(
      sink,
      pool,
      'http.h2UpgradePolicy',
      'UPGRADE: HTTP/2 upstreams are not supported yet; HTTP/1.1 is used',
    );
    protocol = 'http2';
  }
  if (http.maxConcurrentStreams > 0) {
    warnAt(
      sink,
      pool,
      'http.maxConcurrentStreams',
      'not applied: it limits HTTP/2 upstreams, which Skiff does not use yet',
    );
  }
  return protocol;
}
