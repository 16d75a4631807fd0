/**
 * Per-message lists of real Envoy fields that are not decoded: `ignored` ones are accepted and
 * have no effect (they tune things Skiff does not have, or only observability); `unsupported`
 * ones change behaviour, so a config using them is rejected with "not supported yet" instead of
 * silently behaving differently. Anything else that is not decoded is an `unknown field`.
 * docs/config.md lists the ignored fields; a test keeps the two in step.
 */
import type { FinishRules } from '../reader.js';

const TRACING = 'coming with tracing';
const MTLS = 'coming with mTLS';
const XDS = 'Skiff reads static configuration only';

export const BOOTSTRAP_RULES: FinishRules = {
  ignored: [
    'layered_runtime',
    'stats_config',
    'stats_sinks',
    'stats_flush_interval',
    'stats_flush_on_admin',
    'stats_server_version_override',
    'overload_manager',
    'watchdog',
    'watchdogs',
    'cluster_manager',
    'flags_path',
    'enable_dispatcher_stats',
    'use_tcp_for_dns_lookups',
    'dns_resolution_config',
    'typed_dns_resolver_config',
    'fatal_actions',
    'default_socket_interface',
    'inline_headers',
    'perf_tracing_file_path',
    'default_regex_engine',
    'application_log_config',
    'node_context_params',
  ],
  unsupported: {
    hds_config: '',
    tracing: TRACING,
    header_prefix: '',
    bootstrap_extensions: '',
    config_sources: XDS,
    default_config_source: XDS,
    certificate_provider_instances: MTLS,
  },
};

export const NODE_RULES: FinishRules = {
  ignored: [
    'locality',
    'metadata',
    'user_agent_name',
    'user_agent_version',
    'user_agent_build_version',
    'extensions',
    'client_features',
    'listening_addresses',
    'dynamic_parameters',
  ],
};

export const ADMIN_RULES: FinishRules = {
  ignored: ['profile_path', 'socket_options', 'ignore_global_conn_limit'],
};

export const STATIC_RESOURCES_RULES: FinishRules = { unsupported: { secrets: MTLS } };

export const ADDRESS_RULES: FinishRules = { unsupported: { pipe: '', envoy_internal_address: '' } };
export const SOCKET_ADDRESS_RULES: FinishRules = {
  ignored: ['ipv4_compat'],
  unsupported: { named_port: '', resolver_name: '', network_namespace_filepath: '' },
};

export const LISTENER_RULES: FinishRules = {
  ignored: [
    'metadata',
    'stat_prefix',
    'socket_options',
    'tcp_fast_open_queue_length',
    'enable_reuse_port',
    'reuse_port',
    'drain_type',
    'continue_on_listener_filters_timeout',
    'tcp_backlog_size',
    'connection_balance_config',
    'ignore_global_conn_limit',
    'max_connections_to_accept_per_socket_event',
  ],
  unsupported: {
    default_filter_chain: '',
    use_original_dst: '',
    transparent: '',
    freebind: '',
    bind_to_port: '',
    access_log: '',
    udp_listener_config: '',
    api_listener: '',
    internal_listener: '',
    additional_addresses: '',
    filter_chain_matcher: '',
    enable_mptcp: '',
  },
};

export const LISTENER_FILTER_RULES: FinishRules = {
  unsupported: { filter_disabled: '', config_discovery: '' },
};
export const FILTER_CHAIN_RULES: FinishRules = {
  ignored: ['metadata', 'transport_socket_connect_timeout'],
};
export const NETWORK_FILTER_RULES: FinishRules = { unsupported: { config_discovery: XDS } };

export const HCM_RULES: FinishRules = {
  ignored: ['delayed_close_timeout', 'http2_protocol_options', 'stream_error_on_invalid_http_message'],
  unsupported: {
    upgrade_configs: '',
    add_user_agent: '',
    internal_address_config: '',
    strip_matching_host_port: '',
    strip_any_host_port: '',
    max_connection_duration: '',
    max_stream_duration: '',
    local_reply_config: '',
    always_set_request_id_in_response: '',
    request_id_extension: '',
    original_ip_detection_extensions: '',
    early_header_mutation_extensions: '',
    http3_protocol_options: '',
    scheme_header_transformation: '',
    access_log_options: '',
    proxy_100_continue: '',
    represent_ipv4_remote_address_as_ipv4_mapped_ipv6: '',
    strip_trailing_host_dot: '',
    proxy_status_config: '',
    typed_header_validation_config: '',
    append_x_forwarded_port: '',
    append_local_overload: '',
    add_proxy_protocol_connection_state: '',
  },
};

