import t from 'tap';
import { analyzeYaml, codes, docs, serviceEntry, workloadEntry } from './fixtures.js';

function dr(body: string, host = 'orders'): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: orders-dr, namespace: production}
spec:
  host: ${host}
${body}
`;
}

const SE = serviceEntry({
  name: 'orders',
  hosts: ['orders.production.svc.cluster.local'],
  selector: { app: 'orders' },
});
const WES = [
  workloadEntry('orders-1', '10.0.0.1', { app: 'orders', version: 'v1' }),
  workloadEntry('orders-2', '10.0.0.2', { app: 'orders', version: 'v1' }),
  workloadEntry('orders-3', '10.0.0.3', { app: 'orders', version: 'v2' }),
];
const SUBSETS = `  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}`;

t.test('IST0174: a DestinationRule host that no service matches', async (t) => {
  const f = codes(analyzeYaml(dr('  subsets: [{name: v1, labels: {version: v1}}]', 'ordres')), 'IST0174');
  t.equal(f.length, 1);
  t.equal(f[0]!.severity, 'Warning');
  t.equal(f[0]!.path, 'spec.host');
  t.equal(
    f[0]!.message,
    'The host ordres defined in the DestinationRule does not match any services in the mesh.',
  );
  t.same(codes(analyzeYaml(docs(SE, ...WES, dr(SUBSETS))), 'IST0174'), []);
  const wild = serviceEntry({ name: 'ext', hosts: ['*.example.com'] });
  t.same(
    codes(
      analyzeYaml(docs(wild, dr('  trafficPolicy: {tls: {mode: SIMPLE}}', 'api.example.com'))),
      'IST0174',
    ),
    [],
  );
});

t.test('IST0173: a subset whose labels select no endpoint of the host', async (t) => {
  const bad = dr(`${SUBSETS}\n    - {name: v3, labels: {version: v3}}`);
  const f = codes(analyzeYaml(docs(SE, ...WES, bad)), 'IST0173');
  t.equal(f.length, 1);
  t.equal(f[0]!.severity, 'Error');
  t.equal(f[0]!.path, 'spec.subsets[2].labels');
  t.equal(
    f[0]!.message,
    'The Subset v3 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
  );
  t.match(
    f[0]!.hint,
    /None of the 3 known endpoint\(s\) of orders\.production\.svc\.cluster\.local carries version=v3/,
  );
  t.same(codes(analyzeYaml(docs(SE, ...WES, dr(SUBSETS))), 'IST0173'), []);
  t.same(codes(analyzeYaml(dr(SUBSETS)), 'IST0173'), [], 'not checked for hosts outside the registry');
});

t.test('SKF0002: outlier detection that may eject every host', async (t) => {
  const od = (pct: number, extra = '') =>
    `  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5, maxEjectionPercent: ${pct}${extra}}`;
  const all = codes(analyzeYaml(dr(od(100))), 'SKF0002');
  t.equal(all.length, 1, '100 % is flagged even without known endpoints');
  t.equal(all[0]!.severity, 'Warning');
  t.equal(all[0]!.path, 'spec.trafficPolicy.outlierDetection.maxEjectionPercent');
  t.match(all[0]!.message, /maxEjectionPercent 100 lets outlier detection eject every host; .*503 UH/);
  t.match(all[0]!.hint, /30–50/);

  const nearly = codes(analyzeYaml(docs(SE, ...WES, dr(od(70)))), 'SKF0002');
  t.match(nearly[0]!.message, 'eject 2 of the 3 known endpoints, leaving 1 to take all the traffic');

  const subset = dr(
    `${SUBSETS.replace('{name: v1, labels: {version: v1}}', '{name: v1, labels: {version: v1}, trafficPolicy: {outlierDetection: {maxEjectionPercent: 100, minHealthPercent: 50}}}')}`,
  );
  const s = codes(analyzeYaml(docs(SE, ...WES, subset)), 'SKF0002');
  t.equal(s[0]!.path, 'spec.subsets[0].trafficPolicy.outlierDetection.maxEjectionPercent');
  t.match(s[0]!.message, /all 2 known endpoints.*panic mode/);

  t.same(codes(analyzeYaml(docs(SE, ...WES, dr(od(50)))), 'SKF0002'), [], 'the seed value 50 is fine');
  const off = dr(
    '  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 0, maxEjectionPercent: 100}',
  );
  t.same(codes(analyzeYaml(off), 'SKF0002'), [], 'ejection off');
});
