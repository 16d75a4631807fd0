import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { parseIstioDuration } from '../../../lib/config/istio/istio-common.js';
import { loadConfigFiles, loadConfigText } from '../../../lib/config/load.js';
import { minimal } from './fixtures.js';
import { decodeYaml } from './istio-fixtures.js';

const EXAMPLES = fileURLToPath(new URL('../../../../config-examples/istio/', import.meta.url));
const SEEDS = ['istio-canary.yaml', 'istio-mtls.yaml'];

t.test('the seed resources (config-examples/istio) decode with no issue', async (t) => {
  const canary = decodeYaml(readFileSync(`${EXAMPLES}istio-canary.yaml`, 'utf8'));
  t.same(canary.issues, []);
  t.same(canary.warnings, []);
  const [vs, dr] = canary.resources;
  if (vs?.kind !== 'VirtualService' || dr?.kind !== 'DestinationRule') throw new Error('unexpected kinds');
  t.same(vs.metadata, {
    name: 'order-service-vs',
    namespace: 'production',
    labels: {},
    annotations: {},
    creationTimestamp: null,
  });
  t.same(vs.spec.http[0]!.match[0]!.headers, { 'x-canary': { type: 'exact', value: 'yes' } });
  t.same(vs.spec.http[0]!.retries, {
    attempts: 2,
    perTryTimeoutMs: 3000,
    retryOn: 'connect-failure,refused-stream,503',
    retryRemoteLocalities: null,
    retryIgnorePreviousHosts: null,
    backoffMs: null,
  });
  t.same(
    vs.spec.http[1]!.route.map((r) => [r.destination.subset, r.weight]),
    [
      ['v1', 95],
      ['v2', 5],
    ],
  );
  t.equal(vs.spec.http[1]!.timeoutMs, 10_000);
  t.same(
    dr.spec.subsets.map((s) => s.labels['version']),
    ['1.8.3', '2.0.0-canary'],
  );
  t.equal(dr.spec.trafficPolicy?.connectionPool?.http?.maxRequestsPerConnection, 10);
  t.equal(dr.spec.trafficPolicy?.outlierDetection?.baseEjectionTimeMs, 60_000);
  t.equal(dr.spec.trafficPolicy?.loadBalancer?.simple, 'LEAST_REQUEST');

  const mtls = decodeYaml(readFileSync(`${EXAMPLES}istio-mtls.yaml`, 'utf8'));
  t.same(mtls.issues, []);
  t.same(
    mtls.resources.map((r) => [r.kind, r.metadata.namespace]),
    [
      ['PeerAuthentication', 'istio-system'],
      ['PeerAuthentication', 'production'],
      ['DestinationRule', 'production'],
    ],
  );
});

t.test('the copies match the seed, where the seed is available', async (t) => {
  for (const f of SEEDS) {
    const seed = `/work/shared/seed/${f}`;
    if (!existsSync(seed)) {
      t.pass(`${f}: no /work/shared here (CI)`);
      continue;
    }
    t.equal(readFileSync(`${EXAMPLES}${f}`, 'utf8'), readFileSync(seed, 'utf8'), f);
  }
});

t.test('loading the seed Istio files translates them (sidecar mode) and keeps the resources', async (t) => {
  const r = await loadConfigFiles(SEEDS.map((f) => `${EXAMPLES}${f}`));
  t.same(r.ok ? [] : r.issues.map(formatIssue), []);
  t.equal(r.istio.length, 5);
  if (r.ok) t.ok(r.bootstrap.listeners.some((l) => l.name === 'virtualOutbound'));
  const mixed = loadConfigText(
    `${minimal()}\n---\n${readFileSync(`${EXAMPLES}istio-mtls.yaml`, 'utf8')}`,
    'm.yaml',
  );
  t.same(mixed.ok ? [] : mixed.issues.map(formatIssue), [], 'an Envoy bootstrap and Istio resources merge');
  if (mixed.ok) t.ok(mixed.bootstrap.listeners.length >= 2);
});

t.test('errors in Istio documents carry file and path', async (t) => {
  const r = loadConfigText(
    'apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: a, trafficPolicy: {loadBalancer: {simple: FAST}}}\n',
    'dr.yaml',
  );
  t.same(r.ok ? [] : r.issues.map(formatIssue), [
    'dr.yaml: spec.trafficPolicy.loadBalancer.simple: unknown value "FAST"; expected one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST',
  ]);
});