// ─── tcp_proxy (lib/config/envoy/tcp-proxy.ts) ──────────────────────────────────────────────
export const TCP_PROXY_RULES: FinishRules = {
  unsupported: {
    metadata_match: '',
    hash_policy: '',
    tunneling_config: '',
    on_demand: '',
    upstream_idle_timeout: 'use idle_timeout',
    downstream_idle_timeout: 'use idle_timeout',
    access_log_options: '',
    access_log_flush_interval: '',
    flush_access_log_on_connected: '',
    backoff_options: '',
    proxy_protocol_tlvs: '',
    max_downstream_connection_duration_percent: '',
    max_early_data_bytes: '',
  },
};
export const TCP_PROXY_WEIGHTED_CLUSTER_RULES: FinishRules = {};
export const TCP_PROXY_CLUSTER_WEIGHT_RULES: FinishRules = { unsupported: { metadata_match: '' } };

export const HTTP_PROTOCOL_OPTIONS_RULES: FinishRules = {
  unsupported: { max_connection_duration: '', max_stream_duration: '', max_response_headers_kb: '' },
};
export const HTTP1_OPTIONS_RULES: FinishRules = {
  ignored: ['accept_http_10', 'default_host_for_http_10', 'header_key_format', 'enable_trailers'],
  unsupported: {
    allow_chunked_length: '',
    override_stream_error_on_invalid_http_message: '',
    send_fully_qualified_url: '',
    use_balsa_parser: '',
    allow_custom_methods: '',
  },
};

export const HTTP_FILTER_RULES: FinishRules = { unsupported: { config_discovery: XDS, disabled: '' } };
export const ROUTER_RULES: FinishRules = {
  ignored: ['dynamic_stats', 'suppress_grpc_request_failure_code_stats'],
  unsupported: {
    upstream_log: '',
    upstream_log_options: '',
    strict_check_headers: '',
    respect_expected_rq_timeout: '',
    upstream_http_filters: '',
  },
};

export const HTTP_FAULT_RULES: FinishRules = {
  ignored: [
    'delay_percent_runtime',
    'abort_percent_runtime',
    'delay_duration_runtime',
    'abort_http_status_runtime',
    'max_active_faults_runtime',
    'response_rate_limit_percent_runtime',
    'abort_grpc_status_runtime',
    'filter_metadata',
  ],
};

export const CORS_POLICY_RULES: FinishRules = {};
export const RUNTIME_FRACTIONAL_PERCENT_RULES: FinishRules = { ignored: ['runtime_key'] };

export const ACCESS_LOG_RULES: FinishRules = { unsupported: { filter: '' } };
export const FILE_ACCESS_LOG_RULES: FinishRules = {
  unsupported: { typed_json_format: 'use log_format.json_format' },
};
export const LOG_FORMAT_RULES: FinishRules = {
  ignored: ['content_type', 'json_format_options'],
  unsupported: { omit_empty_values: '', formatters: '' },
};
export const DATA_SOURCE_RULES: FinishRules = {};

export const ROUTE_CONFIGURATION_RULES: FinishRules = {
  ignored: ['metadata'],
  unsupported: {
    vhds: XDS,
    internal_only_headers: '',
    most_specific_header_mutations_wins: '',
    cluster_specifier_plugins: '',
    request_mirror_policies: '',
    ignore_path_parameters_in_path_matching: '',
    typed_per_filter_config: '',
  },
};

export const VIRTUAL_HOST_RULES: FinishRules = {
  ignored: ['virtual_clusters', 'metadata'],
  unsupported: {
    matcher: '',
    require_tls: '',
    rate_limits: '',
    cors: '',
    typed_per_filter_config: '',
    retry_policy_typed_config: '',
    hedge_policy: '',
    include_is_timeout_retry_header: '',
    request_mirror_policies: '',
  },
};

