import { createAccessLogger } from '../accesslog/access-logger.js';
import type { AccessLogSinks } from '../accesslog/sink.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { HttpConnectionManagerConfig } from '../config/model.js';
import type { HttpFilterFactory } from '../filters/filter.js';
import type { HcmRuntime } from '../http/hcm-runtime.js';
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
            random: deps.random,
          }),
        );
        break;
    }
  }
  return {
    config: cfg,
    stats,
    filterFactories: factories,
    accessLog: createAccessLogger(cfg.accessLog, deps.sinks),
    clock: deps.clock,
  };
}
