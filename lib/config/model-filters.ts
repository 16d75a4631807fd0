/** HTTP filter configs of the internal model (re-exported by model.ts). */
import type { HeaderMatcherConfig, StringMatcherConfig } from './model.js';

/** One HTTP filter. A discriminated union so each filter factory gets its own typed config. */
export type HttpFilterConfig = HttpFilterConfigByKind[keyof HttpFilterConfigByKind];

/** Decoded config of each HTTP filter kind; a new filter adds one member (lib/filters/registry.ts). */
export interface HttpFilterConfigByKind {
  readonly router: RouterFilterConfig;
  readonly fault: FaultFilterConfig;
  readonly cors: CorsFilterConfig;
  readonly rbac: RbacFilterConfig;
}

/** `envoy.filters.http.cors`: policies come per route/vhost (typed_per_filter_config). */
export interface CorsFilterConfig {
  readonly kind: 'cors';
  readonly name: string;
}

/** `envoy.extensions.filters.http.cors.v3.CorsPolicy` (per route, vhost or route config). */
export interface CorsPolicyConfig {
  /** `allow_origin_string_match`; empty = no origin is allowed. */
  readonly allowOrigins: readonly StringMatcherConfig[];
  /** Comma list as written ("" = none), echoed in `access-control-allow-methods`. */
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly exposeHeaders: string;
  /** `max_age` as written (seconds), "" = not sent. */
  readonly maxAge: string;
  /** null = not sent. */
  readonly allowCredentials: boolean | null;
  readonly allowPrivateNetworkAccess: boolean | null;
  /** `forward_not_matching_preflights`, default true (Istio `unmatchedPreflights: FORWARD`). */
  readonly forwardNotMatchingPreflights: boolean;
  /** `filter_enabled` (default 100 %). */
  readonly filterEnabled: FractionalPercentConfig;
  /** `shadow_enabled`: evaluated and counted, not enforced; null = off. */
  readonly shadowEnabled: FractionalPercentConfig | null;
}

/** `envoy.filters.http.fault` in `http_filters`: the listener-level fault settings. */
export interface FaultFilterConfig {
  readonly kind: 'fault';
  readonly name: string;
  readonly fault: HttpFaultConfig;
}

/** `type.v3.FractionalPercent`: numerator over 100, 10 000 or 1 000 000 (proto default 0/100). */
export interface FractionalPercentConfig {
  readonly numerator: number;
  readonly denominator: 100 | 10_000 | 1_000_000;
}

/** `FaultDelay`: a fixed delay, or `header_delay` (the request's x-envoy-fault-delay-request). */
export interface FaultDelayConfig {
  readonly kind: 'fixed' | 'header';
  /** `fixed_delay` in ms; 0 for header delays. */
  readonly fixedDelayMs: number;
  readonly percentage: FractionalPercentConfig;
}

/** `FaultAbort`: a fixed HTTP or gRPC status, or `header_abort` (x-envoy-fault-abort-*). */
export interface FaultAbortConfig {
  readonly kind: 'http_status' | 'grpc_status' | 'header';
  /** 200–599 for `http_status`, else 0. */
  readonly httpStatus: number;
  /** For `grpc_status`, else 0. */
  readonly grpcStatus: number;
  readonly percentage: FractionalPercentConfig;
}

/** `FaultRateLimit` (response_rate_limit): decoded, not enforced yet. */
export interface FaultRateLimitConfig {
  readonly kind: 'fixed' | 'header';
  /** `fixed_limit.limit_kbps`; 0 for header limits. */
  readonly limitKbps: number;
  readonly percentage: FractionalPercentConfig;
}

/** `envoy.extensions.filters.http.fault.v3.HTTPFault`, at filter level or per route. */
export interface HttpFaultConfig {
  readonly delay: FaultDelayConfig | null;
  readonly abort: FaultAbortConfig | null;
  /** Only requests routed to this cluster are faulted; "" = any. */
  readonly upstreamCluster: string;
  /** All must match the request headers. */
  readonly headers: readonly HeaderMatcherConfig[];
  /** x-envoy-downstream-service-node must be one of these; empty = any. */
  readonly downstreamNodes: readonly string[];
  /** null = unlimited. */
  readonly maxActiveFaults: number | null;
  readonly responseRateLimit: FaultRateLimitConfig | null;
  readonly disableDownstreamClusterStats: boolean;
}

/** A `typed_per_filter_config` value, decoded by its @type (see HttpFilterPerRouteConfigByKind). */
export type HttpFilterPerRouteConfig = HttpFilterPerRouteConfigByKind[keyof HttpFilterPerRouteConfigByKind];

