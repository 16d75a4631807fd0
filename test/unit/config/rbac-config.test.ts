import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { HttpConnectionManagerConfig } from '../../../lib/config/model.js';
import { roundTrip, withoutSources } from './encode/round-trip.js';
import { HCM_TYPE } from './fixtures.js';

const RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute';
const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
const F0 = `${HCM}.http_filters[0].typed_config`;

/** A bootstrap whose first HTTP filter is RBAC with `rbac` (JSON) as its typed_config body. */
function bootstrap(rbac: string, hcmExtra = '', routeExtra = ''): string {
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
${hcmExtra}
          http_filters:
          - name: envoy.filters.http.rbac
            typed_config: {"@type": ${RBAC_TYPE}, ${rbac}}
          - name: envoy.filters.http.router
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {prefix: /}
                route: {cluster: svc}
${routeExtra}
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
  if (!r.ok)
    return { hcm: null, issues: r.issues.map(formatIssue), warnings: [] as string[], bootstrap: null };
  const hcm: HttpConnectionManagerConfig = r.bootstrap.listeners[0]!.filterChains[0]!.hcm!;
  return { hcm, issues: [] as string[], warnings: r.warnings.map(formatIssue), bootstrap: r.bootstrap };
}

const FULL = `rules: {action: DENY, policies: {
  z-last: {permissions: [{any: true}], principals: [{authenticated: {principal_name: {exact: "spiffe://cluster.local/ns/a/sa/b"}}}]},
  a-first: {
    permissions: [
      {and_rules: {rules: [{header: {name: ":method", string_match: {exact: GET}}}, {url_path: {path: {prefix: /admin}}}]}},
      {or_rules: {rules: [{destination_port: 8080}, {destination_port_range: {start: 9000, end: 9100}}]}},
      {not_rule: {destination_ip: {address_prefix: 10.0.0.0, prefix_len: 8}}},
      {requested_server_name: {suffix: .example.com}}],
    principals: [
      {and_ids: {ids: [{direct_remote_ip: {address_prefix: 10.1.0.0, prefix_len: 16}}, {remote_ip: {address_prefix: "::1", prefix_len: 128}}]}},
      {or_ids: {ids: [{source_ip: {address_prefix: 192.168.0.1}}, {header: {name: x-user, present_match: true}}]}},
      {not_id: {url_path: {path: {exact: /x}}}},
      {authenticated: {}}]}}},
  shadow_rules: {action: LOG, policies: {}}, shadow_rules_stat_prefix: istio_dry_run_allow_, rules_stat_prefix: r_,
  track_per_rule_stats: true`;

t.test('every permission and principal form decodes; policies sorted by name; round trip', async (t) => {
  const r = load(bootstrap(FULL.replace(/\n\s*/g, ' ')));
  t.same(r.issues, []);
  const f = r.hcm!.httpFilters[0]!;
  if (f.kind !== 'rbac') throw new Error('not rbac');
  t.equal(f.name, 'envoy.filters.http.rbac');
  t.same(
    f.rules?.policies.map((p) => p.name),
    ['a-first', 'z-last'],
  );
  t.same(
    f.rules!.policies[0]!.permissions.map((p) => p.kind),
    ['and_rules', 'or_rules', 'not_rule', 'requested_server_name'],
  );
  t.same(
    f.rules!.policies[0]!.principals.map((p) => p.kind),
    ['and_ids', 'or_ids', 'not_id', 'authenticated'],
  );
  t.same(f.rules!.policies[0]!.principals[1], {
    kind: 'or_ids',
    ids: [
      { kind: 'source_ip', cidr: { addressPrefix: '192.168.0.1', prefixLen: 0 } },
      {
        kind: 'header',
        header: {
          name: 'x-user',
          match: { kind: 'present', present: true },
          invert: false,
          treatMissingAsEmpty: false,
        },
      },
    ],
  });
  t.same(f.shadowRules, { action: 'LOG', policies: [] });
  t.equal(f.shadowRulesStatPrefix, 'istio_dry_run_allow_');
  t.equal(f.rulesStatPrefix, 'r_');
  t.strictSame(withoutSources(roundTrip(r.bootstrap!)), withoutSources(r.bootstrap!));
});

t.test('defaults: no rules; ALLOW is the default action; by name without typed_config', async (t) => {
  const r = load(bootstrap('rules: {}'));
  t.same(r.issues, []);
  t.match(r.hcm!.httpFilters[0], {
    kind: 'rbac',
    rules: { action: 'ALLOW', policies: [] },
    shadowRules: null,
  });
  const empty = load(bootstrap('').replace(`{"@type": ${RBAC_TYPE}, }`, `{"@type": ${RBAC_TYPE}}`));
  t.same(empty.issues, []);
  t.match(empty.hcm!.httpFilters[0], {
    kind: 'rbac',
    rules: null,
    shadowRules: null,
    shadowRulesStatPrefix: '',
  });
});

t.test('per-route RBACPerRoute decodes and round-trips', async (t) => {
  const route = `                typed_per_filter_config:
                  envoy.filters.http.rbac: {"@type": ${PER_ROUTE}, rbac: {rules: {action: DENY, policies: {p: {permissions: [{any: true}], principals: [{any: true}]}}}}}
              - match: {prefix: /off}
                route: {cluster: svc}
                typed_per_filter_config:
                  envoy.filters.http.rbac: {"@type": ${PER_ROUTE}}`;
  const r = load(bootstrap('rules: {}', '', route));
  t.same(r.issues, []);
  const routes = r.hcm!.routeConfig.virtualHosts[0]!.routes;
  t.match(routes[0]!.typedPerFilterConfig?.['envoy.filters.http.rbac'], {
    kind: 'rbac',
    rbac: { rules: { action: 'DENY' } },
  });
  t.same(routes[1]!.typedPerFilterConfig?.['envoy.filters.http.rbac'], { kind: 'rbac', rbac: null });
  t.strictSame(withoutSources(roundTrip(r.bootstrap!)), withoutSources(r.bootstrap!));
});

