import type {
  HeaderMutations,
  HttpFilterPerRouteConfig,
  LbPolicy,
  RequestMirrorPolicyConfig,
  RetryPolicyConfig,
  RouteConfig,
  WeightedClusterConfig,
} from '../config/model.js';
import { pickWeightedIndex, type Random } from '../util/random.js';
import {
  CompiledHashPolicy,
  type HashPolicyRequest,
  NO_ROUTE_LB_CONTEXT,
  policyUsesHash,
  type RouteLbContext,
} from './hash-policy.js';
import { CompiledHeaderMatcher } from './header-matcher.js';
import type { CompiledHeaderMutations, HeaderMutationCompiler } from './header-mutations.js';
import { PathMatcher } from './path-matcher.js';
import { pathEnd } from './path-util.js';
import { overlayPerFilterConfig, type PerFilterConfigMap } from './per-filter-config.js';
import { CompiledQueryMatcher } from './query-matcher.js';
import { compileRe2, translateRe2Substitution } from './re2.js';
import { buildLocation, type RedirectSpec, redirectSpec } from './redirect.js';
import { type CompiledRetryPolicy, compileRetryPolicy } from './retry-policy.js';
import type { RouteRequest } from './types.js';
import type { CompiledVirtualHost } from './virtual-host.js';

export type RouteActionKind = 'forward' | 'redirect' | 'direct_response';

/** The cluster a forwarded request goes to, and the weighted-cluster entry it came from. */
export interface ClusterPick {
  readonly name: string;
  readonly weighted: CompiledWeightedCluster | null;
}

/** What a route compiler needs from its surroundings. */
export interface RouteCompileContext {
  readonly random: Random;
  readonly mutations: HeaderMutationCompiler;
  readonly vhostHeaders: HeaderMutations;
  readonly configHeaders: HeaderMutations;
  readonly vhostRetryPolicy: RetryPolicyConfig | null;
  /** Field paths of this route and its virtual host, for config errors. */
  readonly where: string;
  readonly vhostWhere: string;
  /** Per-filter configs of the route configuration and virtual host, already overlaid. */
  readonly inheritedPerFilter?: PerFilterConfigMap | null;
}

const NONE = 0;
const CLUSTER = 1;
const CLUSTER_HEADER = 2;
const WEIGHTED = 3;

/** One `weighted_clusters.clusters[]` entry with its header mutations pre-combined with the route's. */
export class CompiledWeightedCluster {
  readonly name: string;
  readonly weight: number;
  readonly hostRewriteLiteral: string | null;
  /** weighted cluster → route → vhost → route config, request side; null when none. */
  readonly requestMutations: CompiledHeaderMutations | null;
  readonly responseMutations: CompiledHeaderMutations | null;
  /** The frozen pick handed out for this entry: picking allocates nothing. */
  readonly pick: ClusterPick;
  /** typed_per_filter_config overlaid on the route's (null: none anywhere). */
  readonly perFilter: PerFilterConfigMap | null;

  constructor(
    cfg: WeightedClusterConfig,
    mutations: CompiledHeaderMutations | null,
    routePerFilter: PerFilterConfigMap | null = null,
  ) {
    this.name = cfg.name;
    this.weight = cfg.weight;
    this.hostRewriteLiteral = cfg.hostRewriteLiteral === '' ? null : cfg.hostRewriteLiteral;
    this.requestMutations = mutations?.hasRequest ? mutations : null;
    this.responseMutations = mutations?.hasResponse ? mutations : null;
    this.pick = Object.freeze({ name: cfg.name, weighted: this });
    this.perFilter = overlayPerFilterConfig(routePerFilter, cfg.typedPerFilterConfig);
    Object.freeze(this);
  }
}

function isGrpcContentType(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  // Exactly application/grpc or application/grpc+…; application/grpc-web is not gRPC.
  return ct.startsWith('application/grpc') && (ct.length === 16 || ct.charCodeAt(16) === 43);
}

/**
 * A compiled route of any action. One fixed shape for all three actions (fields that do not
 * apply hold neutral values) so the router's call sites stay monomorphic.
 */
