import t from 'tap';
import type { AuthorizationPolicy } from '../../../../../lib/config/istio/model.js';
import type { SourcedResource } from '../../../../../lib/config/istio/sourced.js';
import { authorizationFilters } from '../../../../../lib/config/istio/translate/authorization.js';
import type { TranslateSink } from '../../../../../lib/config/istio/translate/types.js';
import { DEFAULT_WORKLOAD, type WorkloadInfo } from '../../../../../lib/config/istio/workload.js';
import type {
  HttpFilterConfig,
  RbacFilterConfig,
  RbacPolicyConfig,
} from '../../../../../lib/config/model.js';
import { decodeYaml } from '../../istio-fixtures.js';

const WORKLOAD: WorkloadInfo = { ...DEFAULT_WORKLOAD, namespace: 'shop', labels: { app: 'orders' } };

function ap(name: string, spec: string, ns = 'shop', annotations = ''): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${ns}${annotations === '' ? '' : `, annotations: {${annotations}}`}}
spec: ${spec}
`;
}

function translate(docs: string[], workload = WORKLOAD) {
  const d = decodeYaml(docs.join('---\n'), 'shop');
  if (d.issues.length > 0) throw new Error(`did not decode: ${d.issues.join('; ')}`);
  const resources: SourcedResource[] = d.resources
    .filter((r): r is AuthorizationPolicy => r.kind === 'AuthorizationPolicy')
    .map((resource) => ({ resource, file: 'ap.yaml' }));
  const sink: TranslateSink = { issues: [], warnings: [] };
  const filters = authorizationFilters(resources, workload, sink);
  return {
    filters: filters as RbacFilterConfig[],
    issues: sink.issues.map((i) => `${i.path}: ${i.message}`),
  };
}

/** The single policy of the single filter. */
function onlyPolicy(filters: readonly HttpFilterConfig[]): RbacPolicyConfig {
  const f = filters[0] as RbacFilterConfig;
  return f.rules!.policies[0]!;
}

const spiffe = (v: string) => ({
  kind: 'authenticated',
  principalName: { kind: 'exact', value: `spiffe://${v}`, ignoreCase: false },
});

t.test(
  'no policy → no filter; ALLOW without rules denies all; selection by namespace and selector',
  async (t) => {
    t.same(translate([]).filters, []);
    const denyAll = translate([ap('deny-all', '{}')]);
    t.same(denyAll.filters, [
      {
        kind: 'rbac',
        name: 'envoy.filters.http.rbac',
        rules: { action: 'ALLOW', policies: [] },
        shadowRules: null,
        rulesStatPrefix: '',
        shadowRulesStatPrefix: '',
      },
    ]);
    const other = translate([
      ap('elsewhere', '{}', 'other'),
      ap('not-me', '{selector: {matchLabels: {app: payments}}}'),
      ap('root-other', '{selector: {matchLabels: {app: payments}}}', 'istio-system'),
    ]);
    t.same(other.filters, [], 'other namespaces and selectors do not apply');
    const root = translate([
      ap('mesh', '{rules: [{}]}', 'istio-system'),
      ap('root-sel', '{action: DENY, selector: {matchLabels: {app: orders}}, rules: [{}]}', 'istio-system'),
      ap('mine', '{selector: {matchLabels: {app: orders}}, rules: [{}]}'),
    ]);
    t.same(
      root.filters.map((f) => [f.rules?.action, f.rules?.policies.map((p) => p.name)]),
      [
        ['DENY', ['ns[istio-system]-policy[root-sel]-rule[0]']],
        ['ALLOW', ['ns[istio-system]-policy[mesh]-rule[0]', 'ns[shop]-policy[mine]-rule[0]']],
      ],
    );
    t.same(
      onlyPolicy(root.filters.slice(1)).permissions,
      [{ kind: 'any' }],
      'an empty rule matches everything',
    );
    t.same(onlyPolicy(root.filters.slice(1)).principals, [{ kind: 'any' }]);
  },
);

t.test('filter order AUDIT (LOG) → DENY → ALLOW; dry-run goes to shadow rules; CUSTOM refused', async (t) => {
  const r = translate([
    ap('allow', '{rules: [{to: [{operation: {methods: [GET]}}]}]}'),
    ap('deny', '{action: DENY, rules: [{to: [{operation: {paths: [/admin*]}}]}]}'),
    ap('audit', '{action: AUDIT, rules: [{}]}'),
    ap('dry', '{action: DENY, rules: [{}]}', 'shop', '"istio.io/dry-run": "true"'),
    ap('dry-allow', '{rules: [{}]}', 'shop', '"istio.io/dry-run": "true"'),
  ]);
  t.same(r.issues, []);
  t.same(
    r.filters.map((f) => [f.rules?.action ?? null, f.shadowRules?.action ?? null, f.shadowRulesStatPrefix]),
    [
      ['LOG', null, ''],
      ['DENY', 'DENY', 'istio_dry_run_deny_'],
      ['ALLOW', 'ALLOW', 'istio_dry_run_allow_'],
    ],
  );
  t.same(
    r.filters[1]!.shadowRules!.policies.map((p) => p.name),
    ['ns[shop]-policy[dry]-rule[0]'],
  );
  const dryOnly = translate([ap('dry-allow', '{rules: [{}]}', 'shop', '"istio.io/dry-run": "true"')]);
  t.equal(dryOnly.filters[0]!.rules, null, 'only dry-run ALLOW policies: nothing enforced');
  const custom = translate([ap('ext', '{action: CUSTOM, provider: {name: opa}, rules: [{}]}')]);
  t.match(custom.issues, [
    /^spec\.action: AuthorizationPolicy shop\/ext: the CUSTOM action .* not supported/,
  ]);
});

