/** `http_filters[]` and `typed_per_filter_config` values, each as a typed_config with its `@type`. */
import type {
  CorsPolicyConfig,
  FaultRateLimitConfig,
  HttpFaultConfig,
  HttpFilterConfig,
  HttpFilterPerRouteConfig,
  TypedPerFilterConfig,
} from '../../model.js';
import { duration, fields, flag, fractionalPercent, isWhole, type Json, nonEmpty, unless } from './format.js';
import { encodeHeaderMatchers, encodeStringMatcher } from './matchers.js';
import { encodeRbacSettings } from './rbac.js';
import { TYPE } from './type-urls.js';

/** One `http_filters` entry. typed_config is always written: a custom name alone would not resolve. */
export function encodeHttpFilter(f: HttpFilterConfig): Json {
  switch (f.kind) {
    case 'router':
      return {
        name: f.name,
        typed_config: fields({
          '@type': TYPE.router,
          suppress_envoy_headers: flag(f.suppressEnvoyHeaders),
          start_child_span: flag(f.startChildSpan),
        }),
      };
    case 'fault':
      return { name: f.name, typed_config: { '@type': TYPE.fault, ...encodeHttpFault(f.fault) } };
    case 'cors':
      return { name: f.name, typed_config: { '@type': TYPE.cors } };
    case 'rbac':
      return { name: f.name, typed_config: { '@type': TYPE.rbac, ...encodeRbacSettings(f) } };
  }
}

/** `extensions.filters.http.fault.v3.HTTPFault` fields (without `@type`). */
export function encodeHttpFault(f: HttpFaultConfig): Json {
  const d = f.delay;
  const a = f.abort;
  return fields({
    delay:
      d === null
        ? undefined
        : {
            ...(d.kind === 'fixed' ? { fixed_delay: duration(d.fixedDelayMs) } : { header_delay: {} }),
            percentage: fractionalPercent(d.percentage),
          },
    abort:
      a === null
        ? undefined
        : {
            ...(a.kind === 'http_status'
              ? { http_status: a.httpStatus }
              : a.kind === 'grpc_status'
                ? { grpc_status: a.grpcStatus }
                : { header_abort: {} }),
            percentage: fractionalPercent(a.percentage),
          },
    upstream_cluster: unless(f.upstreamCluster, ''),
    headers: encodeHeaderMatchers(f.headers),
    downstream_nodes: nonEmpty(f.downstreamNodes),
    max_active_faults: f.maxActiveFaults ?? undefined,
    response_rate_limit: f.responseRateLimit === null ? undefined : encodeRateLimit(f.responseRateLimit),
    disable_downstream_cluster_stats: flag(f.disableDownstreamClusterStats),
  });
}

function encodeRateLimit(rl: FaultRateLimitConfig): Json {
  return {
    ...(rl.kind === 'fixed' ? { fixed_limit: { limit_kbps: rl.limitKbps } } : { header_limit: {} }),
    percentage: fractionalPercent(rl.percentage),
  };
}

/**
 * `extensions.filters.http.cors.v3.CorsPolicy` fields. `filter_enabled`/`shadow_enabled` are
 * RuntimeFractionalPercent in Envoy; Skiff has no runtime, so only `default_value` is written.
 */
export function encodeCorsPolicy(p: CorsPolicyConfig): Json {
  return fields({
    allow_origin_string_match:
      p.allowOrigins.length === 0 ? undefined : p.allowOrigins.map(encodeStringMatcher),
    allow_methods: unless(p.allowMethods, ''),
    allow_headers: unless(p.allowHeaders, ''),
    expose_headers: unless(p.exposeHeaders, ''),
    max_age: unless(p.maxAge, ''),
    allow_credentials: p.allowCredentials ?? undefined,
    allow_private_network_access: p.allowPrivateNetworkAccess ?? undefined,
    forward_not_matching_preflights: unless(p.forwardNotMatchingPreflights, true),
    filter_enabled: isWhole(p.filterEnabled)
      ? undefined
      : { default_value: fractionalPercent(p.filterEnabled) },
    shadow_enabled:
      p.shadowEnabled === null ? undefined : { default_value: fractionalPercent(p.shadowEnabled) },
  });
}

function encodePerRoute(c: HttpFilterPerRouteConfig): Json {
  switch (c.kind) {
    case 'disabled':
      return { '@type': TYPE.filterConfig, disabled: true };
    case 'fault':
      return { '@type': TYPE.fault, ...encodeHttpFault(c.fault) };
    case 'cors':
      return { '@type': TYPE.corsPolicy, ...encodeCorsPolicy(c.policy) };
    case 'rbac':
      return fields({
        '@type': TYPE.rbacPerRoute,
        rbac: c.rbac === null ? undefined : encodeRbacSettings(c.rbac),
      });
  }
}

/** `typed_per_filter_config` map, or undefined when absent. */
export function encodeTypedPerFilterConfig(t: TypedPerFilterConfig | undefined): Json | undefined {
  if (t === undefined) return undefined;
  const out: Json = {};
  for (const [name, cfg] of Object.entries(t)) out[name] = encodePerRoute(cfg);
  return out;
}
