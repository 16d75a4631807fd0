import t from 'tap';
import { CORS_POLICY_TYPE, CORS_TYPE, readCorsPolicy } from '../../../lib/config/envoy/cors.js';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { HttpConnectionManagerConfig, HttpFilterPerRouteConfig } from '../../../lib/config/model.js';
import { FieldReader, type IssueSink } from '../../../lib/config/reader.js';
import { HCM_TYPE } from './fixtures.js';

function decode(obj: Record<string, unknown>) {
  const sink: IssueSink = { file: 'f.yaml', issues: [], warnings: [] };
  const cfg = readCorsPolicy(new FieldReader(sink, 'cors', obj));
  return { cfg, issues: sink.issues.map(formatIssue), warnings: sink.warnings.map(formatIssue) };
}

t.test('CorsPolicy defaults', async (t) => {
  const { cfg, issues } = decode({});
  t.same(issues, []);
  t.same(cfg, {
    allowOrigins: [],
    allowMethods: '',
    allowHeaders: '',
    exposeHeaders: '',
    maxAge: '',
    allowCredentials: null,
    allowPrivateNetworkAccess: null,
    forwardNotMatchingPreflights: true,
    filterEnabled: { numerator: 100, denominator: 100 },
    shadowEnabled: null,
  });
});

t.test('a full CorsPolicy decodes (proto and JSON names)', async (t) => {
  const { cfg, issues, warnings } = decode({
    allow_origin_string_match: [
      { exact: 'https://a.example' },
      { prefix: 'https://b.', ignore_case: true },
      { safe_regex: { regex: 'https://.*\\.c\\.example' } },
    ],
    allowMethods: 'GET,POST',
    allow_headers: 'content-type,x-grpc-web',
    expose_headers: 'x-custom',
    max_age: '86400',
    allow_credentials: true,
    allow_private_network_access: false,
    forward_not_matching_preflights: false,
    filter_enabled: { default_value: { numerator: 50, denominator: 'TEN_THOUSAND' }, runtime_key: 'cors.on' },
    shadow_enabled: { default_value: { numerator: 100 } },
  });
  t.same(issues, []);
  t.same(warnings, []);
  t.same(cfg.allowOrigins, [
    { kind: 'exact', value: 'https://a.example', ignoreCase: false },
    { kind: 'prefix', value: 'https://b.', ignoreCase: true },
    { kind: 'safe_regex', regex: 'https://.*\\.c\\.example', ignoreCase: false },
  ]);
  t.equal(cfg.allowMethods, 'GET,POST');
  t.equal(cfg.allowHeaders, 'content-type,x-grpc-web');
  t.equal(cfg.exposeHeaders, 'x-custom');
  t.equal(cfg.maxAge, '86400');
  t.equal(cfg.allowCredentials, true);
  t.equal(cfg.allowPrivateNetworkAccess, false);
  t.equal(cfg.forwardNotMatchingPreflights, false);
  t.same(cfg.filterEnabled, { numerator: 50, denominator: 10_000 });
  t.same(cfg.shadowEnabled, { numerator: 100, denominator: 100 });
  t.equal(decode({ max_age: 600 }).cfg.maxAge, '600', 'an unquoted integer max_age is its text');
});

t.test('each bad CorsPolicy input names its field', async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ bogus: 1 }, /f\.yaml: cors: unknown field "bogus"/],
    [{ allow_origin: ['*'] }, /cors: unknown field "allow_origin"/],
    [{ allow_origin_string_match: {} }, /cors\.allow_origin_string_match: expected a list/],
    [{ allow_origin_string_match: ['x'] }, /cors\.allow_origin_string_match\[0\]: expected an object/],
    [
      { allow_origin_string_match: [{}] },
      /cors\.allow_origin_string_match\[0\]: exactly one of exact, prefix, suffix, contains, safe_regex is required/,
    ],
    [
      { allow_origin_string_match: [{ prefix: '' }] },
      /cors\.allow_origin_string_match\[0\]\.prefix: an empty prefix is not allowed/,
    ],
    [
      { allow_origin_string_match: [{ safe_regex: { regex: '(' } }] },
      /cors\.allow_origin_string_match\[0\]\.safe_regex\.regex: /,
    ],
    [{ allow_methods: ['GET'] }, /cors\.allow_methods: expected a string/],
    [{ allow_headers: 'a\r\nb' }, /cors\.allow_headers: must not contain CR, LF or NUL/],
    [{ expose_headers: 1 }, /cors\.expose_headers: expected a string/],
    [{ max_age: -1 }, /cors\.max_age: expected a string of seconds/],
    [{ max_age: '1\n' }, /cors\.max_age: must not contain CR, LF or NUL/],
    [{ allow_credentials: 'yes' }, /cors\.allow_credentials: expected a boolean/],
    [{ allow_private_network_access: 1 }, /cors\.allow_private_network_access: expected a boolean/],
    [{ forward_not_matching_preflights: 'no' }, /cors\.forward_not_matching_preflights: expected a boolean/],
    [{ filter_enabled: {} }, /cors\.filter_enabled: missing required field "default_value"/],
    [{ filter_enabled: 100 }, /cors\.filter_enabled: expected an object/],
    [
      { filter_enabled: { default_value: { numerator: 1, denominator: 'THOUSAND' } } },
      /cors\.filter_enabled\.default_value\.denominator: unknown value "THOUSAND"/,
    ],
    [
      { shadow_enabled: { default_value: { numerator: -1 } } },
      /cors\.shadow_enabled\.default_value\.numerator: -1 is out of range/,
    ],
    [
      { shadow_enabled: { default_value: { numerator: 1 }, extra: true } },
      /cors\.shadow_enabled: unknown field "extra"/,
    ],
  ];
  for (const [obj, re] of cases) {
    const { issues } = decode(obj);
    t.match(issues, [re], JSON.stringify(obj));
  }
});

