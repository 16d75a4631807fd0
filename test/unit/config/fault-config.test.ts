import t from 'tap';
import { EMPTY_FAULT, readHttpFault } from '../../../lib/config/envoy/fault.js';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { FaultFilterConfig, HttpConnectionManagerConfig } from '../../../lib/config/model.js';
import { FieldReader, type IssueSink } from '../../../lib/config/reader.js';
import { HCM_TYPE } from './fixtures.js';

function decode(obj: Record<string, unknown>) {
  const sink: IssueSink = { file: 'f.yaml', issues: [], warnings: [] };
  const cfg = readHttpFault(new FieldReader(sink, 'fault', obj));
  return { cfg, issues: sink.issues.map(formatIssue), warnings: sink.warnings.map(formatIssue) };
}

const HUNDRED = { numerator: 100 };

t.test('HTTPFault defaults', async (t) => {
  const { cfg, issues, warnings } = decode({});
  t.same(cfg, EMPTY_FAULT);
  t.same(issues, []);
  t.same(warnings, []);
  t.same(readHttpFault(undefined), EMPTY_FAULT, 'no typed_config = empty fault');
});

t.test('a full HTTPFault decodes', async (t) => {
  const { cfg, issues, warnings } = decode({
    delay: { fixed_delay: '1.5s', percentage: { numerator: 25, denominator: 'TEN_THOUSAND' } },
    abort: { http_status: 503, percentage: HUNDRED },
    upstream_cluster: 'svc',
    headers: [{ name: 'X-Fault', exact_match: 'yes' }],
    downstream_nodes: ['a', 'b'],
    max_active_faults: 7,
    disable_downstream_cluster_stats: true,
    delay_percent_runtime: 'k1',
    abort_percent_runtime: 'k2',
    delay_duration_runtime: 'k3',
    abort_http_status_runtime: 'k4',
    abort_grpc_status_runtime: 'k5',
    max_active_faults_runtime: 'k6',
    response_rate_limit_percent_runtime: 'k7',
  });
  t.same(issues, []);
  t.same(warnings, []);
  t.same(cfg.delay, { kind: 'fixed', fixedDelayMs: 1500, percentage: { numerator: 25, denominator: 10000 } });
  t.same(cfg.abort, {
    kind: 'http_status',
    httpStatus: 503,
    grpcStatus: 0,
    percentage: { numerator: 100, denominator: 100 },
  });
  t.equal(cfg.upstreamCluster, 'svc');
  t.same(cfg.headers, [
    {
      name: 'x-fault',
      match: { kind: 'string', matcher: { kind: 'exact', value: 'yes', ignoreCase: false } },
      invert: false,
      treatMissingAsEmpty: false,
    },
  ]);
  t.same(cfg.downstreamNodes, ['a', 'b']);
  t.equal(cfg.maxActiveFaults, 7);
  t.equal(cfg.disableDownstreamClusterStats, true);
});

t.test('header-controlled, gRPC and MILLION variants', async (t) => {
  const h = decode({
    delay: { header_delay: {}, percentage: { numerator: 5, denominator: 'MILLION' } },
    abort: { header_abort: {}, percentage: HUNDRED },
  });
  t.same(h.issues, []);
  t.same(h.cfg.delay, {
    kind: 'header',
    fixedDelayMs: 0,
    percentage: { numerator: 5, denominator: 1_000_000 },
  });
  t.equal(h.cfg.abort?.kind, 'header');
  const g = decode({ abort: { grpcStatus: 14, percentage: HUNDRED } });
  t.same(g.issues, []);
  t.same(g.cfg.abort, {
    kind: 'grpc_status',
    httpStatus: 0,
    grpcStatus: 14,
    percentage: { numerator: 100, denominator: 100 },
  });
});

