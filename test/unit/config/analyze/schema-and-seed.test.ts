import { readFile } from 'node:fs/promises';
import t from 'tap';
import { analyze } from '../../../../lib/config/analyze/analyze.js';
import { CODES } from '../../../../lib/config/analyze/finding.js';
import { schemaValidationFindings } from '../../../../lib/config/analyze/schema-errors.js';
import { loadConfigText } from '../../../../lib/config/load.js';
import { parseDocuments } from '../../../../lib/config/parse.js';
import { codes, docs, serviceEntry, workloadEntry } from './fixtures.js';

// The repository's copies of the seed files (a test keeps them equal to /work/shared/seed).
const SEED = new URL('../../../../../config-examples/istio/', import.meta.url).pathname;

function schema(text: string) {
  const result = loadConfigText(text, 'a.yaml');
  const issues = result.ok ? [] : result.issues;
  return schemaValidationFindings(issues, parseDocuments(text, 'a.yaml').docs, result.istio, 'default');
}

t.test('IST0106: decode errors of Istio documents become findings with the field path', async (t) => {
  const bad = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r, namespace: production}
spec:
  hosts: [r]
  http:
    - route: [{destination: {host: r}}]
      retries: {attempts: 2, retryOn: "5xx,bogus"}
      bogusField: 1`;
  const { findings, rest } = schema(bad);
  t.same(rest, []);
  t.same(findings.map((f) => [f.code, f.severity, f.resource, f.path]).sort(), [
    ['IST0106', 'Error', 'VirtualService production/r', 'spec.http[0]'],
    ['IST0106', 'Error', 'VirtualService production/r', 'spec.http[0].retries.retryOn'],
  ]);
  t.ok(findings.some((f) => f.message === 'Schema validation error: unknown field "bogusField"'));
  t.ok(findings.every((f) => f.message.startsWith('Schema validation error: ')));
  t.ok(findings.some((f) => f.message.includes('"bogus" is not a valid retryOn policy')));

  const noNs = schema(
    'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {}',
  );
  t.equal(noNs.findings[0]!.resource, 'DestinationRule default/d');
  t.equal(noNs.findings[0]!.message, 'Schema validation error: missing required field "host"');

  const ok = schema(
    'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: d}',
  );
  t.same(ok.findings, []);
  const envoy = schema('static_resources: {clusters: [{name: x, lb_policy: NOPE}]}');
  t.same(envoy.findings, [], 'Envoy bootstrap issues stay load errors');
  t.equal(envoy.rest.length > 0, true);
});

t.test('the seed canary as-is: no registry, so IST0101 and IST0174; with the registry, clean', async (t) => {
  const text = await readFile(`${SEED}istio-canary.yaml`, 'utf8');
  const asIs = analyze(loadConfigText(text, 'istio-canary.yaml').istio);
  t.same(
    asIs.map((f) => [f.code, f.path]),
    [
      ['IST0101', 'spec.http[0].route[0].destination.host'],
      ['IST0101', 'spec.http[1].route[0].destination.host'],
      ['IST0101', 'spec.http[1].route[1].destination.host'],
      ['IST0174', 'spec.host'],
    ],
  );
  const se = serviceEntry({
    name: 'order-service',
    hosts: ['order-service.production.svc.cluster.local'],
    selector: { app: 'order-service' },
  });
  const wes = [
    workloadEntry('order-v1', '10.0.0.1', { app: 'order-service', version: '1.8.3' }),
    workloadEntry('order-v2', '10.0.0.2', { app: 'order-service', version: '2.0.0-canary' }),
  ];
  const withRegistry = analyze(loadConfigText(docs(text, se, ...wes), 'x.yaml').istio);
  t.same(withRegistry, []);
  const v2Missing = analyze(loadConfigText(docs(text, se, wes[0]!), 'x.yaml').istio);
  t.same(
    codes(v2Missing, 'IST0173').map((f) => f.message),
    [
      'The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
    ],
  );
});

t.test('the seed mTLS file as-is: IST0174 only; a VM without a sidecar trips SKF0004', async (t) => {
  const text = await readFile(`${SEED}istio-mtls.yaml`, 'utf8');
  t.same(
    analyze(loadConfigText(text, 'istio-mtls.yaml').istio).map((f) => f.code),
    ['IST0174'],
  );
  const vm = workloadEntry('legacy-billing', '10.0.3.7', { app: 'billing' });
  const f = analyze(loadConfigText(docs(text, vm), 'x.yaml').istio);
  t.same(
    codes(f, 'SKF0004').map((x) => x.resource),
    ['PeerAuthentication istio-system/default-mtls-strict'],
  );
});

t.test('docs/analyze.md documents every code with its severity, and nothing else', async (t) => {
  const doc = await readFile(new URL('../../../../../docs/analyze.md', import.meta.url), 'utf8');
  const sections = [...doc.matchAll(/^## ((?:IST|SKF)\d{4}) (\w+)\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)];
  const documented = sections.map((m) => m[1]!);
  t.same([...documented].sort(), Object.keys(CODES).sort());
  for (const [, code, name, body] of sections) {
    const spec = CODES[code as keyof typeof CODES];
    t.equal(name, spec.name, `${code} name`);
    t.match(body!, new RegExp(`\\*\\*Severity:\\*\\* ${spec.severity}\\n`), `${code} severity`);
    for (const part of ['Trigger', 'Why it matters', 'Example', 'Fix'])
      t.match(body!, `**${part}:**`, `${code} ${part}`);
  }
});
