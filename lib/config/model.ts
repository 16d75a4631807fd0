/**
 * Skiff's typed internal configuration model.
 *
 * Both config front ends (Envoy v3 bootstrap, Istio resources) decode into these types; runtime
 * code compiles them once per snapshot and never sees raw YAML/JSON. Every value is already
 * validated and defaulted: durations are milliseconds, enums are string unions, optional
 * features are `null` when absent. Snapshots are deep-frozen, so treat every field as readonly.
 */

// HTTP filter configs and cluster health/resilience settings live in their own files; every
// model type is still imported from here.
import type { HttpFilterConfig, RbacRulesConfig, TypedPerFilterConfig } from './model-filters.js';
import type {
  CircuitBreakersConfig,
  HealthCheckConfig,
  OutlierDetectionConfig,
  SlowStartConfig,
} from './model-resilience.js';
import type {
  DownstreamTlsConfig,
  FilterChainMatchConfig,
  TransportSocketMatchConfig,
  UpstreamTlsConfig,
} from './model-tls.js';

export type * from './model-filters.js';
export type * from './model-resilience.js';
export type * from './model-tls.js';

/** `ip:port` as written in `socket_address`. `address` may be a hostname for DNS clusters. */
export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

/** Whole validated configuration: what `skiff run -c …` serves. */
export interface Bootstrap {
  /** Files this snapshot was loaded from, in load order (for messages and /config_dump). */
  readonly sources: readonly string[];
  readonly node: NodeInfo;
  readonly admin: AdminConfig | null;
  readonly listeners: readonly ListenerConfig[];
  readonly clusters: readonly ClusterConfig[];
}

export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
}

export interface AdminConfig {
  readonly address: SocketAddress;
  readonly accessLog: readonly AccessLogConfig[];
}

export type TrafficDirection = 'UNSPECIFIED' | 'INBOUND' | 'OUTBOUND';

export interface ListenerConfig {
  readonly name: string;
  readonly address: SocketAddress;
  readonly trafficDirection: TrafficDirection;
  /** Envoy picks a chain by filter_chain_match; until TLS/original-dst arrive there is one. */
  readonly filterChains: readonly FilterChainConfig[];
  /** `per_connection_buffer_limit_bytes`, default 1 MiB. */
  readonly perConnectionBufferLimitBytes: number;
  /**
   * `listener_filters` Skiff runs: `tls_inspector` sniffs a ClientHello (and
   * `http_inspector` the HTTP version) so filter chains can match on them; absent = none.
   */
  readonly listenerFilters?: readonly ('tls_inspector' | 'http_inspector')[];
  /** `listener_filters_timeout` for sniffing the first bytes; absent = Envoy's 15 s, 0 = none. */
  readonly listenerFiltersTimeoutMs?: number;
}

interface FilterChainBase {
  readonly name: string;
  /** `filter_chain_match`; absent = matches every connection. */
  readonly match?: FilterChainMatchConfig;
  /** `transport_socket` TLS termination; absent = plaintext. */
  readonly tls?: DownstreamTlsConfig;
}

/** A chain ending in the `http_connection_manager`. */
export interface HttpFilterChainConfig extends FilterChainBase {
  readonly hcm: HttpConnectionManagerConfig;
  readonly tcpProxy?: undefined;
}

/** A chain ending in `envoy.filters.network.tcp_proxy`. */
export interface TcpFilterChainConfig extends FilterChainBase {
  readonly tcpProxy: TcpProxyConfig;
  readonly hcm?: undefined;
  /** `envoy.filters.network.rbac` filters before the tcp_proxy, in order; absent = none. */
  readonly networkRbac?: readonly NetworkRbacConfig[];
}

/**
 * `envoy.extensions.filters.network.rbac.v3.RBAC` (enforcement ONE_TIME_ON_FIRST_BYTE): checked
 * once per connection; a denial closes it. Stats `<stat_prefix>rbac.*`.
 */
export interface NetworkRbacConfig {
  /** Required, non-empty; Envoy writes it before `rbac.` as is (Istio: `tcp.`). */
  readonly statPrefix: string;
  /** Enforced rules; null = nothing enforced (every connection allowed). */
  readonly rules: RbacRulesConfig | null;
  /** Evaluated and counted, never enforced; null = none. */
  readonly shadowRules: RbacRulesConfig | null;
  /** `shadow_rules_stat_prefix` as written ("" = none); not part of Skiff's stat names. */
  readonly shadowRulesStatPrefix: string;
}