export class CompiledRoute {
  readonly name: string;
  readonly action: RouteActionKind;
  readonly virtualHost: CompiledVirtualHost;
  readonly decoratorOperation: string | null;
  /** Forward: route `timeout` (0 = disabled), `idle_timeout`, effective retry policy. */
  readonly timeoutMs: number;
  /** `timeoutMs` as the `x-envoy-expected-rq-timeout-ms` value, built once. */
  readonly timeoutMsText: string;
  readonly idleTimeoutMs: number | null;
  readonly retryPolicy: RetryPolicyConfig | null;
  /** The retry policy's `retriable_headers`, compiled (match response headers). */
  readonly retriableHeaders: readonly CompiledHeaderMatcher[];
  /** The retry policy ready for decisions; null when the route has none. */
  readonly retry: CompiledRetryPolicy | null;
  /** Body bytes kept for retries (`per_request_buffer_limit_bytes`, route then virtual host). */
  readonly bufferLimitBytes: number;
  readonly hostRewriteLiteral: string | null;
  readonly autoHostRewrite: boolean;
  /** Forward: status when the picked cluster does not exist (503, 404 or 500). */
  readonly clusterNotFoundResponseCode: number;
  readonly weightedClusters: readonly CompiledWeightedCluster[];
  /** Redirect: 301/302/303/307/308, else 0. */
  readonly redirectCode: number;
  /** Direct response: status and body, else 0 / null. */
  readonly directStatus: number;
  readonly directBody: string | null;
  /** typed_per_filter_config of route config, vhost and route overlaid (null: none). */
  readonly perFilter: PerFilterConfigMap | null;
  /** True when a weighted cluster of this route has per-filter config of its own. */
  readonly weightedPerFilter: boolean;
  /** Forward: `request_mirror_policies`; null when none (the router then pays nothing). */
  readonly mirrorPolicies: readonly RequestMirrorPolicyConfig[] | null;

  private readonly pathMatcher: PathMatcher;
  private readonly headerMatchers: readonly CompiledHeaderMatcher[];
  private readonly queryMatchers: readonly CompiledQueryMatcher[];
  private readonly grpc: boolean;
  private readonly targetKind: number;
  private readonly staticPick: ClusterPick | null;
  private readonly clusterHeader: string;
  private readonly cumulativeWeights: readonly number[];
  private readonly totalWeight: number;
  private readonly random: Random;
  private readonly prefixRewrite: string | null;
  private readonly regexRewrite: RegExp | null;
  private readonly regexSubstitution: string;
  private readonly redirect: RedirectSpec | null;
  private readonly routeRequestMutations: CompiledHeaderMutations | null;
  private readonly routeResponseMutations: CompiledHeaderMutations | null;
  private readonly hashPolicy: CompiledHashPolicy | null;