t.test('sources: principals (all forms), namespaces, ipBlocks, remoteIpBlocks, not*', async (t) => {
  const r = translate([
    ap(
      'src',
      `{rules: [{from: [{source: {principals: ["cluster.local/ns/a/sa/b", "cluster.local/ns/x/*", "*/sa/c", "*"], notPrincipals: ["cluster.local/ns/a/sa/evil"]}},
        {source: {namespaces: [prod, "dev*", "*"], notNamespaces: [test]}},
        {source: {ipBlocks: [10.0.0.0/8, 1.2.3.4], notIpBlocks: ["::1"], remoteIpBlocks: [192.168.0.0/16], notRemoteIpBlocks: [192.168.1.1]}}]}]}`.replace(
        /\n\s*/g,
        ' ',
      ),
    ),
  ]);
  t.same(r.issues, []);
  const p = onlyPolicy(r.filters);
  t.same(p.permissions, [{ kind: 'any' }]);
  t.same(p.principals, [
    {
      kind: 'or_ids',
      ids: [
        {
          kind: 'and_ids',
          ids: [
            {
              kind: 'or_ids',
              ids: [
                spiffe('cluster.local/ns/a/sa/b'),
                {
                  kind: 'authenticated',
                  principalName: { kind: 'prefix', value: 'spiffe://cluster.local/ns/x/', ignoreCase: false },
                },
                {
                  kind: 'authenticated',
                  principalName: { kind: 'suffix', value: '/sa/c', ignoreCase: false },
                },
                {
                  kind: 'authenticated',
                  principalName: { kind: 'safe_regex', regex: '.+', ignoreCase: false },
                },
              ],
            },
            { kind: 'not_id', id: spiffe('cluster.local/ns/a/sa/evil') },
          ],
        },
        {
          kind: 'and_ids',
          ids: [
            {
              kind: 'or_ids',
              ids: [
                {
                  kind: 'authenticated',
                  principalName: { kind: 'safe_regex', regex: '.*/ns/prod/.*', ignoreCase: false },
                },
                {
                  kind: 'authenticated',
                  principalName: { kind: 'safe_regex', regex: '.*/ns/dev[^/]*/.*', ignoreCase: false },
                },
                {
                  kind: 'authenticated',
                  principalName: { kind: 'safe_regex', regex: '.*/ns/[^/]+/.*', ignoreCase: false },
                },
              ],
            },
            {
              kind: 'not_id',
              id: {
                kind: 'authenticated',
                principalName: { kind: 'safe_regex', regex: '.*/ns/test/.*', ignoreCase: false },
              },
            },
          ],
        },
        {
          kind: 'and_ids',
          ids: [
            {
              kind: 'or_ids',
              ids: [
                { kind: 'direct_remote_ip', cidr: { addressPrefix: '10.0.0.0', prefixLen: 8 } },
                { kind: 'direct_remote_ip', cidr: { addressPrefix: '1.2.3.4', prefixLen: 32 } },
              ],
            },
            {
              kind: 'not_id',
              id: { kind: 'direct_remote_ip', cidr: { addressPrefix: '::1', prefixLen: 128 } },
            },
            { kind: 'remote_ip', cidr: { addressPrefix: '192.168.0.0', prefixLen: 16 } },
            {
              kind: 'not_id',
              id: { kind: 'remote_ip', cidr: { addressPrefix: '192.168.1.1', prefixLen: 32 } },
            },
          ],
        },
      ],
    },
  ]);
  const jwt = translate([ap('jwt', '{rules: [{from: [{source: {requestPrincipals: ["iss/sub"]}}]}]}')]);
  t.same(jwt.issues, [
    'spec.rules[0].from[0].source.requestPrincipals: AuthorizationPolicy shop/jwt: JWT (RequestAuthentication) is not supported',
  ]);
  t.same(jwt.filters, [], 'a refused policy adds nothing');
});

