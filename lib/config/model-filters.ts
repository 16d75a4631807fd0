/** HTTP filter configs of the internal model (re-exported by model.ts). */
import type { HeaderMatcherConfig, StringMatcherConfig } from './model.js';

/** One HTTP filter. A discriminated union so each filter factory gets its own typed config. */
export type HttpFilterConfig = HttpFilterConfigByKind[keyof HttpFilterConfigByKind];

/** Decoded config of each HTTP filter kind; a new filter adds one member (lib/filters/registry.ts). */
export interface HttpFilterConfigByKind {
  readonly router: RouterFilterConfig;
  readonly fault: FaultFilterConfig;
  readonly cors: CorsFilterConfig;
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