/** One filter chain; its terminal network filter is exactly one of `hcm` / `tcpProxy`. */
export type FilterChainConfig = HttpFilterChainConfig | TcpFilterChainConfig;

/** A `tcp_proxy` upstream choice (`cluster` is one entry of weight 1). */
export interface TcpProxyClusterWeight {
  readonly name: string;
  readonly weight: number;
}

/**
 * `envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`: each downstream connection is
 * paired with one upstream connection to a host of the chosen cluster, bytes copied both ways.
 */
export interface TcpProxyConfig {
  /** Envoy stats under `tcp.<stat_prefix>.`. */
  readonly statPrefix: string;
  /** `cluster` (one entry, weight 1) or `weighted_clusters.clusters`; picked per connection. */
  readonly clusters: readonly TcpProxyClusterWeight[];
  /** `idle_timeout`: no bytes either way for this long closes both sides; default 1 h, 0 = none. */
  readonly idleTimeoutMs: number;
  /** `max_connect_attempts`: upstream connect tries per connection (other hosts preferred); default 1. */
  readonly maxConnectAttempts: number;
  /** `max_downstream_connection_duration`; 0 = none (Envoy's default). */
  readonly maxDownstreamConnectionDurationMs: number;
  /** `access_log`: one line per connection, at close. */
  readonly accessLog: readonly AccessLogConfig[];
}

export type HeadersWithUnderscoresAction = 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';

export interface HttpConnectionManagerConfig {
  readonly statPrefix: string;
  readonly routeConfig: RouteConfiguration;
  /** In order; the router is always last (the decoder enforces it). */
  readonly httpFilters: readonly HttpFilterConfig[];
  readonly accessLog: readonly AccessLogConfig[];
  /** Default true: a UUIDv4 `x-request-id` is generated when missing. */
  readonly generateRequestId: boolean;
  /** Default false: when true an incoming `x-request-id` is kept even on edge requests. */
  readonly preserveExternalRequestId: boolean;
  /** Default 300000 (5 min); 0 disables. */
  readonly streamIdleTimeoutMs: number;
  /** Whole-request receive timeout; default 0 (disabled). */
  readonly requestTimeoutMs: number;
  /** Headers receive timeout; default 0 (disabled, Node's own 60 s guard still applies). */
  readonly requestHeadersTimeoutMs: number;
  /** `server_name`, default "envoy"; sent as `server` on local replies and overwritten responses. */
  readonly serverName: string;
  /** `server_header_transformation`: OVERWRITE (default), APPEND_IF_ABSENT, PASS_THROUGH. */
  readonly serverHeaderTransformation: 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  /** Default false (sidecar). When true the downstream peer address is appended to XFF. */
  readonly useRemoteAddress: boolean;
  readonly xffNumTrustedHops: number;
  readonly skipXffAppend: boolean;
  /** `via` header value to append; empty = none. */
  readonly via: string;
  /** `max_request_headers_kb`, default 60. */
  readonly maxRequestHeadersKb: number;
  /** Downstream connection idle timeout (common_http_protocol_options.idle_timeout), default 1 h. */
  readonly idleTimeoutMs: number;
  /** common_http_protocol_options.max_headers_count, default 100. */
  readonly maxHeadersCount: number;
  /** common_http_protocol_options.max_requests_per_connection, 0 = unlimited. */
  readonly maxRequestsPerConnection: number;
  readonly headersWithUnderscoresAction: HeadersWithUnderscoresAction;
  /** http_protocol_options.allow_absolute_url: default false → absolute-form targets get 400. */
  readonly allowAbsoluteUrl: boolean;
  /** `normalize_path` default false; `merge_slashes` default false. */
  readonly normalizePath: boolean;
  readonly mergeSlashes: boolean;
  /** `path_with_escaped_slashes_action` (%2F / %5C); absent = KEEP_UNCHANGED (Envoy's default). */
  readonly pathWithEscapedSlashesAction?:
    | 'KEEP_UNCHANGED'
    | 'REJECT_REQUEST'
    | 'UNESCAPE_AND_REDIRECT'
    | 'UNESCAPE_AND_FORWARD';
  /** Drain timeout for graceful close, default 5000. */
  readonly drainTimeoutMs: number;
  /** `forward_client_cert_details`; absent = SANITIZE (Envoy's default). */
  readonly forwardClientCertDetails?: ForwardClientCertDetails;
  /** `set_current_client_cert_details`: what SANITIZE_SET / APPEND_FORWARD add; absent = By and Hash only. */
  readonly setCurrentClientCertDetails?: ClientCertDetailsConfig;
  /** `tracing`: spans and propagation; absent = no tracing (sidecar listeners get Skiff's `tracing` option). */
  readonly tracing?: HttpTracingConfig;
}

