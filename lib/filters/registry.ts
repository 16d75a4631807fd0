import type { ClusterManager } from '../cluster/cluster-manager.js';
import type {
  HttpConnectionManagerConfig,
  HttpFilterConfig,
  HttpFilterConfigByKind,
} from '../config/model.js';
import type { RouteTable } from '../router/route-table.js';
import { createRouterFactory } from '../router/router-filter.js';
import type { ShadowTracker } from '../router/shadow-tracker.js';
import type { StatsRegistry } from '../stats/registry.js';
import type { HttpConnectionManagerStats } from '../stats/types.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import type { Scheduler } from '../util/scheduler.js';
import { CorsFilterFactory } from './cors/cors-filter.js';
import { FaultFilterFactory } from './fault/fault-filter.js';
import type { HttpFilterFactory } from './filter.js';
import { RbacFilterFactory } from './rbac/rbac-filter.js';

/** Everything a filter factory may need from its connection manager, built once per snapshot. */
export interface FilterBuildContext {
  readonly hcm: HttpConnectionManagerConfig;
  readonly hcmStats: HttpConnectionManagerStats;
  readonly table: RouteTable;
  readonly clusters: ClusterManager;
  readonly stats: StatsRegistry;
  readonly clock: Clock;
  readonly random: Random;
  readonly scheduler: Scheduler;
  /** In-flight mirrored requests of the Skiff instance (the router's request_mirror_policies). */
  readonly shadows: ShadowTracker;
}

type FactoryBuilders = {
  readonly [K in keyof HttpFilterConfigByKind]: (
    cfg: HttpFilterConfigByKind[K],
    ctx: FilterBuildContext,
  ) => HttpFilterFactory;
};

/**
 * Decoded filter config → factory, one builder per filter kind (the decoder side is
 * lib/config/envoy/filter-registry.ts). The mapped type makes a new kind without a builder a
 * compile error.
 */
const BUILDERS: FactoryBuilders = {
  router: (config, ctx) =>
    createRouterFactory({
      clusters: ctx.clusters,
      clock: ctx.clock,
      config,
      hcm: ctx.hcm,
      hcmStats: ctx.hcmStats,
      random: ctx.random,
      shadows: ctx.shadows,
    }),
  fault: (config, ctx) =>
    new FaultFilterFactory(config, ctx.table, {
      stats: ctx.stats.faultStats(ctx.hcm.statPrefix),
      random: ctx.random,
      scheduler: ctx.scheduler,
    }),
  cors: (config, ctx) =>
    new CorsFilterFactory(config, ctx.hcm.routeConfig, ctx.table, {
      stats: ctx.stats.corsStats(ctx.hcm.statPrefix),
      random: ctx.random,
    }),
  rbac: (config, ctx) => new RbacFilterFactory(config, ctx.table, ctx.stats.rbacStats(ctx.hcm.statPrefix)),
};

/** The factory for one entry of http_filters. */
export function buildFilterFactory(cfg: HttpFilterConfig, ctx: FilterBuildContext): HttpFilterFactory {
  // TypeScript cannot correlate cfg.kind with the builder's parameter type; BUILDERS is checked above.
  const build = BUILDERS[cfg.kind] as (c: HttpFilterConfig, x: FilterBuildContext) => HttpFilterFactory;
  return build(cfg, ctx);
}
