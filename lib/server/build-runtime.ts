import { createAccessLogger } from '../accesslog/access-logger.js';
import type { AccessLogSinks } from '../accesslog/sink.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { HttpConnectionManagerConfig } from '../config/model.js';
import type { HttpFilterFactory } from '../filters/filter.js';
import type { HcmRuntime } from '../http/hcm-runtime.js';
import { IdleSweeper } from '../http/idle-sweeper.js';
import { compileRouteTable } from '../router/route-table.js';
import { createRouterFactory } from '../router/router-filter.js';
import type { StatsRegistry } from '../stats/registry.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';

export interface RuntimeDeps {
  readonly clusters: ClusterManager;
  readonly stats: StatsRegistry;
  readonly sinks: AccessLogSinks;
  readonly clock: Clock;
  readonly random: Random;
}

/** Compiles one HCM config into its per-request runtime: route table, filter chain, log, stats. */
export function buildHcmRuntime(cfg: HttpConnectionManagerConfig, deps: RuntimeDeps): HcmRuntime {
  const stats = deps.stats.httpStats(cfg.statPrefix);
  const table = compileRouteTable(cfg.routeConfig, deps.random);
  const factories: HttpFilterFactory[] = [];
  for (const f of cfg.httpFilters) {
    switch (f.kind) {
      case 'router':
        factories.push(
          createRouterFactory({
            table,
            clusters: deps.clusters,
            clock: deps.clock,
            config: f,
            hcm: cfg,
            hcmStats: stats,
          }),
        );
        break;
    }
  }
  const shortestIdle = shortestIdleTimeout(cfg);
  return {
    config: cfg,
    stats,
    filterFactories: factories,
    accessLog: createAccessLogger(cfg.accessLog, deps.sinks),
    clock: deps.clock,
    idleSweeper: shortestIdle === null ? null : new IdleSweeper(deps.clock, shortestIdle),
  };
}

/** The smallest enabled idle timeout of the HCM and its routes, or null when all are off. */
function shortestIdleTimeout(cfg: HttpConnectionManagerConfig): number | null {
  let min = cfg.streamIdleTimeoutMs > 0 ? cfg.streamIdleTimeoutMs : Number.POSITIVE_INFINITY;
  for (const vh of cfg.routeConfig.virtualHosts) {
    for (const r of vh.routes) {
      const ms = r.action.kind === 'forward' ? r.action.idleTimeoutMs : null;
      if (ms !== null && ms > 0) min = Math.min(min, ms);
    }
  }
  return Number.isFinite(min) ? min : null;
}