t.test('response_rate_limit decodes with a not-enforced warning', async (t) => {
  const { cfg, issues, warnings } = decode({
    response_rate_limit: { fixed_limit: { limit_kbps: 64 }, percentage: HUNDRED },
  });
  t.same(issues, []);
  t.same(cfg.responseRateLimit, {
    kind: 'fixed',
    limitKbps: 64,
    percentage: { numerator: 100, denominator: 100 },
  });
  t.match(warnings, [/fault\.response_rate_limit: decoded but not enforced yet/]);
  const hdr = decode({ response_rate_limit: { header_limit: {} } });
  t.equal(hdr.cfg.responseRateLimit?.kind, 'header');
});

t.test('a fault without percentage warns: Envoy defaults to 0 %', async (t) => {
  const { cfg, warnings } = decode({ abort: { http_status: 500 } });
  t.same(cfg.abort?.percentage, { numerator: 0, denominator: 100 });
  t.match(warnings, [/f\.yaml: fault\.abort: no "percentage": Envoy defaults it to 0 %/]);
});

t.test('each bad input names its field', async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ bogus: 1 }, /f\.yaml: fault: unknown field "bogus"/],
    [
      { delay: { percentage: HUNDRED } },
      /fault\.delay: exactly one of fixed_delay, header_delay is required/,
    ],
    [
      { delay: { fixed_delay: '1s', header_delay: {}, percentage: HUNDRED } },
      /fault\.delay: only one of fixed_delay, header_delay/,
    ],
    [
      { delay: { fixed_delay: '0s', percentage: HUNDRED } },
      /fault\.delay\.fixed_delay: must be greater than 0s/,
    ],
    [{ delay: { fixed_delay: '5ms', percentage: HUNDRED } }, /fault\.delay\.fixed_delay: /],
    [
      { delay: { header_delay: { x: 1 }, percentage: HUNDRED } },
      /fault\.delay\.header_delay: unknown field "x"/,
    ],
    [
      { delay: { type: 'FIXED', fixed_delay: '1s', percentage: HUNDRED } },
      /fault\.delay: unknown field "type"/,
    ],
    [
      { abort: { percentage: HUNDRED } },
      /fault\.abort: exactly one of http_status, grpc_status, header_abort is required/,
    ],
    [
      { abort: { http_status: 199, percentage: HUNDRED } },
      /fault\.abort\.http_status: 199 is out of range; must be 200–599/,
    ],
    [{ abort: { http_status: 600, percentage: HUNDRED } }, /fault\.abort\.http_status: 600 is out of range/],
    [{ abort: { http_status: 'x', percentage: HUNDRED } }, /fault\.abort\.http_status: expected an integer/],
    [{ abort: { grpc_status: -1, percentage: HUNDRED } }, /fault\.abort\.grpc_status: -1 is out of range/],
    [
      { abort: { http_status: 500, percentage: { numerator: -1 } } },
      /fault\.abort\.percentage\.numerator: -1 is out of range/,
    ],
    [
      { abort: { http_status: 500, percentage: { numerator: 1, denominator: 'THOUSAND' } } },
      /fault\.abort\.percentage\.denominator: unknown value "THOUSAND"/,
    ],
    [
      { abort: { http_status: 500, percentage: { numerator: 1, extra: 2 } } },
      /fault\.abort\.percentage: unknown field "extra"/,
    ],
    [{ headers: [{ name: 'x', exact_match: 'a', prefix_match: 'b' }] }, /fault\.headers\[0\]: only one of/],
    [{ headers: [{ exact_match: 'a' }] }, /fault\.headers\[0\]: missing required field "name"/],
    [{ downstream_nodes: [1] }, /fault\.downstream_nodes\[0\]: expected a string/],
    [{ upstream_cluster: 5 }, /fault\.upstream_cluster: expected a string/],
    [{ max_active_faults: -2 }, /fault\.max_active_faults: -2 is out of range/],
    [
      { response_rate_limit: { fixed_limit: {} } },
      /fault\.response_rate_limit\.fixed_limit: missing required field "limit_kbps"/,
    ],
    [
      { response_rate_limit: { fixed_limit: { limit_kbps: 0 } } },
      /fault\.response_rate_limit\.fixed_limit\.limit_kbps: 0 is out of range/,
    ],
    [
      { response_rate_limit: {} },
      /fault\.response_rate_limit: exactly one of fixed_limit, header_limit is required/,
    ],
    [
      { disable_downstream_cluster_stats: 'yes' },
      /fault\.disable_downstream_cluster_stats: expected a boolean/,
    ],
  ];
  for (const [obj, re] of cases) {
    const { issues } = decode(obj);
    t.match(issues, [re], JSON.stringify(obj));
  }
});