/** HCM `tracing`: sampling percentages (0–100, Envoy defaults 100) and where sampled spans go. */
export interface HttpTracingConfig {
  readonly clientSamplingPct: number;
  readonly randomSamplingPct: number;
  readonly overallSamplingPct: number;
  /** `max_path_tag_length`, default 256. */
  readonly maxPathTagLength: number;
  /** null = propagate and decide only; sampled spans are not exported. */
  readonly provider: TracingProviderConfig | null;
}

/** `tracing.provider`: OpenTelemetry (OTLP/HTTP JSON) or Zipkin (JSON v2), both over HTTP. */
export interface TracingProviderConfig {
  readonly kind: 'opentelemetry' | 'zipkin';
  /** Provider `name` as written. */
  readonly name: string;
  /** Collector URL spans are POSTed to (its path and Host header). */
  readonly url: string;
  /** Cluster whose hosts receive the POST (Envoy's `http_uri.cluster` / `collector_cluster`); null = the URL's host. */
  readonly cluster: string | null;
  readonly timeoutMs: number;
  /** Exported service name; '' = the node's cluster (Envoy mode) or `<app>.<namespace>` (sidecar). */
  readonly serviceName: string;
  /** Extra headers on export requests (`http_service.request_headers_to_add`). */
  readonly headers: readonly (readonly [string, string])[];
}

/** How the HCM treats `x-forwarded-client-cert`. */
export type ForwardClientCertDetails =
  | 'SANITIZE'
  | 'FORWARD_ONLY'
  | 'APPEND_FORWARD'
  | 'SANITIZE_SET'
  | 'ALWAYS_FORWARD_ONLY';

/** `set_current_client_cert_details`: the peer certificate facts added to XFCC. */
export interface ClientCertDetailsConfig {
  readonly subject: boolean;
  readonly cert: boolean;
  readonly chain: boolean;
  readonly dns: boolean;
  readonly uri: boolean;
}

// ─── Routing ─────────────────────────────────────────────────────────────────────────────

export interface RouteConfiguration {
  readonly name: string;
  readonly virtualHosts: readonly VirtualHostConfig[];
  readonly headers: HeaderMutations;
  /** Envoy default false: the Host's port takes part in domain matching unless this is true. */
  readonly ignorePortInHostMatching: boolean;
  /** Absent when not configured (as on the three levels below). */
  readonly typedPerFilterConfig?: TypedPerFilterConfig;
}

/** `request_headers_to_add/remove`, `response_headers_to_add/remove` at any level. */
export interface HeaderMutations {
  readonly requestHeadersToAdd: readonly HeaderValueOption[];
  readonly requestHeadersToRemove: readonly string[];
  readonly responseHeadersToAdd: readonly HeaderValueOption[];
  readonly responseHeadersToRemove: readonly string[];
}

export type HeaderAppendAction =
  | 'APPEND_IF_EXISTS_OR_ADD'
  | 'ADD_IF_ABSENT'
  | 'OVERWRITE_IF_EXISTS_OR_ADD'
  | 'OVERWRITE_IF_EXISTS';

export interface HeaderValueOption {
  /** Lower-cased header name. */
  readonly key: string;
  /** Raw value; may hold `%COMMAND%` substitutions (e.g. %DOWNSTREAM_REMOTE_ADDRESS%). */
  readonly value: string;
  readonly appendAction: HeaderAppendAction;
  /** `keep_empty_value`: default false, an empty result is not added. */
  readonly keepEmptyValue: boolean;
}

