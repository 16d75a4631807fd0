import t from 'tap';
import { ConfigError, formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import { HCM_TYPE, minimal } from './fixtures.js';

function issues(text: string, file = 'bad.yaml'): string[] {
  const r = loadConfigText(text, file);
  return r.ok ? [] : r.issues.map(formatIssue);
}

const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
const ROUTE0 = `${HCM}.route_config.virtual_hosts[0].routes[0]`;

t.test('formatIssue and ConfigError', async (t) => {
  const i = {
    file: 'a.yaml',
    path: 'static_resources.clusters[1].lb_policy',
    message: 'unknown value "FOO"',
  };
  t.equal(formatIssue(i), 'a.yaml: static_resources.clusters[1].lb_policy: unknown value "FOO"');
  t.equal(formatIssue({ ...i, path: '' }), 'a.yaml: unknown value "FOO"');
  const e = new ConfigError([i, { ...i, file: 'b.yaml' }]);
  t.equal(e.code, 'SKIFF_ERR_CONFIG');
  t.equal(e.issues.length, 2);
  t.equal(
    e.message,
    `${formatIssue(i)}\nb.yaml: static_resources.clusters[1].lb_policy: unknown value "FOO"`,
  );
});

t.test('every class of error comes back together with file, path and reason', async (t) => {
  const text = `
static_resources:
  listeners:
  - name: a
    bogus: 1
    address: {socket_address: {address: 127.0.0.1, port_value: 8000}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": ${HCM_TYPE}
          stat_prefix: 42
          stream_idle_timeout: 15ms
          route_config:
            virtual_hosts:
            - name: vh
              domains: ["*"]
              routes:
              - match: {prefix: /, path: /x}
                route: {cluster: missing}
              - match: {safe_regex: {regex: "(a)\\\\1"}}
                route:
                  weighted_clusters:
                    clusters: [{name: svc, weight: 0}]
  - name: b
    address: {socket_address: {address: 127.0.0.1, port_value: 8000}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": ${HCM_TYPE}
          route_config: {virtual_hosts: []}
  clusters:
  - name: svc
  - name: svc
    lb_policy: FOO
`;
  t.same(issues(text), [
    `bad.yaml: ${HCM}.stat_prefix: expected a string, got a number (42)`,
    `bad.yaml: ${ROUTE0}.match: only one of prefix, path, safe_regex, path_separated_prefix may be set (found prefix and path)`,
    `bad.yaml: ${HCM}.route_config.virtual_hosts[0].routes[1].match.safe_regex.regex: invalid regex "(a)\\1": backreference "\\1" is not supported by RE2`,
    `bad.yaml: ${HCM}.route_config.virtual_hosts[0].routes[1].route.weighted_clusters.clusters: the sum of the cluster weights must be greater than 0`,
    `bad.yaml: ${HCM}.stream_idle_timeout: invalid duration "15ms": the unit must be seconds with an "s" suffix (e.g. "0.25s"), not "ms"`,
    'bad.yaml: static_resources.listeners[0]: unknown field "bogus"',
    'bad.yaml: static_resources.listeners[1].filter_chains[0].filters[0].typed_config: missing required field "stat_prefix"',
    'bad.yaml: static_resources.clusters[1].lb_policy: unknown value "FOO"; expected one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV',
    'bad.yaml: static_resources.clusters[1]: duplicate cluster name "svc" (also defined at bad.yaml: static_resources.clusters[0])',
    'bad.yaml: static_resources.listeners[1]: listener "b" uses address 127.0.0.1:8000, already used by listener "a" (bad.yaml: static_resources.listeners[0])',
    `bad.yaml: ${ROUTE0}.route.cluster: unknown cluster "missing" (not in static_resources.clusters; set validate_clusters: false on the route_config to allow it)`,
  ]);
});

t.test('validate_clusters: false allows unknown clusters', async (t) => {
  const text = minimal({ cluster: 'svc' })
    .replace('route: {cluster: svc}', 'route: {cluster: elsewhere}')
    .replace('route_config:\n', 'route_config:\n            validate_clusters: false\n');
  const r = loadConfigText(text, 'x.yaml');
  t.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('\n'));
});