/** Per-route config of each filter kind; a filter with per-route settings adds one member. */
export interface HttpFilterPerRouteConfigByKind {
  /** `FilterConfig{disabled: true}`: the filter does nothing on this route. */
  readonly disabled: { readonly kind: 'disabled' };
  readonly fault: { readonly kind: 'fault'; readonly fault: HttpFaultConfig };
  readonly cors: { readonly kind: 'cors'; readonly policy: CorsPolicyConfig };
  /** `RBACPerRoute`: `rbac` replaces the filter's config on the route; null turns RBAC off there. */
  readonly rbac: { readonly kind: 'rbac'; readonly rbac: RbacSettingsConfig | null };
}

/** `typed_per_filter_config`: filter name (as in http_filters) → its per-route config. */
export type TypedPerFilterConfig = Readonly<Record<string, HttpFilterPerRouteConfig>>;

export interface RouterFilterConfig {
  readonly kind: 'router';
  readonly name: string;
  /** `suppress_envoy_headers`: no `x-envoy-*` added to responses or upstream requests. */
  readonly suppressEnvoyHeaders: boolean;
  /** `start_child_span` (tracing issue). */
  readonly startChildSpan: boolean;
}

/** The engines of an `RBAC` filter config (shared by the filter entry and `RBACPerRoute`). */
export interface RbacSettingsConfig {
  /** Enforced rules; null = nothing enforced (every request allowed). */
  readonly rules: RbacRulesConfig | null;
  /** Evaluated and counted (shadow_allowed / shadow_denied) but never enforced; null = none. */
  readonly shadowRules: RbacRulesConfig | null;
  /** `rules_stat_prefix` as written ("" = none); not part of Skiff's stat names. */
  readonly rulesStatPrefix: string;
  /** `shadow_rules_stat_prefix` as written ("" = none); not part of Skiff's stat names. */
  readonly shadowRulesStatPrefix: string;
}

/** `envoy.filters.http.rbac` (`extensions.filters.http.rbac.v3.RBAC`) in http_filters. */
export interface RbacFilterConfig extends RbacSettingsConfig {
  readonly kind: 'rbac';
  readonly name: string;
}

/** `config.rbac.v3.RBAC`: ALLOW = allowed iff a policy matches; DENY = denied iff one does; LOG = allowed. */
export interface RbacRulesConfig {
  readonly action: 'ALLOW' | 'DENY' | 'LOG';
  /** Sorted by name, as Envoy keeps them (the first match names the effective policy). */
  readonly policies: readonly RbacPolicyConfig[];
}

/** `config.rbac.v3.Policy`: matches when any permission and any principal match. */
export interface RbacPolicyConfig {
  readonly name: string;
  /** At least one. */
  readonly permissions: readonly PermissionConfig[];
  /** At least one. */
  readonly principals: readonly PrincipalConfig[];
}

/** `config.core.v3.CidrRange`, prefix length clamped to the family's width as Envoy does. */
export interface CidrRangeConfig {
  readonly addressPrefix: string;
  readonly prefixLen: number;
}

/** `config.rbac.v3.Permission`: what the request does. */
export type PermissionConfig =
  | { readonly kind: 'any' }
  | { readonly kind: 'and_rules' | 'or_rules'; readonly rules: readonly PermissionConfig[] }
  | { readonly kind: 'not_rule'; readonly rule: PermissionConfig }
  | { readonly kind: 'header'; readonly header: HeaderMatcherConfig }
  /** `url_path.path`: matched against `:path` without its query. */
  | { readonly kind: 'url_path'; readonly path: StringMatcherConfig }
  | { readonly kind: 'destination_ip'; readonly cidr: CidrRangeConfig }
  | { readonly kind: 'destination_port'; readonly port: number }
  /** `destination_port_range` (start inclusive, end exclusive). */
  | { readonly kind: 'destination_port_range'; readonly start: number; readonly end: number }
  | { readonly kind: 'requested_server_name'; readonly name: StringMatcherConfig };

/** `config.rbac.v3.Principal`: who sends the request. */
export type PrincipalConfig =
  | { readonly kind: 'any' }
  | { readonly kind: 'and_ids' | 'or_ids'; readonly ids: readonly PrincipalConfig[] }
  | { readonly kind: 'not_id'; readonly id: PrincipalConfig }
  /** `authenticated`: a peer certificate whose URI SAN matches; null = any peer certificate. */
  | { readonly kind: 'authenticated'; readonly principalName: StringMatcherConfig | null }
  /** `direct_remote_ip`, `remote_ip` and the deprecated `source_ip` (all the socket peer in Skiff). */
  | { readonly kind: 'direct_remote_ip' | 'remote_ip' | 'source_ip'; readonly cidr: CidrRangeConfig }
  | { readonly kind: 'header'; readonly header: HeaderMatcherConfig }
  | { readonly kind: 'url_path'; readonly path: StringMatcherConfig };