const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';
const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';

function bootstrap(opts: { filters?: string; vh?: string; route?: string; action?: string }): string {
  return `
static_resources:
  listeners:
  - address: {socket_address: {address: 127.0.0.1, port_value: 10000}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": ${HCM_TYPE}
          stat_prefix: ingress
          http_filters:
${
  opts.filters ??
  `          - name: envoy.filters.http.cors
            typed_config: {"@type": ${CORS_TYPE}}
          - name: envoy.filters.http.router`
}
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
${opts.vh ?? ''}
              routes:
              - match: {prefix: /}
                route:
                  cluster: svc
${opts.action ?? ''}
${opts.route ?? ''}
  clusters:
  - name: svc
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
`;
}

function load(text: string) {
  const r = loadConfigText(text, 'f.yaml');
  if (!r.ok) return { hcm: null, issues: r.issues.map(formatIssue) };
  const hcm: HttpConnectionManagerConfig = r.bootstrap.listeners[0]!.filterChains[0]!.hcm!;
  return { hcm, issues: [] as string[] };
}

t.test('the CORS filter in http_filters, by name or @type', async (t) => {
  const { hcm, issues } = load(
    bootstrap({
      filters: `          - name: my-cors
            typed_config: {"@type": ${CORS_TYPE}}
          - name: envoy.filters.http.cors
          - name: envoy.filters.http.router`,
    }),
  );
  t.same(issues, []);
  t.same(hcm!.httpFilters.slice(0, 2), [
    { kind: 'cors', name: 'my-cors' },
    { kind: 'cors', name: 'envoy.filters.http.cors' },
  ]);
  const bad = load(
    bootstrap({
      filters: `          - name: envoy.filters.http.cors
            typed_config: {"@type": ${CORS_TYPE}, allow_methods: GET}
          - name: envoy.filters.http.router`,
    }),
  );
  t.match(bad.issues, [`f.yaml: ${HCM}.http_filters[0].typed_config: unknown field "allow_methods"`]);
});

t.test('CorsPolicy in typed_per_filter_config (vhost, route, FilterConfig wrapper)', async (t) => {
  const { hcm, issues } = load(
    bootstrap({
      vh: `              typed_per_filter_config:
                envoy.filters.http.cors:
                  "@type": ${CORS_POLICY_TYPE}
                  allow_origin_string_match: [{exact: "https://a.example"}]`,
      route: `                typed_per_filter_config:
                  envoy.filters.http.cors:
                    "@type": ${FILTER_CONFIG}
                    config: {"@type": ${CORS_POLICY_TYPE}, allow_methods: "GET"}`,
    }),
  );
  t.same(issues, []);
  const vh = hcm!.routeConfig.virtualHosts[0]!;
  const at = (x: { typedPerFilterConfig?: Readonly<Record<string, HttpFilterPerRouteConfig>> }) =>
    x.typedPerFilterConfig?.['envoy.filters.http.cors'];
  const v = at(vh);
  t.equal(v?.kind === 'cors' ? v.policy.allowOrigins[0]?.kind : undefined, 'exact');
  const r = at(vh.routes[0]!);
  t.equal(r?.kind === 'cors' ? r.policy.allowMethods : undefined, 'GET');
});

t.test('per-route config with the wrong @type, and bad policies, name their path', async (t) => {
  const wrong = load(
    bootstrap({
      route: `                typed_per_filter_config:
                  envoy.filters.http.cors: {"@type": ${CORS_TYPE}}`,
    }),
  );
  t.match(wrong.issues, [
    /routes\[0\]\.typed_per_filter_config\.envoy\.filters\.http\.cors: HTTP filter envoy\.filters\.http\.cors takes "@type": type\.googleapis\.com\/envoy\.extensions\.filters\.http\.cors\.v3\.CorsPolicy per route/,
  ]);
  const bad = load(
    bootstrap({
      vh: `              typed_per_filter_config:
                envoy.filters.http.cors: {"@type": ${CORS_POLICY_TYPE}, allow_credentials: 1}`,
    }),
  );
  t.match(bad.issues, [
    /virtual_hosts\[0\]\.typed_per_filter_config\.envoy\.filters\.http\.cors\.allow_credentials: expected a boolean/,
  ]);
});

t.test('the deprecated vhost / route action cors field points to typed_per_filter_config', async (t) => {
  const vh = load(bootstrap({ vh: `              cors: {allow_methods: GET}` }));
  t.match(vh.issues, [
    /virtual_hosts\[0\]\.cors: the deprecated "cors" field is not supported; .*typed_per_filter_config.*CorsPolicy/,
  ]);
  const action = load(bootstrap({ action: `                  cors: {allow_methods: GET}` }));
  t.match(action.issues, [/routes\[0\]\.route\.cors: the deprecated "cors" field is not supported/]);
});
