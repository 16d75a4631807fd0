import type { HttpFilterPerRouteConfig, RbacFilterConfig } from '../../config/model.js';
import type { RouteTable } from '../../router/route-table.js';
import type { RbacStats } from '../../stats/rbac-stats.js';
import {
  FilterStatus,
  type FilterStream,
  type HttpFilter,
  type HttpFilterFactory,
  type RouterStream,
} from '../filter.js';
import { RbacEngines } from './rbac-engine.js';

const DENIED_BODY = 'RBAC: access denied';

/** A denied request: answers 403 in decodeHeaders. One instance per distinct details string. */
class DenyFilter implements HttpFilter {
  constructor(private readonly details: string) {}
  decodeHeaders(stream: FilterStream): FilterStatus {
    stream.sendLocalReply(403, DENIED_BODY, 0, this.details);
    return FilterStatus.Stop;
  }
}

/**
 * Envoy's RBAC filter (`envoy.filters.http.rbac`). The decision is made in `create`: an allowed
 * request gets no filter object (null), a denied one a shared filter that answers 403
 * `RBAC: access denied` with details `rbac_access_denied_matched_policy[<policy>|none]`. Shadow
 * rules are evaluated first and only counted. `RBACPerRoute` replaces both engines on its route
 * (no `rbac` in it turns the filter off there), as does `FilterConfig{disabled: true}`.
 */
export class RbacFilterFactory implements HttpFilterFactory {
  readonly name: string;
  private readonly engines: RbacEngines | null;
  /** Per-route config object → its engines (null: off on that route); null when no route has one. */
  private readonly perRoute: ReadonlyMap<HttpFilterPerRouteConfig, RbacEngines | null> | null;
  private readonly denyFilters = new Map<string, DenyFilter>();

  constructor(
    cfg: RbacFilterConfig,
    table: RouteTable,
    private readonly stats: RbacStats,
  ) {
    this.name = cfg.name;
    const own = new RbacEngines(cfg, cfg.name);
    this.engines = own.rules === null && own.shadow === null ? null : own;
    const entries = table.perFilterConfigs(cfg.name);
    if (entries.length === 0) {
      this.perRoute = null;
      return;
    }
    const map = new Map<HttpFilterPerRouteConfig, RbacEngines | null>();
    for (const e of entries) {
      if (e.kind === 'disabled') map.set(e, null);
      else if (e.kind === 'rbac') {
        map.set(
          e,
          e.rbac === null ? null : new RbacEngines(e.rbac, `typed_per_filter_config[${cfg.name}].rbac`),
        );
      }
    }
    this.perRoute = map;
  }

  create(stream: RouterStream): HttpFilter | null {
    let engines = this.engines;
    if (this.perRoute !== null) {
      const entry = stream.perFilterConfig(this.name);
      if (entry !== undefined) {
        const own = this.perRoute.get(entry);
        if (own !== undefined) engines = own;
      }
    }
    if (engines === null) return null;
    const details = engines.check(stream, this.stats);
    return details === null ? null : this.denyFilter(details);
  }

  private denyFilter(details: string): DenyFilter {
    let f = this.denyFilters.get(details);
    if (f === undefined) this.denyFilters.set(details, (f = new DenyFilter(details)));
    return f;
  }
}
