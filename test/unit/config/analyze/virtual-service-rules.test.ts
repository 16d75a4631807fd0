import t from 'tap';
import { analyze } from '../../../../lib/config/analyze/analyze.js';
import type { VirtualService } from '../../../../lib/config/istio/model.js';
import { loadConfigText } from '../../../../lib/config/load.js';
import { analyzeYaml, codes, docs } from './fixtures.js';

function vs(name: string, body: string, meta = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: production${meta}}
spec:
${body}
`;
}

const SPLIT = vs(
  'order-service-vs',
  `  hosts: [order-service]
  http:
    - route:
        - {destination: {host: order-service, subset: v1}, weight: 95}
        - {destination: {host: order-service, subset: v2}, weight: 5}`,
);
const HOTFIX = vs(
  'order-hotfix',
  `  hosts: [order-service.production.svc.cluster.local]
  gateways: [mesh]
  http:
    - route:
        - destination: {host: order-service, subset: v2}`,
);

t.test(
  'IST0109: two mesh VirtualServices for one host; the message says which one wins and why',
  async (t) => {
    const f = codes(analyzeYaml(docs(SPLIT, HOTFIX)), 'IST0109');
    t.equal(f.length, 2, 'one finding per VirtualService');
    t.same(
      f.map((x) => x.resource),
      ['VirtualService production/order-service-vs', 'VirtualService production/order-hotfix'],
      'in file order',
    );
    t.equal(f[0]!.message, f[1]!.message, 'both name the same winner');
    t.equal(f[0]!.severity, 'Error');
    t.match(
      f[0]!.message,
      'The VirtualServices production/order-hotfix,production/order-service-vs associated with mesh gateway define the same host */order-service.production.svc.cluster.local which can lead to undefined behavior.',
    );
    t.match(
      f[0]!.message,
      /Sidecars use production\/order-hotfix for this host \(neither has a creationTimestamp, so istiod orders them by name\); the rules of production\/order-service-vs are ignored\./,
    );
    t.match(f[0]!.hint, /Merge the http rules/);

    const older = analyzeYaml(
      docs(
        SPLIT.replace(
          'namespace: production}',
          'namespace: production, creationTimestamp: "2024-01-01T00:00:00Z"}',
        ),
        HOTFIX.replace(
          'namespace: production}',
          'namespace: production, creationTimestamp: "2024-06-01T00:00:00Z"}',
        ),
      ),
    );
    t.match(
      codes(older, 'IST0109')[0]!.message,
      /Sidecars use production\/order-service-vs for this host \(production\/order-service-vs is older/,
    );
  },
);

t.test(
  'IST0109 passes for a gateway-only VirtualService, separate exportTo scopes, or one VirtualService',
  async (t) => {
    t.same(codes(analyzeYaml(SPLIT), 'IST0109'), []);
    t.same(
      codes(analyzeYaml(docs(SPLIT, HOTFIX.replace('[mesh]', '[istio-system/ingress]'))), 'IST0109'),
      [],
    );
    const scoped = HOTFIX.replace('  gateways: [mesh]', '  gateways: [mesh]\n  exportTo: ["."]');
    const other = SPLIT.replace(
      '  hosts: [order-service]',
      '  hosts: [order-service.production.svc.cluster.local]\n  exportTo: [staging]',
    );
    t.same(codes(analyzeYaml(docs(other, scoped)), 'IST0109'), []);
  },
);

const RULES = vs(
  'rules',
  `  hosts: [reviews]
  http:
    - name: default
      route: [{destination: {host: reviews}}]
    - match: [{headers: {x-canary: {exact: "yes"}}}]
      route: [{destination: {host: reviews}}]`,
);

t.test('IST0130: a rule without matches before others makes them unreachable', async (t) => {
  const f = codes(analyzeYaml(RULES), 'IST0130');
  t.equal(f.length, 1);
  t.equal(f[0]!.severity, 'Warning');
  t.equal(f[0]!.path, 'spec.http[1]');
  t.equal(f[0]!.message, 'VirtualService rule #1 not used (route without matches defined before).');
  t.match(f[0]!.hint, /Move rule "default"/);
  const two = vs(
    'two',
    `  hosts: [reviews]
  http:
    - route: [{destination: {host: reviews}}]
    - route: [{destination: {host: reviews}}]`,
  );
  t.equal(
    codes(analyzeYaml(two), 'IST0130')[0]!.message,
    'VirtualService rule #1 not used (only the last rule can have no matches).',
  );
  const tcp = vs(
    'tcp',
    `  hosts: [db]
  tcp:
    - match: [{port: 5432}]
      route: [{destination: {host: db}}]
    - match: [{port: 5432}]
      route: [{destination: {host: db}}]`,
  );
  t.same(
    codes(analyzeYaml(tcp), 'IST0130').map((x) => x.path),
    ['spec.tcp[1]'],
  );
  const fixed = RULES.replace(
    /( {4}- name: default\n.*\n)( {4}- match.*\n.*)/,
    (_m, a: string, b: string) => `${b}\n${a}`,
  );
  t.same(codes(analyzeYaml(fixed), 'IST0130'), [], 'specific rule first, catch-all last');
});

t.test('IST0131: a match an earlier identical or looser match already catches', async (t) => {
  const dup = vs(
    'dup',
    `  hosts: [reviews]
  http:
    - match: [{uri: {prefix: /api}}]
      route: [{destination: {host: reviews}}]
    - match: [{name: again, uri: {prefix: /api}}, {uri: {prefix: /api/v1}, headers: {x-a: {exact: b}}}, {uri: {prefix: /web}}]
      route: [{destination: {host: reviews}}]`,
  );
  const f = codes(analyzeYaml(dup), 'IST0131');
  t.same(
    f.map((x) => [x.severity, x.path, x.message]),
    [
      [
        'Info',
        'spec.http[1].match[0]',
        'VirtualService rule #1 match "again" is not used (duplicate/overlapping match in rule #0).',
      ],
      [
        'Info',
        'spec.http[1].match[1]',
        'VirtualService rule #1 match #1 is not used (duplicate/overlapping match in rule #0).',
      ],
    ],
  );
  t.same(codes(analyzeYaml(dup), 'IST0130'), [], 'one match is still reachable');
  const all = dup.replace(', {uri: {prefix: /web}}', '');
  t.equal(
    codes(analyzeYaml(all), 'IST0130')[0]!.message,
    'VirtualService rule #1 not used (all matches used by prior rules).',
  );
  const specificFirst = vs(
    'ok',
    `  hosts: [reviews]
  http:
    - match: [{uri: {prefix: /api/v1}}]
      route: [{destination: {host: reviews}}]
    - match: [{uri: {prefix: /api}}, {uri: {exact: /ap}}, {uri: {prefix: /api}, ignoreUriCase: true}]
      route: [{destination: {host: reviews}}]`,
  );
  t.same(codes(analyzeYaml(specificFirst), 'IST0131'), []);
});

t.test(
  'SKF0001: every destination of a rule weighs 0 (resources built by code; YAML is rejected)',
  async (t) => {
    const text = vs(
      'w',
      `  hosts: [reviews]
  http:
    - route:
        - {destination: {host: a}, weight: 1}
        - {destination: {host: b}, weight: 0}`,
    );
    t.same(codes(analyzeYaml(text), 'SKF0001'), [], 'one positive weight is enough');
    const loaded = loadConfigText(text, 'a.yaml');
    const src = loaded.istio[0]!;
    const res = src.resource as VirtualService;
    const rule = res.spec.http[0]!;
    const zeroed: VirtualService = {
      ...res,
      spec: { ...res.spec, http: [{ ...rule, route: rule.route.map((d) => ({ ...d, weight: 0 })) }] },
    };
    const f = codes(analyze([{ resource: zeroed, file: 'a.yaml' }]), 'SKF0001');
    t.equal(f.length, 1);
    t.equal(f[0]!.severity, 'Error');
    t.equal(f[0]!.path, 'spec.http[0].route');
    t.match(f[0]!.message, 'All 2 destinations of rule #0 have weight 0');
    const rejected = loadConfigText(text.replace('weight: 1', 'weight: 0'), 'a.yaml');
    t.notOk(rejected.ok, 'the loader rejects it (IST0106 in the CLI)');
  },
);
