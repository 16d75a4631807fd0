import t from 'tap';
import { analyzeYaml, codes, docs, serviceEntry, workloadEntry } from './fixtures.js';

function route(timeout: string, retries: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orders, namespace: production}
spec:
  hosts: [orders]
  http:
    - route: [{destination: {host: orders}}]
${timeout === '' ? '' : `      timeout: ${timeout}\n`}${retries === '' ? '' : `      retries: ${retries}\n`}`;
}

t.test('SKF0003: retries whose total outlives the route timeout', async (t) => {
  const f = codes(analyzeYaml(route('5s', '{attempts: 3, perTryTimeout: 2s}')), 'SKF0003');
  t.equal(f.length, 1);
  t.equal(f[0]!.severity, 'Warning');
  t.equal(f[0]!.path, 'spec.http[0].retries');
  t.match(
    f[0]!.message,
    'Retries can outlive the route timeout: 1 try + 3 retries × perTryTimeout 2s = 8s > timeout 5s; the route timeout 5s fires after 2 full tries, so the last 2 retries are cut short',
  );
  t.match(f[0]!.hint, /at least 8s/);
  const long = codes(analyzeYaml(route('500ms', '{attempts: 1, perTryTimeout: 1s}')), 'SKF0003');
  t.match(long[0]!.message, /perTryTimeout 1s is not shorter than the route timeout 500ms/);
  t.same(
    codes(analyzeYaml(route('15s', '{attempts: 2, perTryTimeout: 3s}')), 'SKF0003'),
    [],
    'the seed: 9s in 15s',
  );
  t.same(
    codes(analyzeYaml(route('10s', '')), 'SKF0003'),
    [],
    "istiod's default retries have no per-try timeout",
  );
  t.same(
    codes(analyzeYaml(route('', '{attempts: 5, perTryTimeout: 3s}')), 'SKF0003'),
    [],
    'no route timeout',
  );
});

const MESH_STRICT = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}`;

t.test('SKF0004: STRICT mTLS while a known peer has no sidecar', async (t) => {
  const vm = workloadEntry('legacy-vm', '10.0.0.9', { app: 'legacy' });
  const f = codes(analyzeYaml(docs(MESH_STRICT, vm)), 'SKF0004');
  t.equal(f.length, 1);
  t.equal(f[0]!.severity, 'Warning');
  t.equal(f[0]!.resource, 'PeerAuthentication istio-system/default');
  t.equal(f[0]!.path, 'spec.mtls.mode');
  t.match(
    f[0]!.message,
    /STRICT mTLS for the whole mesh, but 1 known peer has no sidecar .*WorkloadEntry production\/legacy-vm \(10\.0\.0\.9\).*TCP resets, not HTTP 503s/,
  );
  t.match(f[0]!.hint, /PERMISSIVE first/);

  const inline = serviceEntry({ name: 'db', hosts: ['db.internal'], endpoints: [{ address: '10.1.0.1' }] });
  const ns = MESH_STRICT.replace('namespace: istio-system', 'namespace: production');
  const g = codes(analyzeYaml(docs(ns, inline)), 'SKF0004');
  t.match(
    g[0]!.message,
    /STRICT mTLS for namespace production.*ServiceEntry production\/db endpoint 10\.1\.0\.1/,
  );

  const port = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: api, namespace: production}
spec:
  selector: {matchLabels: {app: api}}
  portLevelMtls: {8080: {mode: STRICT}}`;
  t.same(
    codes(analyzeYaml(docs(port, vm)), 'SKF0004').map((x) => x.path),
    ['spec.portLevelMtls[8080]'],
  );

  const meshed = workloadEntry('vm', '10.0.0.9', { app: 'legacy', 'security.istio.io/tlsMode': 'istio' });
  t.same(codes(analyzeYaml(docs(MESH_STRICT, meshed)), 'SKF0004'), [], 'the peer has a sidecar');
  t.same(
    codes(analyzeYaml(docs(MESH_STRICT.replace('STRICT', 'PERMISSIVE'), vm)), 'SKF0004'),
    [],
    'PERMISSIVE',
  );
  const external = serviceEntry({
    name: 'ext',
    hosts: ['api.example.com'],
    location: 'MESH_EXTERNAL',
    endpoints: [{ address: '1.2.3.4' }],
  });
  t.same(
    codes(analyzeYaml(docs(MESH_STRICT, external)), 'SKF0004'),
    [],
    'MESH_EXTERNAL endpoints are not peers',
  );
  const newer = MESH_STRICT.replace('name: default', 'name: zz-later').replace('STRICT', 'PERMISSIVE');
  const older = `${MESH_STRICT.replace('name: default', 'name: aa-first')}`.replace('STRICT', 'PERMISSIVE');
  t.same(
    codes(analyzeYaml(docs(older, newer.replace('PERMISSIVE', 'STRICT'), vm)), 'SKF0004'),
    [],
    'a second mesh policy is ignored by istiod',
  );
});