export const ROUTE_RULES: FinishRules = {
  ignored: ['metadata', 'stat_prefix'],
  unsupported: {
    filter_action: '',
    non_forwarding_action: '',
    typed_per_filter_config: '',
    tracing: TRACING,
  },
};
export const DECORATOR_RULES: FinishRules = { ignored: ['propagate'] };

export const ROUTE_MATCH_RULES: FinishRules = {
  unsupported: {
    connect_matcher: '',
    path_match_policy: '',
    runtime_fraction: '',
    tls_context: '',
    dynamic_metadata: '',
    filter_state: '',
    cookies: '',
  },
};

export const ROUTE_ACTION_RULES: FinishRules = {
  ignored: ['priority', 'include_vh_rate_limits'],
  unsupported: {
    cluster_specifier_plugin: '',
    inline_cluster_specifier_plugin: '',
    metadata_match: '',
    path_rewrite_policy: '',
    host_rewrite_header: '',
    host_rewrite_path_regex: '',
    append_x_forwarded_host: '',
    early_data_policy: '',
    retry_policy_typed_config: '',
    rate_limits: '',
    cors: '',
    max_grpc_timeout: '',
    grpc_timeout_offset: '',
    upgrade_configs: '',
    internal_redirect_policy: '',
    internal_redirect_action: '',
    max_internal_redirects: '',
    hedge_policy: '',
    max_stream_duration: '',
  },
};

export const REQUEST_MIRROR_POLICY_RULES: FinishRules = {
  ignored: ['trace_sampled'],
  unsupported: { request_headers_mutations: '', host_rewrite_literal: '' },
};

export const HASH_POLICY_RULES: FinishRules = {};
export const HASH_HEADER_RULES: FinishRules = {};
export const HASH_COOKIE_RULES: FinishRules = {};
export const COOKIE_ATTRIBUTE_RULES: FinishRules = {};
export const CONNECTION_PROPERTIES_RULES: FinishRules = {};
export const HASH_QUERY_PARAMETER_RULES: FinishRules = {};
export const HASH_FILTER_STATE_RULES: FinishRules = {};

export const WEIGHTED_CLUSTERS_RULES: FinishRules = { unsupported: { header_name: '', use_hash_policy: '' } };
export const CLUSTER_WEIGHT_RULES: FinishRules = {
  unsupported: { cluster_header: '', metadata_match: '', typed_per_filter_config: '' },
};
export const REDIRECT_RULES: FinishRules = {};
export const DIRECT_RESPONSE_RULES: FinishRules = {};
export const REGEX_REWRITE_RULES: FinishRules = {};
export const REGEX_MATCHER_RULES: FinishRules = {};
export const STRING_MATCHER_RULES: FinishRules = { unsupported: { custom: '' } };
export const HEADER_MATCHER_RULES: FinishRules = {};
export const QUERY_MATCHER_RULES: FinishRules = {};
export const HEADER_VALUE_OPTION_RULES: FinishRules = {};
export const HEADER_VALUE_RULES: FinishRules = { unsupported: { raw_value: 'use value' } };

export const RETRY_POLICY_RULES: FinishRules = {
  unsupported: {
    retry_priority: '',
    retry_options_predicates: '',
    rate_limited_retry_back_off: '',
    retriable_request_headers: '',
  },
};
export const RETRY_HOST_PREDICATE_RULES: FinishRules = {};

export const CLUSTER_RULES: FinishRules = {
  ignored: [
    'metadata',
    'upstream_connection_options',
    'dns_resolvers',
    'dns_resolution_config',
    'typed_dns_resolver_config',
    'use_tcp_for_dns_lookups',
    'respect_dns_ttl',
    'dns_failure_refresh_rate',
    'dns_jitter',
    'cleanup_interval',
    'track_timeout_budgets',
    'track_cluster_stats',
    'close_connections_on_host_health_failure',
    'ignore_health_on_host_removal',
    'preconnect_policy',
    'wait_for_warm_on_init',
  ],
  unsupported: {
    cluster_type: '',
    alt_stat_name: '',
    protocol_selection: '',
    upstream_bind_config: '',
    lb_subset_config: '',
    filters: '',
    load_balancing_policy: '',
    connection_pool_per_downstream_connection: '',
    original_dst_lb_config: '',
    upstream_http_protocol_options: '',
    lrs_server: '',
    max_requests_per_connection_per_host: '',
  },
};