export interface VirtualHostConfig {
  readonly name: string;
  /** As written: exact, `*.suffix`, `prefix.*`, `*`; lower-cased; may carry `:port`. */
  readonly domains: readonly string[];
  readonly routes: readonly RouteConfig[];
  readonly headers: HeaderMutations;
  readonly retryPolicy: RetryPolicyConfig | null;
  readonly includeRequestAttemptCount: boolean;
  readonly includeAttemptCountInResponse: boolean;
  /** `per_request_buffer_limit_bytes`; null = Skiff's default of 1 MiB (the listener buffer). */
  readonly perRequestBufferLimitBytes: number | null;
  readonly typedPerFilterConfig?: TypedPerFilterConfig;
}

export interface RouteConfig {
  /** `name`, or `""` when unnamed. */
  readonly name: string;
  readonly match: RouteMatchConfig;
  readonly action: RouteActionConfig;
  readonly headers: HeaderMutations;
  /** `decorator.operation` or null. */
  readonly decoratorOperation: string | null;
  /** `per_request_buffer_limit_bytes` (retry body buffer); null = the virtual host's. */
  readonly perRequestBufferLimitBytes: number | null;
  readonly typedPerFilterConfig?: TypedPerFilterConfig;
}

export type PathMatchConfig =
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'path'; readonly value: string }
  | { readonly kind: 'safe_regex'; readonly regex: string }
  | { readonly kind: 'path_separated_prefix'; readonly value: string };

export interface RouteMatchConfig {
  readonly path: PathMatchConfig;
  /** Default true; ignored for safe_regex. */
  readonly caseSensitive: boolean;
  readonly headers: readonly HeaderMatcherConfig[];
  readonly queryParameters: readonly QueryParameterMatcherConfig[];
  /** `grpc: {}` present: content-type must start with application/grpc. */
  readonly grpc: boolean;
}

/** Envoy `StringMatcher`. Regexes are RE2 syntax as written; the router compiles them. */
export type StringMatcherConfig =
  | {
      readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains';
      readonly value: string;
      readonly ignoreCase: boolean;
    }
  | { readonly kind: 'safe_regex'; readonly regex: string; readonly ignoreCase: boolean };

export type HeaderMatchConfig =
  | { readonly kind: 'string'; readonly matcher: StringMatcherConfig }
  | { readonly kind: 'present'; readonly present: boolean }
  /** Half-open [start, end); value must be a base-10 integer. */
  | { readonly kind: 'range'; readonly start: number; readonly end: number };

export interface HeaderMatcherConfig {
  /** Lower-cased; may be a pseudo-header (`:method`, `:authority`, `:path`, `:scheme`). */
  readonly name: string;
  readonly match: HeaderMatchConfig;
  readonly invert: boolean;
  readonly treatMissingAsEmpty: boolean;
}

export interface QueryParameterMatcherConfig {
  readonly name: string;
  readonly match:
    | { readonly kind: 'string'; readonly matcher: StringMatcherConfig }
    | { readonly kind: 'present'; readonly present: boolean };
}

export type RouteActionConfig = ForwardActionConfig | RedirectActionConfig | DirectResponseConfig;

export type ClusterTargetConfig =
  | { readonly kind: 'cluster'; readonly name: string }
  | { readonly kind: 'cluster_header'; readonly header: string }
  | { readonly kind: 'weighted'; readonly clusters: readonly WeightedClusterConfig[] };

export interface WeightedClusterConfig {
  readonly name: string;
  /** Relative weight; the sum over the list is > 0 (decoder-enforced). */
  readonly weight: number;
  readonly headers: HeaderMutations;
  readonly hostRewriteLiteral: string | null;
  readonly typedPerFilterConfig?: TypedPerFilterConfig;
}

export interface ForwardActionConfig {
  readonly kind: 'forward';
  readonly target: ClusterTargetConfig;
  readonly prefixRewrite: string | null;
  readonly regexRewrite: { readonly regex: string; readonly substitution: string } | null;
  readonly hostRewriteLiteral: string | null;
  readonly autoHostRewrite: boolean;
  /** Route `timeout`: default 15000, 0 disables. Includes retries. */
  readonly timeoutMs: number;
  /** Route `idle_timeout`, null when unset. */
  readonly idleTimeoutMs: number | null;
  /** Route-level policy; replaces the virtual host's wholesale when present. */
  readonly retryPolicy: RetryPolicyConfig | null;
  /** `cluster_not_found_response_code`: 503 (default), 404 or 500. */
  readonly clusterNotFoundResponseCode: 503 | 404 | 500;
  /** Route `hash_policy[]` in order; absent (never empty) when the route has none. */
  readonly hashPolicy?: readonly HashPolicyConfig[];
  /** `request_mirror_policies[]` (shadowing); absent (never empty) when the route has none. */
  readonly requestMirrorPolicies?: readonly RequestMirrorPolicyConfig[];
}