  constructor(cfg: RouteConfig, vhost: CompiledVirtualHost, ctx: RouteCompileContext) {
    const w = ctx.where;
    const m = cfg.match;
    const a = cfg.action;
    this.name = cfg.name;
    this.action = a.kind;
    this.virtualHost = vhost;
    this.decoratorOperation = cfg.decoratorOperation;
    this.random = ctx.random;
    this.pathMatcher = new PathMatcher(m.path, m.caseSensitive, `${w}.match`);
    this.headerMatchers = Object.freeze(
      m.headers.map((h, i) => new CompiledHeaderMatcher(h, `${w}.match.headers[${i}]`)),
    );
    this.queryMatchers = Object.freeze(
      m.queryParameters.map((q, i) => new CompiledQueryMatcher(q, `${w}.match.query_parameters[${i}]`)),
    );
    this.grpc = m.grpc;
    this.perFilter = overlayPerFilterConfig(ctx.inheritedPerFilter ?? null, cfg.typedPerFilterConfig);

    const levels = [cfg.headers, ctx.vhostHeaders, ctx.configHeaders];
    const names = [w, ctx.vhostWhere, 'route_config'];
    const routeMutations = ctx.mutations.compile(levels, names);
    this.routeRequestMutations = routeMutations?.hasRequest ? routeMutations : null;
    this.routeResponseMutations = routeMutations?.hasResponse ? routeMutations : null;

    const fwd = a.kind === 'forward' ? a : null;
    this.timeoutMs = fwd?.timeoutMs ?? 0;
    this.timeoutMsText = String(this.timeoutMs);
    this.idleTimeoutMs = fwd?.idleTimeoutMs ?? null;
    this.retryPolicy = fwd === null ? null : (fwd.retryPolicy ?? ctx.vhostRetryPolicy);
    this.retriableHeaders = Object.freeze(
      (this.retryPolicy?.retriableHeaders ?? []).map(
        (h, i) => new CompiledHeaderMatcher(h, `${w}.retry_policy.retriable_headers[${i}]`),
      ),
    );
    this.retry = compileRetryPolicy(this.retryPolicy, this.retriableHeaders);
    this.bufferLimitBytes = cfg.perRequestBufferLimitBytes ?? vhost.perRequestBufferLimitBytes;
    this.hostRewriteLiteral = fwd === null || fwd.hostRewriteLiteral === '' ? null : fwd.hostRewriteLiteral;
    this.autoHostRewrite = fwd?.autoHostRewrite ?? false;
    this.clusterNotFoundResponseCode = fwd?.clusterNotFoundResponseCode ?? 503;
    const hp = fwd?.hashPolicy;
    this.hashPolicy = hp === undefined || hp.length === 0 ? null : new CompiledHashPolicy(hp, `${w}.route`);
    const mirrors = fwd?.requestMirrorPolicies;
    this.mirrorPolicies = mirrors === undefined || mirrors.length === 0 ? null : mirrors;

    const target = fwd?.target ?? null;
    this.targetKind =
      target === null
        ? NONE
        : target.kind === 'cluster'
          ? CLUSTER
          : target.kind === 'cluster_header'
            ? CLUSTER_HEADER
            : WEIGHTED;
    this.staticPick =
      target?.kind === 'cluster' ? Object.freeze({ name: target.name, weighted: null }) : null;
    this.clusterHeader = target?.kind === 'cluster_header' ? target.header.toLowerCase() : '';
    const weighted =
      target?.kind === 'weighted'
        ? target.clusters.map(
            (c, i) =>
              new CompiledWeightedCluster(
                c,
                ctx.mutations.compile(
                  [c.headers, ...levels],
                  [`${w}.route.weighted_clusters.clusters[${i}]`, ...names],
                ),
                this.perFilter,
              ),
          )
        : [];
    this.weightedClusters = Object.freeze(weighted);
    this.weightedPerFilter = weighted.some((c) => c.perFilter !== this.perFilter);
    let sum = 0;
    this.cumulativeWeights = Object.freeze(weighted.map((c) => (sum += c.weight)));
    this.totalWeight = sum;

    const rewrites = a.kind === 'direct_response' ? null : a;
    this.prefixRewrite = rewrites === null || rewrites.prefixRewrite === '' ? null : rewrites.prefixRewrite;
    const rx = rewrites?.regexRewrite ?? null;
    const rxWhere = `${w}.${a.kind === 'redirect' ? 'redirect' : 'route'}.regex_rewrite`;
    this.regexRewrite =
      rx === null ? null : compileRe2(rx.regex, `${rxWhere}.pattern`, { anchored: false, global: true });
    this.regexSubstitution =
      rx === null
        ? ''
        : translateRe2Substitution(rx.substitution, this.regexRewrite!, `${rxWhere}.substitution`);

    this.redirect = a.kind === 'redirect' ? redirectSpec(a) : null;
    this.redirectCode = a.kind === 'redirect' ? a.responseCode : 0;
    this.directStatus = a.kind === 'direct_response' ? a.status : 0;
    this.directBody = a.kind === 'direct_response' ? a.body : null;
    Object.freeze(this);
  }

  /**
   * All match criteria ANDed: path, gRPC content type, headers, query parameters. `pathEndIndex`
   * (where query/fragment start) lets the virtual host scan the path once for all its routes.
   */
  matches(req: RouteRequest, pathEndIndex: number = pathEnd(req.path)): boolean {
    if (!this.pathMatcher.matches(req.path, pathEndIndex)) return false;
    if (this.grpc && !isGrpcContentType(req.header('content-type'))) return false;
    for (const h of this.headerMatchers) if (!h.matches(req.header(h.name))) return false;
    for (const q of this.queryMatchers) if (!q.matches(req.path)) return false;
    return true;
  }