export const CLUSTER_LOAD_ASSIGNMENT_RULES: FinishRules = {
  ignored: ['policy'],
  unsupported: { named_endpoints: '' },
};
export const LOCALITY_LB_ENDPOINTS_RULES: FinishRules = {
  ignored: ['proximity', 'metadata'],
  unsupported: { leds_cluster_locality_config: '', load_balancer_endpoints: '' },
};
export const LOCALITY_RULES: FinishRules = {};
export const LB_ENDPOINT_RULES: FinishRules = { unsupported: { endpoint_name: '' } };
export const ENDPOINT_RULES: FinishRules = {
  ignored: ['health_check_config'],
  unsupported: { additional_addresses: '' },
};
export const METADATA_RULES: FinishRules = { ignored: ['typed_filter_metadata'] };

export const UPSTREAM_HTTP_OPTIONS_RULES: FinishRules = {
  unsupported: { upstream_http_protocol_options: '', http_filters: '', header_validation_config: '' },
};
export const EXPLICIT_HTTP_CONFIG_RULES: FinishRules = {};

export const LEAST_REQUEST_RULES: FinishRules = {
  unsupported: { selection_method: '' },
};
export const ROUND_ROBIN_RULES: FinishRules = {};
export const SLOW_START_RULES: FinishRules = {};
export const RUNTIME_DOUBLE_RULES: FinishRules = {};
export const RING_HASH_RULES: FinishRules = { ignored: [] };
export const MAGLEV_RULES: FinishRules = {};
export const COMMON_LB_RULES: FinishRules = {
  ignored: ['update_merge_window', 'close_connections_on_host_set_change', 'ignore_new_hosts_until_first_hc'],
  unsupported: {
    zone_aware_lb_config: '',
    locality_weighted_lb_config: '',
    consistent_hashing_lb_config: '',
    override_host_status: '',
  },
};
export const OUTLIER_DETECTION_RULES: FinishRules = {
  // Envoy hides it as not implemented.
  unsupported: { monitors: '' },
};

export const HEALTH_CHECK_RULES: FinishRules = {
  ignored: ['always_log_health_check_success', 'event_logger', 'event_service', 'name'],
  unsupported: { alt_port: '', tls_options: MTLS, transport_socket_match_criteria: MTLS },
};
export const HTTP_HEALTH_CHECK_RULES: FinishRules = {
  ignored: ['response_buffer_size'],
  unsupported: { send: '', receive: '' },
};
export const TCP_HEALTH_CHECK_RULES: FinishRules = { unsupported: { proxy_protocol_config: '' } };
export const HEALTH_CHECK_PAYLOAD_RULES: FinishRules = {};
export const STATUS_RANGE_RULES: FinishRules = {};

// ─── HCM tracing (lib/config/envoy/tracing.ts) ──────────────────────────────────────────────
export const HCM_TRACING_RULES: FinishRules = {
  ignored: ['verbose', 'operation_name', 'spawn_upstream_span'],
  unsupported: { custom_tags: '' },
};
export const TRACING_PROVIDER_RULES: FinishRules = {};
export const OPENTELEMETRY_CONFIG_RULES: FinishRules = {
  ignored: ['max_cache_size'],
  unsupported: { grpc_service: 'use http_service (OTLP/HTTP)', resource_detectors: '', sampler: '' },
};
export const HTTP_SERVICE_RULES: FinishRules = {};
export const HTTP_URI_RULES: FinishRules = {};
export const ZIPKIN_CONFIG_RULES: FinishRules = {
  ignored: ['trace_id_128bit', 'shared_span_context', 'split_spans_for_request', 'trace_context_option'],
};