t.test('apiVersion, kind and metadata', async (t) => {
  const doc = (head: string, rest = 'metadata: {name: x}\nspec: {}\n') =>
    decodeYaml(`${head}\n${rest}`).issues;
  t.same(doc('apiVersion: networking.istio.io/v1\nkind: Gateway'), [
    'kind: Istio kind Gateway (networking.istio.io/v1) is not supported yet; Skiff reads VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, Sidecar (networking.istio.io); PeerAuthentication, AuthorizationPolicy (security.istio.io)',
  ]);
  t.match(
    doc('apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter')[0],
    /^kind: Istio kind EnvoyFilter /,
  );
  t.match(
    doc('apiVersion: telemetry.istio.io/v1\nkind: Telemetry')[0],
    /^kind: Istio kind Telemetry \(telemetry.istio.io\/v1\) is not supported;/,
  );
  t.match(
    doc('apiVersion: security.istio.io/v1\nkind: RequestAuthentication')[0],
    /^kind: Istio kind RequestAuthentication /,
  );
  t.match(doc('apiVersion: v1\nkind: Service')[0], /^kind: Kubernetes kind Service \(v1\) is not supported;/);
  t.match(
    doc('apiVersion: networking.istio.io/v1\nkind: PeerAuthentication')[0],
    /kind PeerAuthentication \(networking.istio.io\/v1\) is not supported yet/,
  );
  t.same(doc('apiVersion: security.istio.io/v1alpha1\nkind: PeerAuthentication'), [
    'apiVersion: unknown version "v1alpha1" of security.istio.io; expected one of v1beta1, v1',
  ]);
  const pa = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication';
  t.same(doc(pa, 'spec: {}\n'), ['missing required field "metadata"']);
  t.same(doc(pa, 'metadata: {namespace: a}\nspec: {}\n'), ['metadata: missing required field "name"']);
  t.same(doc(pa, 'metadata: {name: x}\n'), ['missing required field "spec"']);
  t.same(doc(pa, 'metadata: {name: x, namespace: Bad_NS}\nspec: {}\n'), [
    'metadata.namespace: invalid namespace "Bad_NS"',
  ]);
  t.same(doc(pa, 'metadata: {name: x}\nspec: {}\nextra: 1\n'), ['unknown field "extra"']);
  t.same(doc(pa, 'metadata: {name: x, labelz: {}}\nspec: {}\n'), ['metadata: unknown field "labelz"']);
  t.same(
    doc(
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule',
      'metadata: {name: x, annotations: {istio.io/dry-run: "true"}}\nspec: {host: a}\n',
    ),
    ['metadata.annotations: istio.io/dry-run is only supported on AuthorizationPolicy'],
  );
  const full = decodeYaml(`${pa}
metadata:
  name: x
  namespace: prod
  labels: {app: a}
  annotations: {note: "any text: here"}
  uid: 1234
  resourceVersion: "99"
  generation: 2
  creationTimestamp: "2024-01-02T03:04:05Z"
  managedFields: []
spec: {}
status: {validationMessages: []}
`);
  t.same(full.issues, []);
  t.same(full.resources[0]?.metadata, {
    name: 'x',
    namespace: 'prod',
    labels: { app: 'a' },
    annotations: { note: 'any text: here' },
    creationTimestamp: '2024-01-02T03:04:05Z',
  });
  t.equal(full.resources[0]?.apiVersion, 'security.istio.io/v1');
  t.equal(
    decodeYaml(`${pa}\nmetadata: {name: x}\nspec: {}\n`, 'team-a').resources[0]?.metadata.namespace,
    'team-a',
  );
});

t.test('durations are read as istiod reads them (Go syntax)', async (t) => {
  const ok: [string, number][] = [
    ['10s', 10_000],
    ['0.5s', 500],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['100us', 0.1],
    ['0', 0],
  ];
  for (const [s, ms] of ok) t.equal(parseIstioDuration(s), ms, s);
  const bad: [unknown, string][] = [
    ['10', 'invalid duration "10": missing a unit (e.g. "10s")'],
    ['-1s', 'invalid duration "-1s": must not be negative'],
    [
      '1 s',
      'invalid duration "1 s": expected a number and a unit (h, m, s, ms, us, ns) such as "10s" or "1m30s"',
    ],
    [
      '5d',
      'invalid duration "5d": expected a number and a unit (h, m, s, ms, us, ns) such as "10s" or "1m30s"',
    ],
    [5, 'invalid duration: expected a string such as "10s" or "500ms", got a number (5)'],
  ];
  for (const [v, msg] of bad) t.equal(parseIstioDuration(v), msg, String(v));
});
