import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { Bootstrap, ForwardActionConfig } from '../../../lib/config/model.js';
import { minimal } from './fixtures.js';

const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
const ROUTE = `${HCM}.route_config.virtual_hosts[0].routes[0].route`;
const P = `mirror.yaml: ${ROUTE}.request_mirror_policies`;

/** The minimal bootstrap (cluster `svc`) plus a cluster `shadow`, with `extra` in the route action. */
function withRoute(extra: string): string {
  const oneLine = extra.replace(/\n\s*/g, ' ');
  const text = minimal().replace('route: {cluster: svc}', `route: {cluster: svc, ${oneLine}}`);
  return `${text}  - name: shadow
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8081}}}
`;
}

function load(text: string): { bootstrap: Bootstrap; warnings: string[] } {
  const r = loadConfigText(text, 'mirror.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return { bootstrap: r.bootstrap, warnings: r.warnings.map(formatIssue) };
}

function issues(text: string): string[] {
  const r = loadConfigText(text, 'mirror.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

function action(b: Bootstrap): ForwardActionConfig {
  const a = b.listeners[0]!.filterChains[0]!.hcm!.routeConfig.virtualHosts[0]!.routes[0]!.action;
  if (a.kind !== 'forward') throw new Error('not a forward action');
  return a;
}

t.test('request_mirror_policies decode with Envoy defaults', async (t) => {
  const { bootstrap, warnings } = load(
    withRoute(`request_mirror_policies: [
      {cluster: shadow},
      {cluster: svc, runtime_fraction: {default_value: {numerator: 25}, runtime_key: mirror.svc},
       disable_shadow_host_suffix_append: true, trace_sampled: false},
      {cluster: shadow, runtime_fraction: {default_value: {numerator: 5, denominator: TEN_THOUSAND}}},
      {cluster: shadow, runtime_fraction: {default_value: {numerator: 1, denominator: MILLION}}}]`),
  );
  t.same(warnings, []);
  t.same(action(bootstrap).requestMirrorPolicies, [
    {
      cluster: 'shadow',
      fraction: { numerator: 100, denominator: 100 },
      disableShadowHostSuffixAppend: false,
    },
    { cluster: 'svc', fraction: { numerator: 25, denominator: 100 }, disableShadowHostSuffixAppend: true },
    {
      cluster: 'shadow',
      fraction: { numerator: 5, denominator: 10_000 },
      disableShadowHostSuffixAppend: false,
    },
    {
      cluster: 'shadow',
      fraction: { numerator: 1, denominator: 1_000_000 },
      disableShadowHostSuffixAppend: false,
    },
  ]);
});

t.test('a route without mirrors has no requestMirrorPolicies field', async (t) => {
  t.notOk('requestMirrorPolicies' in action(load(minimal()).bootstrap));
  t.notOk('requestMirrorPolicies' in action(load(withRoute('request_mirror_policies: []')).bootstrap));
});

t.test('camelCase JSON names are accepted', async (t) => {
  const { bootstrap } = load(
    withRoute(
      'requestMirrorPolicies: [{cluster: shadow, runtimeFraction: {defaultValue: {numerator: 0}}, disableShadowHostSuffixAppend: true}]',
    ),
  );
  t.same(action(bootstrap).requestMirrorPolicies, [
    { cluster: 'shadow', fraction: { numerator: 0, denominator: 100 }, disableShadowHostSuffixAppend: true },
  ]);
});

t.test('an unknown mirror cluster is reported like the route cluster', async (t) => {
  t.same(issues(withRoute('request_mirror_policies: [{cluster: nope}]')), [
    `${P}[0].cluster: unknown cluster "nope" (not in static_resources.clusters; set validate_clusters: false on the route_config to allow it)`,
  ]);
  const off = withRoute('request_mirror_policies: [{cluster: nope}]').replace(
    'route_config:\n',
    'route_config:\n            validate_clusters: false\n',
  );
  t.same(issues(off), [], 'validate_clusters: false allows it');
});

t.test('bad mirror policies name the field', async (t) => {
  const cases: Array<[string, string, string[]]> = [
    ['no cluster', '[{}]', [`${P}[0]: exactly one of cluster, cluster_header is required`]],
    [
      'cluster_header',
      '[{cluster_header: x-mirror}]',
      [
        `${P}[0].cluster_header: cluster_header is not supported yet in request mirror policies (name the mirror cluster with "cluster")`,
      ],
    ],
    [
      'both',
      '[{cluster: shadow, cluster_header: x-mirror}]',
      [`${P}[0]: only one of cluster, cluster_header may be set (found cluster and cluster_header)`],
    ],
    ['empty cluster', '[{cluster: ""}]', [`${P}[0].cluster: must not be empty`]],
    ['cluster type', '[{cluster: 7}]', [`${P}[0].cluster: expected a string, got a number (7)`]],
    ['not a list', '{cluster: shadow}', [`${P}: expected a list, got an object`]],
    ['entry not an object', '[shadow]', [`${P}[0]: expected an object, got a string ("shadow")`]],
    ['unknown field', '[{cluster: shadow, bogus: 1}]', [`${P}[0]: unknown field "bogus"`]],
    [
      'unsupported header mutations',
      '[{cluster: shadow, request_headers_mutations: [{remove: x}]}]',
      [`${P}[0].request_headers_mutations: request_headers_mutations is not supported yet`],
    ],
    [
      'unsupported host rewrite',
      '[{cluster: shadow, host_rewrite_literal: h}]',
      [`${P}[0].host_rewrite_literal: host_rewrite_literal is not supported yet`],
    ],
    [
      'suffix flag type',
      '[{cluster: shadow, disable_shadow_host_suffix_append: "yes"}]',
      [`${P}[0].disable_shadow_host_suffix_append: expected a boolean, got a string ("yes")`],
    ],
    [
      'fraction without default_value',
      '[{cluster: shadow, runtime_fraction: {runtime_key: k}}]',
      [`${P}[0].runtime_fraction: missing required field "default_value"`],
    ],
    [
      'fraction not an object',
      '[{cluster: shadow, runtime_fraction: 50}]',
      [`${P}[0].runtime_fraction: expected an object, got a number (50)`],
    ],
    [
      'bad denominator',
      '[{cluster: shadow, runtime_fraction: {default_value: {numerator: 1, denominator: THOUSAND}}}]',
      [
        `${P}[0].runtime_fraction.default_value.denominator: unknown value "THOUSAND"; expected one of HUNDRED, TEN_THOUSAND, MILLION`,
      ],
    ],
    [
      'negative numerator',
      '[{cluster: shadow, runtime_fraction: {default_value: {numerator: -1}}}]',
      [`${P}[0].runtime_fraction.default_value.numerator: -1 is out of range; must be at least 0`],
    ],
    [
      'unknown field in the fraction',
      '[{cluster: shadow, runtime_fraction: {default_value: {numerator: 1, percent: 2}}}]',
      [`${P}[0].runtime_fraction.default_value: unknown field "percent"`],
    ],
    [
      'unknown field in runtime_fraction',
      '[{cluster: shadow, runtime_fraction: {default_value: {numerator: 1}, key: k}}]',
      [`${P}[0].runtime_fraction: unknown field "key"`],
    ],
    [
      'runtime_key type',
      '[{cluster: shadow, runtime_fraction: {default_value: {numerator: 1}, runtime_key: 3}}]',
      [`${P}[0].runtime_fraction.runtime_key: expected a string, got a number (3)`],
    ],
  ];
  for (const [name, value, want] of cases) {
    t.same(issues(withRoute(`request_mirror_policies: ${value}`)), want, name);
  }
});

t.test('virtual host level mirror policies stay unsupported', async (t) => {
  const text = withRoute('timeout: 1s').replace(
    'domains: ["*"]',
    'domains: ["*"]\n              request_mirror_policies: [{cluster: shadow}]',
  );
  t.same(issues(text), [
    `mirror.yaml: ${HCM}.route_config.virtual_hosts[0].request_mirror_policies: request_mirror_policies is not supported yet`,
  ]);
});