/**
 * `RouteAction.RequestMirrorPolicy`: a fire-and-forget copy of the request to `cluster`; its
 * response is ignored and it never delays or fails the real request.
 */
export interface RequestMirrorPolicyConfig {
  readonly cluster: string;
  /** `runtime_fraction.default_value`; absent = every request (100 %). */
  readonly fraction: { readonly numerator: number; readonly denominator: 100 | 10_000 | 1_000_000 };
  /** `disable_shadow_host_suffix_append`: default false, `-shadow` is appended to the host. */
  readonly disableShadowHostSuffixAppend: boolean;
}

/** One `RouteAction.HashPolicy` entry; `terminal` stops evaluation once a hash exists. */
export type HashPolicyConfig =
  | {
      readonly kind: 'header';
      /** Lower-cased; may be a pseudo-header such as `:authority`. */
      readonly headerName: string;
      readonly regexRewrite: { readonly regex: string; readonly substitution: string } | null;
      readonly terminal: boolean;
    }
  | {
      readonly kind: 'cookie';
      readonly name: string;
      /** Whole seconds; null = never generate the cookie, 0 = generate a session cookie. */
      readonly ttlSeconds: number | null;
      /** `path`, "" when unset. */
      readonly path: string;
      readonly attributes: readonly { readonly name: string; readonly value: string }[];
      readonly terminal: boolean;
    }
  | { readonly kind: 'source_ip'; readonly terminal: boolean }
  | { readonly kind: 'query_parameter'; readonly name: string; readonly terminal: boolean }
  /** Skiff sets no filter state objects, so this never yields a hash (decoded with a warning). */
  | { readonly kind: 'filter_state'; readonly key: string; readonly terminal: boolean };

export type RedirectResponseCode = 301 | 302 | 303 | 307 | 308;

export interface RedirectActionConfig {
  readonly kind: 'redirect';
  readonly schemeRedirect: string | null;
  readonly hostRedirect: string | null;
  readonly portRedirect: number | null;
  readonly pathRedirect: string | null;
  readonly prefixRewrite: string | null;
  readonly regexRewrite: { readonly regex: string; readonly substitution: string } | null;
  readonly responseCode: RedirectResponseCode;
  readonly stripQuery: boolean;
}

export interface DirectResponseConfig {
  readonly kind: 'direct_response';
  readonly status: number;
  /** `body.inline_string` (or inline_bytes decoded); null for no body. */
  readonly body: string | null;
}

/** A route or virtual host retry policy (enforced by the router filter). */
export interface RetryPolicyConfig {
  readonly retryOn: readonly string[];
  readonly numRetries: number;
  readonly perTryTimeoutMs: number | null;
  readonly perTryIdleTimeoutMs: number | null;
  readonly retriableStatusCodes: readonly number[];
  readonly retriableHeaders: readonly HeaderMatcherConfig[];
  readonly backOff: { readonly baseIntervalMs: number; readonly maxIntervalMs: number } | null;
  readonly previousHostsPredicate: boolean;
  readonly hostSelectionRetryMaxAttempts: number;
}

// ─── Clusters ────────────────────────────────────────────────────────────────────────────

export type DiscoveryType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV';
export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';
export type DnsLookupFamily = 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';

/** Where an EDS cluster reads its `ClusterLoadAssignment` (a DiscoveryResponse file, watched). */
export interface EdsFileConfig {
  readonly path: string;
  /** The assignment's `cluster_name` to use: `service_name`, else the cluster's name. */
  readonly serviceName: string;
}