/** Every rule set by Envoy message, for docs/config.md and its test. */
export const FIELD_RULES: Readonly<Record<string, FinishRules>> = {
  Bootstrap: BOOTSTRAP_RULES,
  Node: NODE_RULES,
  Admin: ADMIN_RULES,
  StaticResources: STATIC_RESOURCES_RULES,
  SocketAddress: SOCKET_ADDRESS_RULES,
  Listener: LISTENER_RULES,
  FilterChain: FILTER_CHAIN_RULES,
  HttpConnectionManager: HCM_RULES,
  Http1ProtocolOptions: HTTP1_OPTIONS_RULES,
  Router: ROUTER_RULES,
  SubstitutionFormatString: LOG_FORMAT_RULES,
  RouteConfiguration: ROUTE_CONFIGURATION_RULES,
  VirtualHost: VIRTUAL_HOST_RULES,
  Route: ROUTE_RULES,
  Decorator: DECORATOR_RULES,
  RouteAction: ROUTE_ACTION_RULES,
  RequestMirrorPolicy: REQUEST_MIRROR_POLICY_RULES,
  Cluster: CLUSTER_RULES,
  ClusterLoadAssignment: CLUSTER_LOAD_ASSIGNMENT_RULES,
  LocalityLbEndpoints: LOCALITY_LB_ENDPOINTS_RULES,
  Endpoint: ENDPOINT_RULES,
  Metadata: METADATA_RULES,
  CommonLbConfig: COMMON_LB_RULES,
  OutlierDetection: OUTLIER_DETECTION_RULES,
  HTTPFault: HTTP_FAULT_RULES,
  RuntimeFractionalPercent: RUNTIME_FRACTIONAL_PERCENT_RULES,
  HealthCheck: HEALTH_CHECK_RULES,
  HttpHealthCheck: HTTP_HEALTH_CHECK_RULES,
  'HttpConnectionManager.Tracing': HCM_TRACING_RULES,
  OpenTelemetryConfig: OPENTELEMETRY_CONFIG_RULES,
  ZipkinConfig: ZIPKIN_CONFIG_RULES,
};

export const CIRCUIT_BREAKERS_RULES: FinishRules = {
  unsupported: { per_host_thresholds: 'only cluster-wide thresholds are enforced' },
};
export const THRESHOLDS_RULES: FinishRules = {};
export const RETRY_BUDGET_RULES: FinishRules = {};

export const ORIGINAL_DST_LB_RULES: FinishRules = {
  unsupported: { metadata_key: 'only use_http_header is supported' },
};

// ─── Upstream TLS (cluster transport_socket) ────────────────────────────────────────────────
export const TRANSPORT_SOCKET_RULES: FinishRules = {};
export const TRANSPORT_SOCKET_MATCH_RULES: FinishRules = {};
export const UPSTREAM_TLS_CONTEXT_RULES: FinishRules = {
  ignored: ['max_session_keys', 'enforce_rsa_key_usage'],
  unsupported: { allow_renegotiation: '', auto_host_sni: '', auto_sni_san_validation: '' },
};
export const COMMON_TLS_CONTEXT_RULES: FinishRules = {
  unsupported: {
    tls_certificate_provider_instance: '',
    custom_handshaker: '',
    key_log: '',
    custom_tls_certificate_selector: '',
  },
};
export const TLS_PARAMS_RULES: FinishRules = {
  unsupported: { cipher_suites: '', ecdh_curves: '', signature_algorithms: '', compliance_policies: '' },
};
export const TLS_CERTIFICATE_RULES: FinishRules = {
  unsupported: {
    password: '',
    ocsp_staple: '',
    signed_certificate_timestamp: '',
    private_key_provider: '',
    pkcs12: '',
  },
};
export const SDS_SECRET_CONFIG_RULES: FinishRules = { ignored: ['sds_config'] };
export const CERT_VALIDATION_CONTEXT_RULES: FinishRules = {
  unsupported: {
    match_subject_alt_names: 'use match_typed_subject_alt_names',
    verify_certificate_spki: '',
    verify_certificate_hash: '',
    crl: '',
    allow_expired_certificate: '',
    custom_validator_config: '',
    watched_directory: '',
    ca_certificate_provider_instance: '',
    only_verify_leaf_cert_crl: '',
    max_verify_depth: '',
  },
};
export const COMBINED_VALIDATION_CONTEXT_RULES: FinishRules = {};
export const SAN_MATCHER_RULES: FinishRules = { unsupported: { oid: '' } };
export const TLS_DATA_SOURCE_RULES: FinishRules = {
  unsupported: {
    inline_bytes: 'only filename is supported',
    inline_string: 'only filename is supported',
    environment_variable: 'only filename is supported',
  },
};
