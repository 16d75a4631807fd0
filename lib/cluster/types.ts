import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { ClusterConfig, HealthStatus } from '../config/model.js';
import type { ClusterStats } from '../stats/types.js';
import type { ResourceManager } from './resource-manager.js';

/** Health flags as in Envoy's /clusters `health_flags` (bitmask; 0 = healthy). */
export const HealthFlag = {
  FailedActiveHc: 1 << 0,
  FailedOutlierCheck: 1 << 1,
  FailedEdsHealth: 1 << 2,
  DegradedEdsHealth: 1 << 3,
  PendingActiveHc: 1 << 4,
  PendingDynamicRemoval: 1 << 5,
  /** The active health check answered with `x-envoy-degraded`; still usable. */
  DegradedActiveHc: 1 << 6,
  /** Failed by an upstream's `x-envoy-immediate-health-check-fail` (always with FailedActiveHc). */
  ExcludedViaImmediateHcFail: 1 << 7,
  /** The last failing active check timed out (always with FailedActiveHc). */
  ActiveHcTimeout: 1 << 8,
} as const;

/**
 * One upstream endpoint. Owns its connection pool; its counters are plain numbers updated by the
 * upstream request code (cheaper than stat children, read by /clusters and LEAST_REQUEST).
 * Invariant: `activeRequests` is incremented exactly once per dispatched attempt and
 * decremented exactly once when that attempt ends (success, error or abort).
 */
export interface Host {
  readonly cluster: Cluster;
  /** IP (or, for LOGICAL_DNS, the resolved IP) and port actually connected to. */
  readonly address: string;
  readonly port: number;
  /** `address:port`, as printed in %UPSTREAM_HOST% and /clusters. */
  readonly authority: string;
  /** `endpoint.hostname` or the DNS name the cluster was configured with, else "". */
  readonly hostname: string;
  readonly weight: number;
  readonly priority: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly locality: { readonly region: string; readonly zone: string; readonly subZone: string };
  /** HealthFlag bitmask. */
  healthFlags: number;
  readonly edsHealthStatus: HealthStatus;
  /** True when no health flag marks it unusable (degraded counts as usable). */
  healthy(): boolean;
  /** This host's connection pool (a HostPool of undici Clients), created on first use. */
  dispatcher(): Dispatcher;
  /**
   * Dials one raw connection (tcp_proxy) with the transport the pool uses (plaintext or the
   * host's upstream TLS), within the cluster's connect timeout; the socket is half-open capable.
   * Absent in test fakes (treated as a connect failure).
   */
  connectRaw?(cb: RawConnectCallback): void;
  /** Counters for /clusters. */
  readonly counters: HostCounters;
  /** Passive health (outlier detection): every upstream attempt reports its outcome here. */
  readonly outlier: PassiveHealthMonitor;
  /**
   * Monotonic ms (cluster clock) when slow start began for this host, as Envoy's
   * `lastHcPassTime`: a slow-start load balancer stamps it the first time it sees the host
   * healthy; an active health checker should set it when the host passes after failing.
   */
  lastHcPassTimeMs?: number | undefined;
}

/** Receives a dialled socket (`err` null) or the failure (timeouts carry code `UND_ERR_CONNECT_TIMEOUT`). */
export type RawConnectCallback = (err: Error | null, socket: Socket | null) => void;

/** Envoy's Outlier::Result: outcomes that are not an HTTP status from the upstream. */
export const OutlierResult = {
  /** TCP connect refused, reset or timed out. */
  LocalOriginConnectFailed: 0,
  /** Connected; with split_external_local_origin_errors this resets the local-origin streak. */
  LocalOriginConnectSuccess: 1,
  /** The router timed the request out (route timeout or per-try timeout). */
  LocalOriginTimeout: 2,
  /** The request completed without a local-origin error (final, counts as success). */
  LocalOriginConnectSuccessFinal: 3,
  /** The upstream reset the stream or broke the protocol after connecting. */
  ExtOriginRequestFailed: 4,
  ExtOriginRequestSuccess: 5,
} as const;
export type OutlierResult = (typeof OutlierResult)[keyof typeof OutlierResult];

/** What the upstream request code tells a host's outlier detector (a no-op without one). */
export interface PassiveHealthMonitor {
  putHttpResponseCode(code: number): void;
  putResult(result: OutlierResult): void;
  /** An active health check passed: lift an outlier ejection at once (Envoy's default). */
  uneject(): void;
}

export const NO_PASSIVE_HEALTH: PassiveHealthMonitor = {
  putHttpResponseCode: () => {},
  putResult: () => {},
  uneject: () => {},
};

export interface HostCounters {
  activeRequests: number;
  rqTotal: number;
  rqSuccess: number;
  rqError: number;
  rqTimeout: number;
  cxTotal: number;
  cxActive: number;
  cxConnectFail: number;
}

export type RoutingPriority = 'DEFAULT' | 'HIGH';

/** Per-pick input to a load balancer. */
export interface LoadBalancerContext {
  /** Hash for RING_HASH / MAGLEV (route hash_policy); null picks randomly. */
  readonly hash: number | null;
  /** Hosts to avoid (retry previous_hosts predicate); null when none. */
  readonly excluded: ReadonlySet<Host> | null;
  /**
   * ORIGINAL_DST: the value of the cluster's destination header (`host[:port]`), null when the
   * request has none. Absent for every other cluster, so their contexts stay shared constants.
   */
  readonly originalDstHost?: string | null;
}

/** Any host: no hash, nothing excluded (the pick of a caller without a request to hash). */
export const ANY_HOST: LoadBalancerContext = { hash: null, excluded: null };

export interface LoadBalancer {
  /** Returns null when no usable host exists (→ 503 UH). */
  chooseHost(ctx: LoadBalancerContext): Host | null;
  /** Rebuild internal tables after the host set or health changed. */
  refresh(hosts: readonly Host[]): void;
}

/**
 * A named upstream cluster: host set, load balancer, stats, and (in later issues) circuit
 * breakers, outlier detector and health checker. Survives config reloads when unchanged.
 */
export interface Cluster {
  readonly name: string;
  readonly config: ClusterConfig;
  readonly stats: ClusterStats;
  chooseHost(ctx: LoadBalancerContext): Host | null;
  hosts(): readonly Host[];
  /** Circuit breakers for a routing priority (route `priority`: DEFAULT or HIGH). */
  resources(priority: RoutingPriority): ResourceManager;
  /** Resolves once the initial host set is known (DNS clusters wait for the first lookup). */
  ready(): Promise<void>;
  /** Closes pools and timers; in-flight requests are allowed to finish. */
  close(): Promise<void>;
  /** An upstream response from `host` carried `x-envoy-immediate-health-check-fail`. */
  onImmediateHealthCheckFail(host: Host): void;
}
