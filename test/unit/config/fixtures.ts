/** Bootstrap texts shared by the config tests. */

export const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/** A listener with one route to `cluster`, as YAML lines indented for `static_resources`. */
export function minimal(opts: { port?: number; cluster?: string; name?: string } = {}): string {
  return `
static_resources:
  listeners:
  - ${opts.name === undefined ? '' : `name: ${opts.name}\n    `}address: {socket_address: {address: 127.0.0.1, port_value: ${opts.port ?? 10000}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": ${HCM_TYPE}
          stat_prefix: ingress
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {prefix: /}
                route: {cluster: ${opts.cluster ?? 'svc'}}
  clusters:
  - name: ${opts.cluster ?? 'svc'}
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
`;
}

export const FULL = `
node: {id: sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local, cluster: orders, locality: {zone: a}, metadata: {x: 1}}
admin:
  address: {socket_address: {address: 127.0.0.1, port_value: 15000}}
  access_log:
  - name: envoy.access_loggers.stdout
    typed_config:
      "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
layered_runtime: {layers: []}
stats_config: {}
stats_sinks: []
overload_manager: {}
static_resources:
  listeners:
  - name: inbound
    address: {socket_address: {address: 0.0.0.0, port_value: 15006}}
    traffic_direction: INBOUND
    per_connection_buffer_limit_bytes: 32768
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
    filter_chains:
    - name: http
      filters:
      - name: envoy.http_connection_manager
        typed_config:
          "@type": ${HCM_TYPE}
          stat_prefix: inbound_http
          codec_type: HTTP1
          generate_request_id: false
          preserve_external_request_id: true
          stream_idle_timeout: 60s
          request_timeout: 30s
          request_headers_timeout: 5s
          server_name: skiff
          server_header_transformation: PASS_THROUGH
          use_remote_address: true
          xff_num_trusted_hops: 2
          skip_xff_append: true
          via: skiff
          max_request_headers_kb: 96
          normalize_path: true
          merge_slashes: true
          drain_timeout: 10s
          common_http_protocol_options:
            idle_timeout: 120s
            max_headers_count: 50
            max_requests_per_connection: 1000
            headers_with_underscores_action: REJECT_REQUEST
          http_protocol_options: {allow_absolute_url: true, accept_http_10: true}
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: /tmp/access.log
              log_format:
                text_format_source: {inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS%\\n"}
          - name: envoy.access_loggers.stderr
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog
              log_format:
                json_format: {status: "%RESPONSE_CODE%", flags: "%RESPONSE_FLAGS%"}
          - name: legacy
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: /dev/stdout
              format: "%PROTOCOL%\\n"
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              suppress_envoy_headers: true
              start_child_span: true
          route_config:
            name: inbound-routes
            ignore_port_in_host_matching: true
            request_headers_to_add:
            - header: {key: X-Route-Config, value: rc}
            response_headers_to_remove: [X-Internal]
            virtual_hosts:
            - name: orders
              domains: ["Orders.Example.com", "*.orders.svc", "orders.*"]
              include_request_attempt_count: true
              include_attempt_count_in_response: true
              retry_policy: {retry_on: "5xx, connect-failure", num_retries: 3}
              request_headers_to_add:
              - header: {key: x-vh, value: "%DOWNSTREAM_REMOTE_ADDRESS%"}
                append: false
              routes:
              - name: exact
                match:
                  path: /health
                  case_sensitive: false
                  headers:
                  - {name: ":method", string_match: {exact: GET}}
                  - {name: x-debug, present_match: false}
                  - {name: x-num, range_match: {start: 1, end: "10"}}
                  - {name: x-legacy, exact_match: v1, invert_match: true, treat_missing_header_as_empty: true}
                  - {name: x-re, safe_regex_match: {regex: "^a+$"}}
                  - {name: x-any}
                  query_parameters:
                  - {name: debug, present_match: true}
                  - {name: v, string_match: {prefix: "2", ignore_case: true}}
                direct_response: {status: 200, body: {inline_string: ok}}
              - match: {safe_regex: {google_re2: {}, regex: "/api/v[0-9]+/.*"}, grpc: {}}
                decorator: {operation: api}
                route:
                  cluster_header: X-Target
                  cluster_not_found_response_code: NOT_FOUND
              - match: {path_separated_prefix: /orders}
                request_headers_to_remove: [x-remove-me]
                route:
                  weighted_clusters:
                    total_weight: 100
                    clusters:
                    - name: orders-v1
                      weight: 90
                      host_rewrite_literal: v1.orders
                      response_headers_to_add:
                      - header: {key: x-version, value: v1}
                        append_action: OVERWRITE_IF_EXISTS
                        keep_empty_value: true
                    - {name: orders-v2, weight: 10}
                  cluster_not_found_response_code: NOT_FOUND
                  regex_rewrite: {pattern: {regex: "^/orders/(.*)$"}, substitution: "/\\\\1"}
                  auto_host_rewrite: true
                  timeout: 0s
                  idle_timeout: 2.5s
                  retry_policy:
                    retry_on: gateway-error,retriable-status-codes,retriable-headers,reset
                    num_retries: 2
                    per_try_timeout: 1s
                    per_try_idle_timeout: 0.5s
                    retriable_status_codes: [409, 503]
                    retriable_headers: [{name: x-retry, string_match: {exact: "yes"}}]
                    retry_back_off: {base_interval: 0.1s}
                    retry_host_predicate: [{name: envoy.retry_host_predicates.previous_hosts}]
                    host_selection_retry_max_attempts: 5
              - match: {prefix: /old, headers: [{name: x-q, string_match: {safe_regex: {regex: "^[0-9]+$"}}}]}
                redirect: {https_redirect: true, host_redirect: new.example.com, port_redirect: 8443, prefix_rewrite: /new, response_code: PERMANENT_REDIRECT, strip_query: true}
              - match: {prefix: /gone}
                redirect: {path_redirect: /, response_code: FOUND}
              - match: {prefix: /bytes}
                direct_response: {status: 503, body: {inline_bytes: "aGVsbG8="}}
              - match: {prefix: /}
                route: {cluster: orders-v1, prefix_rewrite: /, host_rewrite_literal: orders.internal, cluster_not_found_response_code: NOT_FOUND}
  clusters:
  - name: orders-v1
    type: STRICT_DNS
    connect_timeout: 0.25s
    lb_policy: LEAST_REQUEST
    dns_refresh_rate: 10s
    dns_lookup_family: V4_ONLY
    per_connection_buffer_limit_bytes: 65536
    least_request_lb_config: {choice_count: 3}
    common_lb_config: {healthy_panic_threshold: {value: 25.5}}
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        common_http_protocol_options: {idle_timeout: 30s, max_requests_per_connection: 100}
        explicit_http_config: {http2_protocol_options: {}}
    load_assignment:
      cluster_name: orders-v1
      endpoints:
      - locality: {region: eu, zone: eu-1, sub_zone: rack1}
        priority: 1
        load_balancing_weight: 5
        lb_endpoints:
        - endpoint: {address: {socket_address: {address: orders.local, port_value: 8080}}, hostname: orders-host}
          load_balancing_weight: 3
          health_status: DRAINING
          metadata: {filter_metadata: {istio: {workload: orders}, envoy.lb: {version: v1, canary: true}}}
  - name: orders-v2
    type: LOGICAL_DNS
    lb_policy: RING_HASH
    ring_hash_lb_config: {minimum_ring_size: 64, maximum_ring_size: 4096}
    max_requests_per_connection: 7
    common_http_protocol_options: {idle_timeout: 5s}
    http_protocol_options: {}
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: v2.local, port_value: 80}}}
  - name: maglev
    lb_policy: MAGLEV
    maglev_lb_config: {table_size: 251}
  - name: eds
    type: EDS
    eds_cluster_config: {service_name: foo}
`;