const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

function bootstrap(opts: {
  filters?: string;
  rc?: string;
  vh?: string;
  route?: string;
  wc?: string;
}): string {
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
  `          - name: envoy.filters.http.fault
            typed_config: {"@type": ${FAULT_TYPE}}
          - name: envoy.filters.http.router`
}
          route_config:
${opts.rc ?? ''}
            virtual_hosts:
            - name: all
              domains: ["*"]
${opts.vh ?? ''}
              routes:
              - match: {prefix: /w}
                route:
                  weighted_clusters:
                    clusters:
                    - name: svc
                      weight: 1
${opts.wc ?? ''}
              - match: {prefix: /}
                route: {cluster: svc}
${opts.route ?? ''}
  clusters:
  - name: svc
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
`;
}

const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';

function load(text: string) {
  const r = loadConfigText(text, 'f.yaml');
  if (!r.ok) return { hcm: null, issues: r.issues.map(formatIssue), warnings: [] as string[] };
  const hcm: HttpConnectionManagerConfig = r.bootstrap.listeners[0]!.filterChains[0]!.hcm!;
  return { hcm, issues: [] as string[], warnings: r.warnings.map(formatIssue) };
}

t.test('the fault filter in http_filters, by name or @type', async (t) => {
  const { hcm, issues } = load(
    bootstrap({
      filters: `          - name: my-fault
            typed_config:
              "@type": ${FAULT_TYPE}
              abort: {http_status: 418, percentage: {numerator: 100}}
          - name: envoy.fault
          - name: envoy.filters.http.router`,
    }),
  );
  t.same(issues, []);
  const f = hcm!.httpFilters;
  t.same(
    f.map((x) => x.kind),
    ['fault', 'fault', 'router'],
  );
  t.equal((f[0] as FaultFilterConfig).name, 'my-fault');
  t.equal((f[0] as FaultFilterConfig).fault.abort?.httpStatus, 418);
  t.same((f[1] as FaultFilterConfig).fault, EMPTY_FAULT);
  const bad = load(
    bootstrap({
      filters: `          - name: envoy.filters.http.fault
            typed_config: {"@type": ${FAULT_TYPE}, abort: {http_status: 700, percentage: {numerator: 1}}}
          - name: envoy.filters.http.router`,
    }),
  );
  t.match(bad.issues, [
    `f.yaml: ${HCM}.http_filters[0].typed_config.abort.http_status: 700 is out of range; must be 200–599`,
  ]);
});

t.test('typed_per_filter_config at every level', async (t) => {
  const fault = (status: number) =>
    `{"@type": ${FAULT_TYPE}, abort: {http_status: ${status}, percentage: {numerator: 100}}}`;
  const { hcm, issues } = load(
    bootstrap({
      rc: `            typed_per_filter_config: {envoy.filters.http.fault: ${fault(500)}}`,
      vh: `              typed_per_filter_config: {envoy.filters.http.fault: ${fault(501)}}`,
      route: `                typed_per_filter_config:
                  envoy.filters.http.fault: {"@type": ${FILTER_CONFIG}, disabled: true}`,
      wc: `                      typed_per_filter_config: {envoy.filters.http.fault: ${fault(503)}}`,
    }),
  );
  t.same(issues, []);
  const rc = hcm!.routeConfig;
  const at = (x: { typedPerFilterConfig?: unknown } | undefined) =>
    (
      x?.typedPerFilterConfig as Record<string, { kind: string; fault?: { abort: { httpStatus: number } } }>
    )?.['envoy.filters.http.fault'];
  t.equal(at(rc)?.fault?.abort.httpStatus, 500);
  t.equal(at(rc.virtualHosts[0])?.fault?.abort.httpStatus, 501);
  t.same(at(rc.virtualHosts[0]!.routes[1]), { kind: 'disabled' });
  const w = rc.virtualHosts[0]!.routes[0]!.action;
  t.equal(
    w.kind === 'forward' && w.target.kind === 'weighted'
      ? at(w.target.clusters[0])?.fault?.abort.httpStatus
      : 0,
    503,
  );
  t.notOk('typedPerFilterConfig' in rc.virtualHosts[0]!.routes[0]!, 'absent when not configured');
});

t.test('typed_per_filter_config: FilterConfig wrapper, unknown types, is_optional', async (t) => {
  const wrapped = load(
    bootstrap({
      route: `                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FILTER_CONFIG}
                    config: {"@type": ${FAULT_TYPE}, delay: {fixed_delay: 1s, percentage: {numerator: 100}}}`,
    }),
  );
  t.same(wrapped.issues, []);
  const r1 = wrapped.hcm!.routeConfig.virtualHosts[0]!.routes[1]!;
  t.equal(r1.typedPerFilterConfig?.['envoy.filters.http.fault']?.kind, 'fault');

  const ROUTE1 = `${HCM}.route_config.virtual_hosts[0].routes[1]`;
  const unknown = load(
    bootstrap({
      route: `                typed_per_filter_config:
                  envoy.filters.http.ext_authz: {"@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute}`,
    }),
  );
  t.match(unknown.issues, [
    `f.yaml: ${ROUTE1}.typed_per_filter_config.envoy.filters.http.ext_authz: no supported HTTP filter has @type "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute"`,
  ]);

  const optional = load(
    bootstrap({
      route: `                typed_per_filter_config:
                  envoy.filters.http.ext_authz:
                    "@type": ${FILTER_CONFIG}
                    is_optional: true
                    config: {"@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute}`,
    }),
  );
  t.same(optional.issues, []);
  t.match(optional.warnings, [
    /typed_per_filter_config\.envoy\.filters\.http\.ext_authz\.config: no supported HTTP filter has @type .*; skipped because is_optional is true/,
  ]);
  t.notOk(
    optional.hcm!.routeConfig.virtualHosts[0]!.routes[1]!.typedPerFilterConfig,
    'skipped entry leaves nothing',
  );

  const router = load(
    bootstrap({
      route: `                typed_per_filter_config:
                  envoy.filters.http.router: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}`,
    }),
  );
  t.match(router.issues, [
    /envoy\.filters\.http\.router: HTTP filter envoy\.filters\.http\.router has no per-route configuration/,
  ]);

  const noType = load(
    bootstrap({ route: `                typed_per_filter_config: {envoy.filters.http.fault: {abort: {}}}` }),
  );
  t.match(noType.issues, [
    /typed_per_filter_config\.envoy\.filters\.http\.fault: missing required field "@type"/,
  ]);

  const badInner = load(
    bootstrap({
      route: `                typed_per_filter_config: {envoy.filters.http.fault: {"@type": ${FAULT_TYPE}, delay: {fixed_delay: 0s, percentage: {numerator: 1}}}}`,
    }),
  );
  t.match(badInner.issues, [
    `f.yaml: ${ROUTE1}.typed_per_filter_config.envoy.filters.http.fault.delay.fixed_delay: must be greater than 0s`,
  ]);

  const emptyWrapper = load(
    bootstrap({
      route: `                typed_per_filter_config: {envoy.filters.http.fault: {"@type": ${FILTER_CONFIG}}}`,
    }),
  );
  t.match(emptyWrapper.issues, [/FilterConfig needs "config" unless "disabled" is true/]);
});