t.test('operations: hosts, ports, methods, paths (exact, prefix, suffix, presence) and not*', async (t) => {
  const r = translate([
    ap(
      'ops',
      '{rules: [{to: [{operation: {hosts: ["Orders.example.com", "*.example.com"], notHosts: ["evil.example.com"], ports: ["8080"], notPorts: ["9090"], methods: [GET, "HEAD"], notMethods: [DELETE], paths: [/exact, "/api/*", "*.png", "*"], notPaths: [/admin]}}]}]}',
    ),
  ]);
  t.same(r.issues, []);
  const header = (name: string, m: object) => ({
    kind: 'header',
    header: { name, match: { kind: 'string', matcher: m }, invert: false, treatMissingAsEmpty: false },
  });
  t.same(onlyPolicy(r.filters).permissions, [
    {
      kind: 'and_rules',
      rules: [
        {
          kind: 'or_rules',
          rules: [
            header(':authority', { kind: 'exact', value: 'Orders.example.com', ignoreCase: true }),
            header(':authority', { kind: 'suffix', value: '.example.com', ignoreCase: true }),
          ],
        },
        {
          kind: 'not_rule',
          rule: header(':authority', { kind: 'exact', value: 'evil.example.com', ignoreCase: true }),
        },
        { kind: 'destination_port', port: 8080 },
        { kind: 'not_rule', rule: { kind: 'destination_port', port: 9090 } },
        {
          kind: 'or_rules',
          rules: [
            header(':method', { kind: 'exact', value: 'GET', ignoreCase: false }),
            header(':method', { kind: 'exact', value: 'HEAD', ignoreCase: false }),
          ],
        },
        { kind: 'not_rule', rule: header(':method', { kind: 'exact', value: 'DELETE', ignoreCase: false }) },
        {
          kind: 'or_rules',
          rules: [
            { kind: 'url_path', path: { kind: 'exact', value: '/exact', ignoreCase: false } },
            { kind: 'url_path', path: { kind: 'prefix', value: '/api/', ignoreCase: false } },
            { kind: 'url_path', path: { kind: 'suffix', value: '.png', ignoreCase: false } },
            { kind: 'url_path', path: { kind: 'safe_regex', regex: '.+', ignoreCase: false } },
          ],
        },
        {
          kind: 'not_rule',
          rule: { kind: 'url_path', path: { kind: 'exact', value: '/admin', ignoreCase: false } },
        },
      ],
    },
  ]);
  const tpl = translate([ap('tpl', '{rules: [{to: [{operation: {paths: ["/a/{*}/b"]}}]}]}')]);
  t.match(tpl.issues, [/^spec\.rules\[0\]\.to\[0\]\.operation\.paths: .*path templates/]);
});

t.test(
  'when conditions: supported keys map to principals/permissions; JWT and unknown keys refused',
  async (t) => {
    const r = translate([
      ap(
        'when',
        `{rules: [{when: [{key: "request.headers[X-Team]", values: [a, "b*"], notValues: [c]}, {key: source.ip, values: [10.0.0.0/8]},
        {key: source.principal, values: ["cluster.local/ns/a/sa/b"]}, {key: source.namespace, notValues: [dev]},
        {key: destination.port, values: ["8080"]}, {key: remote.ip, values: [1.1.1.1]}]}]}`.replace(
          /\n\s*/g,
          ' ',
        ),
      ),
    ]);
    t.same(r.issues, []);
    const p = onlyPolicy(r.filters);
    t.same(p.permissions, [{ kind: 'destination_port', port: 8080 }]);
    const ids = (p.principals[0] as unknown as { ids: unknown[] }).ids;
    t.equal(
      ids.length,
      6,
      'ANDed: header values, header notValues, source.ip, principal, namespace, remote.ip',
    );
    t.same(ids[0], {
      kind: 'or_ids',
      ids: [
        {
          kind: 'header',
          header: {
            name: 'x-team',
            match: { kind: 'string', matcher: { kind: 'exact', value: 'a', ignoreCase: false } },
            invert: false,
            treatMissingAsEmpty: false,
          },
        },
        {
          kind: 'header',
          header: {
            name: 'x-team',
            match: { kind: 'string', matcher: { kind: 'prefix', value: 'b', ignoreCase: false } },
            invert: false,
            treatMissingAsEmpty: false,
          },
        },
      ],
    });
    t.match(ids[1], { kind: 'not_id' });
    t.same(ids[3], spiffe('cluster.local/ns/a/sa/b'));
    t.match(ids[4], { kind: 'not_id', id: { principalName: { regex: '.*/ns/dev/.*' } } });

    const jwt = translate([ap('jwt', '{rules: [{when: [{key: "request.auth.claims[iss]", values: [x]}]}]}')]);
    t.same(jwt.issues, [
      'spec.rules[0].when[0].key: AuthorizationPolicy shop/jwt: request.auth.claims[iss]: JWT (RequestAuthentication) is not supported',
    ]);
    const sa = translate([ap('sa', '{rules: [{when: [{key: source.serviceAccount, values: [x]}]}]}')]);
    t.match(sa.issues, [/when\[0\]\.key: .*condition key "source.serviceAccount" is not supported/]);
  },
);
