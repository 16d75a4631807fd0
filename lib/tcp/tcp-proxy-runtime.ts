import { type AccessLogger, createAccessLogger } from '../accesslog/access-logger.js';
import type { AccessLogSinks } from '../accesslog/sink.js';
import type { Cluster } from '../cluster/types.js';
import type { NetworkRbacConfig, TcpProxyConfig } from '../config/model.js';
import type { StatsRegistry } from '../stats/registry.js';
import type { TcpProxyStats } from '../stats/types.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { type Scheduler, systemScheduler } from '../util/scheduler.js';
import { compileNetworkRbac, type NetworkRbacChain } from './network-rbac.js';
import type { TcpObserverFactory } from './tcp-session-view.js';
import { WeightedClusterPicker } from './weighted-cluster-picker.js';

/** How long open TCP sessions may run on after their listener stopped or changed (Envoy's HCM drain_timeout default). */
export const TCP_DRAIN_TIMEOUT_MS = 5000;

/** Envoy's `per_connection_buffer_limit_bytes` default. */
const DEFAULT_BUFFER_LIMIT = 1024 * 1024;

/** Where a tcp_proxy finds its clusters (the ClusterManager). */
export interface ClusterLookup {
  get(name: string): Cluster | undefined;
}

/** What compiling a tcp_proxy chain needs from the server. */
export interface TcpRuntimeDeps {
  readonly clusters: ClusterLookup;
  readonly stats: StatsRegistry;
  readonly sinks: AccessLogSinks;
  readonly clock: Clock;
  readonly random: Random;
  /** Timers of sessions (idle, duration); default setTimeout. */
  readonly scheduler?: Scheduler;
  /** Who observes this listener's TCP sessions (Istio's TCP metrics); null/absent = nobody. */
  readonly observers?: TcpObserverFactory | null;
  /** The listener's `per_connection_buffer_limit_bytes`: downstream bytes held while connecting. */
  readonly bufferLimitBytes?: number;
  /** Drain deadline for open sessions; default TCP_DRAIN_TIMEOUT_MS. */
  readonly drainTimeoutMs?: number;
}

/**
 * One tcp_proxy chain compiled once: the cluster picker, the access logger and the stats, shared
 * by every session it serves. A reload builds a new runtime; open sessions keep the one they
 * started with.
 */
export interface TcpProxyRuntime {
  /** Tells it apart from an HcmRuntime in a listener's per-chain runtimes. */
  readonly kind: 'tcp';
  readonly config: TcpProxyConfig;
  readonly stats: TcpProxyStats;
  readonly picker: WeightedClusterPicker;
  readonly accessLog: AccessLogger | null;
  readonly clusters: ClusterLookup;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly observers: TcpObserverFactory | null;
  readonly bufferLimitBytes: number;
  readonly drainTimeoutMs: number;
  /** The chain's network RBAC filters, checked once as a session starts; null = none. */
  readonly networkRbac: NetworkRbacChain | null;
}

/**
 * Compiles one tcp_proxy config and the network RBAC filters before it. Throws SKIFF_ERR_CONFIG
 * when an access-log file cannot be opened.
 */
export function buildTcpProxyRuntime(
  cfg: TcpProxyConfig,
  deps: TcpRuntimeDeps,
  networkRbac?: readonly NetworkRbacConfig[],
): TcpProxyRuntime {
  return {
    kind: 'tcp',
    config: cfg,
    stats: deps.stats.tcpStats(cfg.statPrefix),
    picker: new WeightedClusterPicker(cfg.clusters, deps.random),
    accessLog: createAccessLogger(cfg.accessLog, deps.sinks),
    clusters: deps.clusters,
    clock: deps.clock,
    scheduler: deps.scheduler ?? systemScheduler,
    observers: deps.observers ?? null,
    bufferLimitBytes: deps.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT,
    drainTimeoutMs: deps.drainTimeoutMs ?? TCP_DRAIN_TIMEOUT_MS,
    networkRbac: compileNetworkRbac(networkRbac, deps.stats),
  };
}

/** True for a tcp_proxy chain's runtime (the other kind is an HCM's). */
export function isTcpRuntime(rt: object): rt is TcpProxyRuntime {
  return (rt as { kind?: unknown }).kind === 'tcp';
}
