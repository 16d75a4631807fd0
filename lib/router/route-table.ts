import type { HttpFilterPerRouteConfig, RouteConfiguration } from '../config/model.js';
import { SkiffError } from '../errors.js';
import type { Random } from '../util/random.js';
import { HeaderMutationCompiler } from './header-mutations.js';
import { portStart } from './path-util.js';
import type { RouteRequest } from './types.js';
import { CompiledVirtualHost } from './virtual-host.js';

export type { ClusterPick, CompiledRoute, CompiledWeightedCluster, RouteActionKind } from './route.js';
export type { CompiledVirtualHost } from './virtual-host.js';

/** Wildcard domains of one length: `*.foo.com` is stored as `.foo.com` under length 8. */
interface WildcardBucket {
  readonly length: number;
  readonly hosts: ReadonlyMap<string, CompiledVirtualHost>;
}

function buckets(byLength: Map<number, Map<string, CompiledVirtualHost>>): readonly WildcardBucket[] {
  return Object.freeze(
    [...byLength.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([length, hosts]) => Object.freeze({ length, hosts })),
  );
}

/**
 * The compiled route table of one RouteConfiguration: virtual hosts by domain, then routes.
 * Domain lookup is Envoy's RouteMatcher::findVirtualHost: exact (one Map lookup), then the
 * longest suffix wildcard, then the longest prefix wildcard (a wildcard never matches the empty
 * string), then `*`; case-insensitive.
 */
export class RouteTable {
  readonly name: string;
  readonly virtualHosts: readonly CompiledVirtualHost[];
  readonly ignorePortInHostMatching: boolean;
  private readonly exact: ReadonlyMap<string, CompiledVirtualHost>;
  private readonly suffixes: readonly WildcardBucket[];
  private readonly prefixes: readonly WildcardBucket[];
  private readonly fallback: CompiledVirtualHost | null;
  private readonly onlyFallback: boolean;

  constructor(cfg: RouteConfiguration, random: Random) {
    this.name = cfg.name;
    this.ignorePortInHostMatching = cfg.ignorePortInHostMatching;
    const mutations = new HeaderMutationCompiler();
    const exact = new Map<string, CompiledVirtualHost>();
    const suffixes = new Map<number, Map<string, CompiledVirtualHost>>();
    const prefixes = new Map<number, Map<string, CompiledVirtualHost>>();
    let fallback: CompiledVirtualHost | null = null;
    const dup = (domain: string): never => {
      throw new SkiffError(
        'SKIFF_ERR_CONFIG',
        `route_config '${cfg.name}': only unique values for domains are permitted; duplicate entry of domain ${domain}`,
      );
    };
    const add = (
      byLength: Map<number, Map<string, CompiledVirtualHost>>,
      key: string,
      vh: CompiledVirtualHost,
    ) => {
      let m = byLength.get(key.length);
      if (m === undefined) byLength.set(key.length, (m = new Map()));
      if (m.has(key)) dup(vh.name);
      m.set(key, vh);
    };
    this.virtualHosts = Object.freeze(
      cfg.virtualHosts.map((vhCfg, i) => {
        const vh = new CompiledVirtualHost(vhCfg, {
          random,
          mutations,
          configHeaders: cfg.headers,
          where: `virtual_hosts[${i}]`,
          configPerFilter: cfg.typedPerFilterConfig,
        });
        for (const domain of vh.domains) {
          if (domain === '*') {
            if (fallback !== null) dup('*');
            fallback = vh;
          } else if (domain.startsWith('*')) add(suffixes, domain.slice(1), vh);
          else if (domain.endsWith('*')) add(prefixes, domain.slice(0, -1), vh);
          else {
            if (exact.has(domain)) dup(domain);
            exact.set(domain, vh);
          }
        }
        return vh;
      }),
    );
    this.exact = exact;
    this.suffixes = buckets(suffixes);
    this.prefixes = buckets(prefixes);
    this.fallback = fallback;
    this.onlyFallback = exact.size === 0 && suffixes.size === 0 && prefixes.size === 0;
    Object.freeze(this);
  }

  /**
   * The virtual host for a Host/:authority value, or null (→ 404 NR). A domain written with a
   * port matches only that `host:port`. With `ignorePortInHostMatching` Envoy strips the Host's
   * port before matching; here each tier first tries the full `host:port` (so port-qualified
   * domains still work) and then the stripped host.
   */
  selectVirtualHost(authority: string): CompiledVirtualHost | null {
    if (this.onlyFallback) return this.fallback;
    const full = authority.toLowerCase();
    let stripped = full;
    if (this.ignorePortInHostMatching) {
      const p = portStart(full);
      if (p !== -1) stripped = full.slice(0, p);
    }
    const exact = this.exact.get(full) ?? (stripped === full ? undefined : this.exact.get(stripped));
    if (exact !== undefined) return exact;
    return (
      this.wildcard(this.suffixes, full, true) ??
      (stripped === full ? null : this.wildcard(this.suffixes, stripped, true)) ??
      this.wildcard(this.prefixes, full, false) ??
      (stripped === full ? null : this.wildcard(this.prefixes, stripped, false)) ??
      this.fallback
    );
  }

  /** Virtual host then route in one call; null when either is missing. */
  route(req: RouteRequest): import('./route.js').CompiledRoute | null {
    const vh = this.selectVirtualHost(req.authority);
    return vh === null ? null : vh.match(req);
  }

  /**
   * Every distinct per-route config for the filter named `filterName`, at any level. A filter
   * factory compiles these once; an empty list means it never needs to look per route.
   */
  perFilterConfigs(filterName: string): HttpFilterPerRouteConfig[] {
    const seen = new Set<HttpFilterPerRouteConfig>();
    const visit = (c: HttpFilterPerRouteConfig | undefined): void => {
      if (c !== undefined) seen.add(c);
    };
    for (const vh of this.virtualHosts) {
      for (const r of vh.routes) {
        visit(r.perFilterConfig(filterName, null));
        for (const w of r.weightedClusters) visit(r.perFilterConfig(filterName, w));
      }
    }
    return [...seen];
  }

  private wildcard(
    list: readonly WildcardBucket[],
    host: string,
    suffix: boolean,
  ): CompiledVirtualHost | null {
    for (const b of list) {
      // `>=`: the wildcard must stand for at least one character (`*.foo.com` ≠ `.foo.com`).
      if (b.length >= host.length) continue;
      const vh = b.hosts.get(suffix ? host.slice(host.length - b.length) : host.slice(0, b.length));
      if (vh !== undefined) return vh;
    }
    return null;
  }
}

/** Compiles a validated RouteConfiguration once per snapshot. Throws SkiffError on bad regexes etc. */
export function compileRouteTable(cfg: RouteConfiguration, random: Random): RouteTable {
  return new RouteTable(cfg, random);
}
