import type {
  CorsFilterConfig,
  CorsPolicyConfig,
  HttpFilterPerRouteConfig,
  RouteConfiguration,
  TypedPerFilterConfig,
} from '../../config/model.js';
import type { HeaderMap } from '../../http/header-map.js';
import type { CompiledRoute, CompiledWeightedCluster } from '../../router/route.js';
import type { RouteTable } from '../../router/route-table.js';
import type { CorsStats } from '../../stats/cors-stats.js';
import type { Random } from '../../util/random.js';
import { sampled } from '../fault/fault-headers.js';
import {
  FilterStatus,
  type FilterStream,
  type HttpFilter,
  type HttpFilterFactory,
  type RouterStream,
} from '../filter.js';
import { CompiledCors, CorsHeader } from './compiled-cors.js';

/** What every CORS filter of one factory shares. */
export interface CorsDeps {
  readonly stats: CorsStats;
  readonly random: Random;
}

const PREFLIGHT_DETAILS = 'cors_response';

type PolicyTarget = CompiledRoute | CompiledWeightedCluster;

/**
 * Envoy's CORS filter (`envoy.filters.http.cors`). Policies come only from typed_per_filter_config
 * (CorsPolicy); each forwarding route and weighted cluster gets its merged policy at build time
 * (redirects and direct responses have none: Envoy's filter skips routes without a route entry).
 * `create` returns null unless the request has an Origin and the filter has something to do, so
 * requests without CORS allocate nothing.
 */
export class CorsFilterFactory implements HttpFilterFactory {
  readonly name: string;
  /** Route or weighted cluster → its policy (null: none or disabled); null when no route has one. */
  private readonly policies: ReadonlyMap<PolicyTarget, CompiledCors | null> | null;

  constructor(
    cfg: CorsFilterConfig,
    routeConfig: RouteConfiguration,
    table: RouteTable,
    private readonly deps: CorsDeps,
  ) {
    this.name = cfg.name;
    const any = table.perFilterConfigs(cfg.name).some((e) => e.kind === 'cors');
    this.policies = any ? compilePolicies(cfg.name, routeConfig, table) : null;
  }

  create(stream: RouterStream): HttpFilter | null {
    const policies = this.policies;
    if (policies === null) return null;
    const origin = stream.requestHeaders.get(CorsHeader.origin);
    if (origin === undefined || origin === '') return null;
    const route = stream.route();
    if (route === null) return null;
    let cors = policies.get(route);
    if (route.weightedPerFilter) {
      const w = stream.clusterPick()?.weighted ?? null;
      const own = w === null ? undefined : policies.get(w);
      if (own !== undefined) cors = own;
    }
    if (cors === undefined || cors === null) return null;
    return this.decide(stream, cors, origin);
  }

  /** Envoy's decodeHeaders decisions, made before a filter object exists. */
  private decide(stream: FilterStream, cors: CompiledCors, origin: string): HttpFilter | null {
    const { stats, random } = this.deps;
    const enabled = sampled(cors.filterEnabled, cors.filterEnabled.numerator, random);
    if (!enabled) {
      const shadow = cors.shadowEnabled;
      if (shadow === null || !sampled(shadow, shadow.numerator, random)) return null;
    }
    const allowed = cors.originAllowed(origin);
    if (allowed) stats.originValid.inc();
    else stats.originInvalid.inc();
    // Shadow mode only counts.
    if (!enabled) return null;
    const h = stream.requestHeaders;
    const preflight = stream.method === 'OPTIONS' && (h.get(CorsHeader.requestMethod) ?? '') !== '';
    if (!preflight) return allowed ? new CorsFilter(cors, origin, false) : null;
    if (!allowed && cors.forwardNotMatchingPreflights) return null;
    return new CorsFilter(cors, allowed ? origin : '', true);
  }
}

/** One CORS request: a preflight to answer, or a response to decorate. */
class CorsFilter implements HttpFilter {
  constructor(
    private readonly cors: CompiledCors,
    /** The request's origin when the policy allows it, else "". */
    private readonly origin: string,
    private readonly preflight: boolean,
  ) {}

  decodeHeaders(stream: FilterStream): FilterStatus {
    if (!this.preflight) return FilterStatus.Continue;
    // Envoy answers 200 without a body; a not-allowed origin (when not forwarded) gets the same
    // answer minus access-control-allow-origin, so the browser fails the preflight.
    stream.sendLocalReply(200, '', 0, PREFLIGHT_DETAILS, this.cors.preflightHeaders(stream.requestHeaders));
    return FilterStatus.Stop;
  }

  encodeHeaders(_stream: FilterStream, _status: number, headers: HeaderMap): void {
    if (this.origin !== '') this.cors.decorate(headers, this.origin);
  }
}

function entryOf(tpfc: TypedPerFilterConfig | undefined, name: string): HttpFilterPerRouteConfig | undefined {
  return tpfc?.[name];
}

/**
 * Walks the route configuration beside its compiled table (same order, same indexes) to resolve
 * each forwarding route's chain of policies. Chains are compiled once per distinct sequence of
 * policy objects, so routes that inherit one virtual-host policy share it.
 */
function compilePolicies(
  name: string,
  rc: RouteConfiguration,
  table: RouteTable,
): ReadonlyMap<PolicyTarget, CompiledCors | null> {
  const out = new Map<PolicyTarget, CompiledCors | null>();
  const cache = new Map<string, CompiledCors>();
  const ids = new Map<CorsPolicyConfig, number>();
  const compile = (
    chain: readonly (HttpFilterPerRouteConfig | undefined)[],
    where: string,
  ): CompiledCors | null => {
    const first = chain.find((e) => e !== undefined);
    // FilterConfig{disabled: true} at the most specific level turns the filter off there.
    if (first === undefined || first.kind === 'disabled') return null;
    const policies: CorsPolicyConfig[] = [];
    // Entries of another filter's type under this name are skipped, as Envoy's typed lookup does.
    for (const e of chain) if (e?.kind === 'cors') policies.push(e.policy);
    if (policies.length === 0) return null;
    const key = policies
      .map((p) => {
        let id = ids.get(p);
        if (id === undefined) ids.set(p, (id = ids.size));
        return id;
      })
      .join(',');
    let c = cache.get(key);
    if (c === undefined) cache.set(key, (c = new CompiledCors(policies, where)));
    return c;
  };
  const rcEntry = entryOf(rc.typedPerFilterConfig, name);
  rc.virtualHosts.forEach((vh, i) => {
    const cvh = table.virtualHosts[i]!;
    const vhEntry = entryOf(vh.typedPerFilterConfig, name);
    vh.routes.forEach((r, j) => {
      const route = cvh.routes[j]!;
      if (r.action.kind !== 'forward') return;
      const where = `virtual_hosts[${i}].routes[${j}].typed_per_filter_config[${name}]`;
      const chain = [entryOf(r.typedPerFilterConfig, name), vhEntry, rcEntry];
      out.set(route, compile(chain, where));
      const target = r.action.target;
      if (!route.weightedPerFilter || target.kind !== 'weighted') return;
      target.clusters.forEach((w, k) => {
        const wc = route.weightedClusters[k]!;
        out.set(wc, compile([entryOf(w.typedPerFilterConfig, name), ...chain], where));
      });
    });
  });
  return out;
}