  /**
   * Forward routes: the target cluster. `cluster_header` reads the header (missing or empty →
   * null, i.e. cluster not found); weighted clusters draw r in [0, sum) and take the first entry
   * whose running sum exceeds r, so weight-0 entries are never picked.
   */
  pickCluster(req: RouteRequest): ClusterPick | null {
    switch (this.targetKind) {
      case CLUSTER:
        return this.staticPick;
      case CLUSTER_HEADER: {
        const name = req.header(this.clusterHeader);
        return name === undefined || name === '' ? null : { name, weighted: null };
      }
      case WEIGHTED: {
        return this.weightedClusters[
          pickWeightedIndex(this.random, this.cumulativeWeights, this.totalWeight)
        ]!.pick;
      }
      default:
        return null;
    }
  }

  /**
   * Load balancer input for this request: the route's `hash_policy` hash (and any cookie to set)
   * when the cluster balances by hash, else the shared empty context (no allocation).
   */
  lbContext(
    req: HashPolicyRequest,
    cluster: { readonly config: { readonly lbPolicy: LbPolicy } },
  ): RouteLbContext {
    const hp = this.hashPolicy;
    if (hp === null || !policyUsesHash(cluster.config.lbPolicy)) return NO_ROUTE_LB_CONTEXT;
    return hp.evaluate(req);
  }

  /**
   * The upstream `:path` after `prefix_rewrite` (replaces the matched prefix/path; for a regex
   * match the whole path) or `regex_rewrite` (over the path without query); the query string is
   * kept. Null when the route rewrites nothing.
   */
  rewritePath(path: string): string | null {
    if (this.prefixRewrite !== null)
      return this.prefixRewrite + path.slice(this.pathMatcher.matchedLength(path));
    if (this.regexRewrite !== null) {
      const end = pathEnd(path);
      const just = end === path.length ? path : path.slice(0, end);
      return just.replace(this.regexRewrite, this.regexSubstitution) + path.slice(end);
    }
    return null;
  }

  /**
   * `host_rewrite_literal` for this pick. Envoy applies the weighted cluster's literal first and
   * the route's afterwards (RouteEntryImplBase::finalizeHostHeader), so a route-level literal wins.
   */
  rewriteHost(weighted: CompiledWeightedCluster | null): string | null {
    return this.hostRewriteLiteral ?? weighted?.hostRewriteLiteral ?? null;
  }

  /** Request header mutations for this pick (null = nothing to do). */
  requestMutations(weighted: CompiledWeightedCluster | null): CompiledHeaderMutations | null {
    return weighted === null ? this.routeRequestMutations : weighted.requestMutations;
  }

  /** Response header mutations for this pick; redirects and direct responses pass null. */
  responseMutations(weighted: CompiledWeightedCluster | null): CompiledHeaderMutations | null {
    return weighted === null ? this.routeResponseMutations : weighted.responseMutations;
  }

  /**
   * The most specific per-route config for the filter named `filterName` (as in http_filters):
   * the picked weighted cluster's, else the route's, vhost's or route configuration's.
   */
  perFilterConfig(
    filterName: string,
    weighted: CompiledWeightedCluster | null,
  ): HttpFilterPerRouteConfig | undefined {
    const m = weighted === null ? this.perFilter : weighted.perFilter;
    return m === null ? undefined : m.get(filterName);
  }

  /** Redirect routes: the Location header, built as Envoy does (see redirect.ts). */
  redirectLocation(req: RouteRequest): string {
    return buildLocation(this.redirect, req, this.rewritePath(req.path) ?? req.path);
  }

  /**
   * Direct responses with status 201 or 3xx: Envoy adds a Location equal to the request URL
   * (router.cc, RFC 7231 §7.1.2). Null for other statuses.
   */
  directLocation(req: RouteRequest): string | null {
    const s = this.directStatus;
    return s === 201 || (s >= 300 && s < 400) ? buildLocation(null, req, req.path) : null;
  }
}