t.test('YAML syntax errors carry the line and column', async (t) => {
  t.same(issues('static_resources:\n  clusters: [\n  - name: x\n', 'syntax.yaml').slice(0, 1), [
    'syntax.yaml: YAML syntax error at line 3, column 3: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  t.match(issues('a: 1\na: 2\n', 'dup.yaml'), [
    /^dup\.yaml: YAML syntax error at line 2, column 1: Map keys must be unique/,
  ]);
});

t.test('listener errors', async (t) => {
  const noChains = `
static_resources:
  listeners:
  - address: {socket_address: {address: localhost, port_value: 70000}}
    filter_chains: []
`;
  t.same(issues(noChains), [
    'bad.yaml: static_resources.listeners[0].address.socket_address.port_value: 70000 is out of range; must be 0–65535',
    'bad.yaml: static_resources.listeners[0].address.socket_address.address: "localhost" is not an IP address',
    'bad.yaml: static_resources.listeners[0]: a listener needs at least one filter chain in filter_chains',
  ]);
  const twoChains = minimal().replace(
    '    filter_chains:\n    - filters:',
    '    filter_chains:\n    - filters: []\n    - filters:',
  );
  t.match(issues(twoChains), [/filter_chains\[0\]\.filters: expected exactly one network filter/]);
  const sameMatch = minimal().replace(/( {4}filter_chains:\n)([\s\S]*?)( {2}clusters:)/, '$1$2$2$3');
  t.match(issues(sameMatch), [
    /listeners\[0\]\.filter_chains\[1\]\.filter_chain_match: matches the same connections as filter_chains\[0\]/,
  ]);
  const rbac = minimal()
    .replace(HCM_TYPE, 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC')
    .replace('envoy.filters.network.http_connection_manager', 'envoy.filters.network.rbac');
  t.match(issues(rbac), [
    /filters: expected exactly one network filter \(the http_connection_manager or tcp_proxy\), got 0/,
    /filters\[0\]\.typed_config: unknown field "route_config"/,
    /filters\[0\]: envoy\.filters\.network\.rbac is only supported before a tcp_proxy/,
  ]);
});

t.test('HCM errors', async (t) => {
  const rds = minimal().replace(/route_config:[\s\S]*?clusters:/, 'rds: {route_config_name: r}\n  clusters:');
  t.same(issues(rds), [`bad.yaml: ${HCM}.rds: rds is not supported yet (use an inline route_config)`]);
  const h2 = minimal().replace(
    'stat_prefix: ingress',
    'stat_prefix: ingress\n          codec_type: HTTP2\n          upgrade_configs: []',
  );
  t.same(issues(h2), [
    `bad.yaml: ${HCM}.codec_type: HTTP2 is not supported yet`,
    `bad.yaml: ${HCM}.upgrade_configs: upgrade_configs is not supported yet`,
  ]);
  const filters = minimal().replace(
    'stat_prefix: ingress',
    `stat_prefix: ingress
          http_filters:
          - name: envoy.filters.http.router
          - name: envoy.filters.http.ext_authz
          - {name: envoy.filters.http.lua, is_optional: true}`,
  );
  const r = loadConfigText(filters, 'f.yaml');
  t.same(r.ok ? [] : r.issues.map(formatIssue), [
    `f.yaml: ${HCM}.http_filters[0]: the router filter must be the last HTTP filter`,
    `f.yaml: ${HCM}.http_filters[1].name: HTTP filter "envoy.filters.http.ext_authz" is not supported yet (supported: envoy.filters.http.router, envoy.filters.http.fault, envoy.filters.http.cors, envoy.filters.http.rbac)`,
  ]);
  const badFormat = minimal().replace(
    'stat_prefix: ingress',
    `stat_prefix: ingress
          access_log:
          - name: envoy.access_loggers.stdout
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
              log_format: {text_format: "%NOT_A_COMMAND%"}`,
  );
  t.match(issues(badFormat), [
    new RegExp(
      `${HCM.replace(/[[\]]/g, '\\$&')}\\.access_log\\[0\\]\\.typed_config\\.log_format\\.text_format: .*NOT_A_COMMAND`,
    ),
  ]);
});

t.test('route errors', async (t) => {
  const route = (spec: string): string[] =>
    issues(
      minimal().replace('              - match: {prefix: /}\n                route: {cluster: svc}', spec),
    );
  t.same(
    route(
      '              - match: {prefix: /}\n                route: {cluster: svc}\n                redirect: {}',
    ),
    [
      `bad.yaml: ${ROUTE0}: only one of route, redirect, direct_response may be set (found route and redirect)`,
    ],
  );
  t.same(
    route(
      '              - match: {path_separated_prefix: /api/}\n                direct_response: {status: 600}',
    ),
    [
      `bad.yaml: ${ROUTE0}.match.path_separated_prefix: "/api/" is not a valid path_separated_prefix: it must not be empty, end in "/" or contain "?" or "#"`,
      `bad.yaml: ${ROUTE0}.direct_response.status: 600 is out of range; must be 200–599`,
    ],
  );
  t.same(
    route(
      '              - match: {prefix: /, headers: [{name: x, string_match: {prefix: ""}}]}\n                route: {cluster: svc, prefix_rewrite: /a, regex_rewrite: {pattern: {regex: a}, substitution: b}, host_rewrite_literal: h, auto_host_rewrite: true}',
    ),
    [
      `bad.yaml: ${ROUTE0}.match.headers[0].string_match.prefix: an empty prefix is not allowed (use present_match)`,
      `bad.yaml: ${ROUTE0}.route: only one of prefix_rewrite, regex_rewrite may be set`,
      `bad.yaml: ${ROUTE0}.route: only one of host_rewrite_literal, auto_host_rewrite may be set (found host_rewrite_literal and auto_host_rewrite)`,
    ],
  );
  t.same(
    route(
      '              - match: {prefix: /}\n                route: {cluster: svc, retry_policy: {retry_on: "5xx,sometimes", retry_back_off: {base_interval: 1s, max_interval: 0.5s}, retry_host_predicate: [{name: envoy.retry_host_predicates.omit_canary_hosts}]}}',
    ),
    [
      `bad.yaml: ${ROUTE0}.route.retry_policy.retry_on: unknown value "sometimes"; expected one of 5xx, gateway-error, reset, reset-before-request, connect-failure, envoy-ratelimited, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, http3-post-connect-failure, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable`,
      `bad.yaml: ${ROUTE0}.route.retry_policy.retry_back_off.max_interval: must be greater than or equal to base_interval`,
      `bad.yaml: ${ROUTE0}.route.retry_policy.retry_host_predicate[0].name: retry host predicate "envoy.retry_host_predicates.omit_canary_hosts" is not supported yet (supported: envoy.retry_host_predicates.previous_hosts)`,
    ],
  );
  t.same(
    route(
      '              - match: {prefix: /}\n                route: {weighted_clusters: {total_weight: 100, clusters: [{name: svc, weight: 60}]}}\n                request_headers_to_add: [{header: {key: ":path", value: x}}, {header: {key: Host, value: y}}]\n                response_headers_to_remove: [":status"]',
    ),
    [
      `bad.yaml: ${ROUTE0}.route.weighted_clusters.total_weight: total_weight 100 does not match the sum of the cluster weights (60)`,
      `bad.yaml: ${ROUTE0}.request_headers_to_add[0].header.key: :-prefixed or host headers may not be modified (":path")`,
      `bad.yaml: ${ROUTE0}.request_headers_to_add[1].header.key: :-prefixed or host headers may not be modified ("host")`,
      `bad.yaml: ${ROUTE0}.response_headers_to_remove[0]: :-prefixed or host headers may not be removed (":status")`,
    ],
  );
  t.same(
    route('              - match: {prefix: /}\n                route: {cluster: svc, hedge_policy: {}}'),
    [`bad.yaml: ${ROUTE0}.route.hedge_policy: hedge_policy is not supported yet`],
  );
});

t.test('virtual host errors', async (t) => {
  const vh = minimal().replace(
    '            - name: all\n              domains: ["*"]',
    '            - name: all\n              domains: ["*", "a.*.com", "**"]\n            - name: two\n              domains: ["*"]\n            - domains: []',
  );
  const VH = `${HCM}.route_config.virtual_hosts`;
  t.same(issues(vh), [
    `bad.yaml: ${VH}[0].domains[1]: domain "a.*.com": a wildcard is only allowed as the first or last character`,
    `bad.yaml: ${VH}[0].domains[2]: domain "**" has more than one wildcard`,
    `bad.yaml: ${VH}[1].domains[0]: domain "*" is already used by virtual host "all"; domains must be unique`,
    `bad.yaml: ${VH}[2]: missing required field "name"`,
    `bad.yaml: ${VH}[2].domains: must list at least one domain`,
  ]);
});

t.test('cluster errors', async (t) => {
  const text = `
static_resources:
  clusters:
  - name: a
    type: ORIGINAL_DST
    transport_socket: {}
  - name: b
    type: LOGICAL_DNS
    connect_timeout: -1s
    hosts: [{socket_address: {address: 1.2.3.4, port_value: 80}}]
  - name: c
    lb_policy: MAGLEV
    maglev_lb_config: {table_size: 100}
    max_requests_per_connection: 5
    common_http_protocol_options: {max_requests_per_connection: 6}
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 10.0.0.1}}}
          load_balancing_weight: 0
  - type: STATIC
`;
  t.same(issues(text), [
    'bad.yaml: static_resources.clusters[0].lb_policy: LB policy ROUND_ROBIN is not valid for cluster type ORIGINAL_DST; only CLUSTER_PROVIDED is allowed',
    "bad.yaml: static_resources.clusters[0].original_dst_lb_config: missing: the connection's original destination (iptables capture) is not supported yet; set original_dst_lb_config.use_http_header: true",
    'bad.yaml: static_resources.clusters[0].transport_socket: needs a typed_config (or the name envoy.transport_sockets.raw_buffer)',
    'bad.yaml: static_resources.clusters[1].connect_timeout: invalid duration "-1s": must not be negative',
    'bad.yaml: static_resources.clusters[1].hosts: hosts was removed from the v3 API; list endpoints under load_assignment.endpoints[].lb_endpoints[]',
    'bad.yaml: static_resources.clusters[1]: a LOGICAL_DNS cluster needs exactly one endpoint in load_assignment',
    'bad.yaml: static_resources.clusters[2].load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight: 0 is out of range; must be at least 1',
    'bad.yaml: static_resources.clusters[2].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address: missing required field "port_value"',
    'bad.yaml: static_resources.clusters[2].max_requests_per_connection: only one of max_requests_per_connection and common_http_protocol_options.max_requests_per_connection may be set',
    'bad.yaml: static_resources.clusters[2].maglev_lb_config.table_size: 100 is not a prime number',
    'bad.yaml: static_resources.clusters[3]: missing required field "name"',
  ]);
});

t.test('Istio resources are decoded with their errors, then translated', async (t) => {
  t.same(
    issues('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\n', 'vs.yaml'),
    ['vs.yaml: missing required field "spec"'],
  );
  t.same(
    issues(
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\nspec: {hosts: [a], http: [{route: [{destination: {host: a}}]}]}\n',
      'vs.yaml',
    ),
    [],
  );
});

t.test('a document that is not a mapping', async (t) => {
  t.same(issues('- 1\n- 2\n', 'list.yaml'), ['list.yaml: expected a mapping at the top of the document']);
});
