/** Inline `route_config`: virtual hosts, routes and route matches. */
import type {
  PathMatchConfig,
  RouteConfig,
  RouteConfiguration,
  RouteMatchConfig,
  VirtualHostConfig,
} from '../../model.js';
import { encodeTypedPerFilterConfig } from './filters.js';
import { fields, flag, type Json, unless } from './format.js';
import { encodeHeaderMatchers, encodeHeaderMutations, encodeQueryMatchers } from './matchers.js';
import {
  encodeDirectResponse,
  encodeForwardAction,
  encodeRedirect,
  encodeRetryPolicy,
} from './route-action.js';

// The decoder's default for max_direct_response_body_size_bytes.
const DEFAULT_MAX_BODY = 4096;

/**
 * `config.route.v3.RouteConfiguration`. `knownClusters` are the bootstrap's cluster names: the
 * model does not keep `validate_clusters`, so it is written as false exactly when a route names a
 * cluster the bootstrap lacks (which the decoder only accepts that way).
 */
export function encodeRouteConfiguration(rc: RouteConfiguration, knownClusters: ReadonlySet<string>): Json {
  const routes = rc.virtualHosts.flatMap((v) => v.routes);
  const maxBody = Math.max(
    0,
    ...routes.map((r) =>
      r.action.kind === 'direct_response' && r.action.body !== null ? Buffer.byteLength(r.action.body) : 0,
    ),
  );
  const unknown = routes.some((r) => namedClusters(r).some((c) => !knownClusters.has(c)));
  return fields({
    name: unless(rc.name, ''),
    virtual_hosts: rc.virtualHosts.map(encodeVirtualHost),
    ...encodeHeaderMutations(rc.headers),
    validate_clusters: unknown ? false : undefined,
    max_direct_response_body_size_bytes: maxBody > DEFAULT_MAX_BODY ? maxBody : undefined,
    ignore_port_in_host_matching: flag(rc.ignorePortInHostMatching),
    typed_per_filter_config: encodeTypedPerFilterConfig(rc.typedPerFilterConfig),
  });
}

function namedClusters(r: RouteConfig): string[] {
  if (r.action.kind !== 'forward') return [];
  const t = r.action.target;
  const names = t.kind === 'cluster' ? [t.name] : t.kind === 'weighted' ? t.clusters.map((c) => c.name) : [];
  for (const m of r.action.requestMirrorPolicies ?? []) names.push(m.cluster);
  return names;
}

function encodeVirtualHost(v: VirtualHostConfig): Json {
  return fields({
    name: v.name,
    domains: v.domains,
    routes: v.routes.map(encodeRoute),
    ...encodeHeaderMutations(v.headers),
    retry_policy: v.retryPolicy === null ? undefined : encodeRetryPolicy(v.retryPolicy),
    include_request_attempt_count: flag(v.includeRequestAttemptCount),
    include_attempt_count_in_response: flag(v.includeAttemptCountInResponse),
    per_request_buffer_limit_bytes: v.perRequestBufferLimitBytes ?? undefined,
    typed_per_filter_config: encodeTypedPerFilterConfig(v.typedPerFilterConfig),
  });
}

/** `config.route.v3.Route`. */
export function encodeRoute(r: RouteConfig): Json {
  const a = r.action;
  const action =
    a.kind === 'forward'
      ? { route: encodeForwardAction(a) }
      : a.kind === 'redirect'
        ? { redirect: encodeRedirect(a) }
        : { direct_response: encodeDirectResponse(a) };
  return fields({
    name: unless(r.name, ''),
    match: encodeRouteMatch(r.match),
    ...action,
    ...encodeHeaderMutations(r.headers),
    decorator: r.decoratorOperation === null ? undefined : { operation: r.decoratorOperation },
    per_request_buffer_limit_bytes: r.perRequestBufferLimitBytes ?? undefined,
    typed_per_filter_config: encodeTypedPerFilterConfig(r.typedPerFilterConfig),
  });
}

function encodePath(p: PathMatchConfig): Json {
  return p.kind === 'safe_regex' ? { safe_regex: { regex: p.regex } } : { [p.kind]: p.value };
}

/** `config.route.v3.RouteMatch`. */
export function encodeRouteMatch(m: RouteMatchConfig): Json {
  return fields({
    ...encodePath(m.path),
    case_sensitive: unless(m.caseSensitive, true),
    headers: encodeHeaderMatchers(m.headers),
    query_parameters: encodeQueryMatchers(m.queryParameters),
    grpc: m.grpc ? {} : undefined,
  });
}