t.test('bad RBAC configs are errors naming the field', async (t) => {
  const P = `${F0}.rules.policies.p`;
  const cases: [string, string | RegExp][] = [
    ['bogus: 1', `f.yaml: ${F0}: unknown field "bogus"`],
    [
      'rules: {action: AUDIT}',
      `f.yaml: ${F0}.rules.action: unknown value "AUDIT"; expected one of ALLOW, DENY, LOG`,
    ],
    [
      'rules: {policies: {p: {permissions: [{any: true}]}}}',
      `f.yaml: ${P}.principals: at least one principal is required`,
    ],
    [
      'rules: {policies: {p: {principals: [{any: true}]}}}',
      `f.yaml: ${P}.permissions: at least one permission is required`,
    ],
    [
      'rules: {policies: {p: {permissions: [{}], principals: [{any: true}]}}}',
      new RegExp(
        `^f.yaml: ${P.replace(/[.[\]]/g, '\\$&')}\\.permissions\\[0\\]: exactly one of any, and_rules`,
      ),
    ],
    [
      'rules: {policies: {p: {permissions: [{any: true, destination_port: 1}], principals: [{any: true}]}}}',
      /permissions\[0\]: only one of .* may be set \(found any and destination_port\)/,
    ],
    [
      'rules: {policies: {p: {permissions: [{any: false}], principals: [{any: true}]}}}',
      `f.yaml: ${P}.permissions[0].any: must be true when set`,
    ],
    [
      'rules: {policies: {p: {permissions: [{metadata: {}}], principals: [{any: true}]}}}',
      `f.yaml: ${P}.permissions[0].metadata: metadata is not supported yet`,
    ],
    [
      'rules: {policies: {p: {permissions: [{any: true}], principals: [{filter_state: {}}]}}}',
      `f.yaml: ${P}.principals[0].filter_state: filter_state is not supported yet`,
    ],
    [
      'rules: {policies: {p: {permissions: [{destination_port: 70000}], principals: [{any: true}]}}}',
      /permissions\[0\]\.destination_port: .*65535/,
    ],
    [
      'rules: {policies: {p: {permissions: [{any: true}], principals: [{direct_remote_ip: {address_prefix: nope}}]}}}',
      `f.yaml: ${P}.principals[0].direct_remote_ip.address_prefix: "nope" is not an IP address`,
    ],
    [
      'rules: {policies: {p: {permissions: [{any: true}], principals: [{remote_ip: {prefix_len: 8}}]}}}',
      `f.yaml: ${P}.principals[0].remote_ip: missing required field "address_prefix"`,
    ],
    [
      'rules: {policies: {p: {permissions: [{and_rules: {rules: []}}], principals: [{any: true}]}}}',
      `f.yaml: ${P}.permissions[0].and_rules.rules: at least one rule is required`,
    ],
    [
      'rules: {policies: {p: {permissions: [{any: true}], principals: [{or_ids: {}}]}}}',
      `f.yaml: ${P}.principals[0].or_ids.ids: at least one id is required`,
    ],
    [
      'rules: {policies: {p: {permissions: [{url_path: {path: {exact: /a}, extra: 1}}], principals: [{any: true}]}}}',
      `f.yaml: ${P}.permissions[0].url_path: unknown field "extra"`,
    ],
    [
      'rules: {policies: {p: {permissions: [{destination_port_range: {start: 10, end: 10}}], principals: [{any: true}]}}}',
      `f.yaml: ${P}.permissions[0].destination_port_range: start must be lower than end (end is exclusive)`,
    ],
    [
      'rules: {policies: {p: {permissions: [{any: true}], principals: [{any: true}], condition: {}}}}',
      `f.yaml: ${P}.condition: condition is not supported yet (CEL conditions)`,
    ],
    ['matcher: {}', `f.yaml: ${F0}.matcher: matcher is not supported yet (use rules)`],
    [
      'rules: {policies: {p: {permissions: [{url_path: {path: {safe_regex: {regex: "("}}}}], principals: [{any: true}]}}}',
      /permissions\[0\]\.url_path\.path\.safe_regex/,
    ],
  ];
  for (const [rbac, want] of cases) {
    const r = load(bootstrap(rbac));
    if (typeof want === 'string') t.same(r.issues, [want], rbac);
    else t.match(r.issues.join('\n'), want, rbac);
  }
});

t.test('HCM path normalisation fields decode; no more "not enforced" warnings', async (t) => {
  const r = load(
    bootstrap(
      'rules: {}',
      '          normalize_path: true\n          merge_slashes: true\n          path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT',
    ),
  );
  t.same(r.issues, []);
  t.same(r.warnings, []);
  t.match(r.hcm, {
    normalizePath: true,
    mergeSlashes: true,
    pathWithEscapedSlashesAction: 'UNESCAPE_AND_REDIRECT',
  });
  t.strictSame(withoutSources(roundTrip(r.bootstrap!)), withoutSources(r.bootstrap!));
  const dflt = load(
    bootstrap('rules: {}', '          path_with_escaped_slashes_action: IMPLEMENTATION_SPECIFIC_DEFAULT'),
  );
  t.equal(dflt.hcm?.pathWithEscapedSlashesAction, 'KEEP_UNCHANGED');
  const bad = load(bootstrap('rules: {}', '          path_with_escaped_slashes_action: DROP'));
  t.match(bad.issues, [`f.yaml: ${HCM}.path_with_escaped_slashes_action: unknown value "DROP"`]);
});
