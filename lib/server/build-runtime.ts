import { createAccessLogger } from '../accesslog/access-logger.js';
import type { AccessLogSinks } from '../accesslog/sink.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { HttpConnectionManagerConfig } from '../config/model.js';
import { buildFilterFactory, type FilterBuildContext } from '../filters/registry.js';
import type { HcmRuntime } from '../http/hcm-runtime.js';
import type { LocalReplyRing } from '../http/local-reply-ring.js';
import { compileRouteTable } from '../router/route-table.js';
import type { ShadowTracker } from '../router/shadow-tracker.js';
import type { IstioReporter } from '../stats/istio/istio-reporter.js';
import type { StatsRegistry } from '../stats/registry.js';
import type { TracingHub } from '../tracing/tracing-hub.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { type Scheduler, systemScheduler } from '../util/scheduler.js';

export interface RuntimeDeps {
  readonly clusters: ClusterManager;
  readonly stats: StatsRegistry;
  readonly sinks: AccessLogSinks;
  readonly clock: Clock;
  readonly random: Random;
  /** One-shot timers for filters (fault delays); default setTimeout. */
  readonly scheduler?: Scheduler;
  /** In-flight mirrored requests; outlives runtimes (reloads), closed on stop. */
  readonly shadows: ShadowTracker;
  /** The listener side's Istio reporter (sidecar mode), shared by its filter chains; null = none. */
  readonly istio?: IstioReporter | null;
  /** The instance's ring of recent local replies (admin dashboard); absent = not recorded. */
  readonly localReplies?: LocalReplyRing | null;
  /** Builds the HCM's tracer; absent = no tracing. */
  readonly tracing?: TracingHub | null;
  /** The listener's `traffic_direction` (OUTBOUND = egress spans; sidecar tracing needs one). */
  readonly direction?: string;
}

/** Compiles one HCM config into its per-request runtime: route table, filter chain, log, stats. */
export function buildHcmRuntime(cfg: HttpConnectionManagerConfig, deps: RuntimeDeps): HcmRuntime {
  const stats = deps.stats.httpStats(cfg.statPrefix);
  const table = compileRouteTable(cfg.routeConfig, deps.random);
  const ctx: FilterBuildContext = {
    hcm: cfg,
    hcmStats: stats,
    table,
    clusters: deps.clusters,
    stats: deps.stats,
    clock: deps.clock,
    random: deps.random,
    scheduler: deps.scheduler ?? systemScheduler,
    shadows: deps.shadows,
  };
  return {
    config: cfg,
    stats,
    filterFactories: cfg.httpFilters.map((f) => buildFilterFactory(f, ctx)),
    accessLog: createAccessLogger(cfg.accessLog, deps.sinks),
    clock: deps.clock,
    routeTable: table,
    istio: deps.istio ?? null,
    localReplies: deps.localReplies ?? null,
    tracer: deps.tracing?.tracerFor(cfg, deps.direction) ?? null,
  };
}