export interface EndpointConfig {
  readonly address: SocketAddress;
  /** `load_balancing_weight`, default 1. */
  readonly weight: number;
  readonly healthStatus: HealthStatus;
  /** Locality of the enclosing `LocalityLbEndpoints`. */
  readonly locality: { readonly region: string; readonly zone: string; readonly subZone: string };
  readonly priority: number;
  /** `endpoint.hostname`, or "" (used by auto_host_rewrite when set). */
  readonly hostname: string;
  /** Flattened `metadata.filter_metadata['istio']`/`envoy.lb` labels (for subsets). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface ClusterConfig {
  readonly name: string;
  readonly type: DiscoveryType;
  /** Default 5000. */
  readonly connectTimeoutMs: number;
  readonly lbPolicy: LbPolicy;
  readonly endpoints: readonly EndpointConfig[];
  /** STRICT_DNS/LOGICAL_DNS re-resolve period, default 5000. */
  readonly dnsRefreshRateMs: number;
  readonly dnsLookupFamily: DnsLookupFamily;
  /** Upstream connection idle timeout (common_http_protocol_options.idle_timeout), default 1 h. */
  readonly idleTimeoutMs: number;
  /** 0 = unlimited. */
  readonly maxRequestsPerConnection: number;
  readonly perConnectionBufferLimitBytes: number;
  /** `least_request_lb_config.choice_count`, default 2. */
  readonly leastRequestChoiceCount: number;
  /** `ring_hash_lb_config.minimum_ring_size` default 1024, maximum 8M. */
  readonly ringHash: { readonly minimumRingSize: number; readonly maximumRingSize: number };
  /** `maglev_lb_config.table_size`, default 65537 (prime). */
  readonly maglevTableSize: number;
  /** `common_lb_config.healthy_panic_threshold` percent, default 50. */
  readonly healthyPanicThresholdPercent: number;
  /** EDS from a file (`eds_config.path_config_source`); null for other types or xDS sources. */
  readonly eds: EdsFileConfig | null;
  /** Upstream protocol: http1 now; h2 in the HTTP/2 issue. */
  readonly upstreamProtocol: 'http1' | 'http2';
  /** `outlier_detection`; null when the cluster has none (passive health off). */
  readonly outlierDetection: OutlierDetectionConfig | null;
  /**
   * `round_robin_lb_config.slow_start_config` (ROUND_ROBIN) or
   * `least_request_lb_config.slow_start_config` (LEAST_REQUEST); absent when off.
   */
  readonly slowStart?: SlowStartConfig;
  /** `least_request_lb_config.active_request_bias.default_value`; absent = 1.0. */
  readonly activeRequestBias?: number;
  /**
   * ORIGINAL_DST clusters: where the destination comes from. Absent for other types.
   * Skiff extension: the header value may be `host[:port]` with a DNS name (Envoy requires an
   * IP), which is how Istio's PassthroughCluster works without iptables (routing by Host).
   */
  readonly originalDst?: OriginalDstConfig;
  /** `transport_socket` UpstreamTlsContext for every endpoint; absent = plaintext. */
  readonly upstreamTls?: UpstreamTlsConfig;
  /** `transport_socket_matches[]`, checked per endpoint before `upstreamTls`; absent = none. */
  readonly transportSocketMatches?: readonly TransportSocketMatchConfig[];
  /** `health_checks[]` (at most one for now); empty = no active health checking. */
  readonly healthChecks: readonly HealthCheckConfig[];
  /** `circuit_breakers.thresholds[]` per routing priority, Envoy's defaults where unset. */
  readonly circuitBreakers: CircuitBreakersConfig;
}

/** `original_dst_lb_config` plus `cleanup_interval` of an ORIGINAL_DST cluster. */
export interface OriginalDstConfig {
  /**
   * `use_http_header`/`http_header_name` (default `x-envoy-original-dst-host`), lower-cased;
   * `:authority` routes by the request's Host. null = the connection's original destination
   * (iptables capture), which needs the capture issue.
   */
  readonly httpHeaderName: string | null;
  /** `upstream_port_override`, else the port in the header value, else this default (80). */
  readonly defaultPort: number;
  /** `upstream_port_override`; null = none. */
  readonly upstreamPortOverride: number | null;
  /** `cleanup_interval`, default 5000: hosts unused for that long are removed. */
  readonly cleanupIntervalMs: number;
}

// ─── Access logs ─────────────────────────────────────────────────────────────────────────

export interface AccessLogConfig {
  readonly name: string;
  /** `/dev/stdout`, `/dev/stderr` or a file path. */
  readonly path: string;
  /** Text format with %COMMAND% operators; null = Envoy's default format. */
  readonly textFormat: string | null;
  /** `json_format`: key → format string (or nested). null unless JSON. */
  readonly jsonFormat: Readonly<Record<string, unknown>> | null;
}
