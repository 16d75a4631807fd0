import t from 'tap';
import type { PeerAuthentication } from '../../../../../lib/config/istio/model.js';
import type { SourcedResource } from '../../../../../lib/config/istio/sourced.js';
import { ofKind } from '../../../../../lib/config/istio/sourced.js';
import { effectiveMtls, portMode } from '../../../../../lib/config/istio/translate/peer-authentication.js';
import { DEFAULT_WORKLOAD, type WorkloadInfo } from '../../../../../lib/config/istio/workload.js';
import { decodeYaml } from '../../istio-fixtures.js';

const WORKLOAD: WorkloadInfo = { ...DEFAULT_WORKLOAD, namespace: 'shop', labels: { app: 'cart' } };

function pa(name: string, ns: string, body: string, created = ''): string {
  const ts = created === '' ? '' : `, creationTimestamp: "${created}"`;
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: ${ns}${ts}}
spec: ${body}
`;
}

function policies(...docs: string[]): SourcedResource<PeerAuthentication>[] {
  const d = decodeYaml(docs.join('---\n'), 'default');
  if (d.issues.length > 0) throw new Error(d.issues.join('; '));
  return ofKind(
    d.resources.map((resource) => ({ resource, file: 'pa.yaml' })),
    'PeerAuthentication',
  );
}

t.test('no policy at all means PERMISSIVE', async (t) => {
  t.same(effectiveMtls([], WORKLOAD), { mode: 'PERMISSIVE', ports: {} });
});

t.test('narrowest wins: workload > namespace > mesh; UNSET inherits', async (t) => {
  const mesh = pa('mesh', 'istio-system', '{mtls: {mode: STRICT}}');
  const ns = pa('ns', 'shop', '{mtls: {mode: PERMISSIVE}}');
  const own = pa('own', 'shop', '{selector: {matchLabels: {app: cart}}, mtls: {mode: DISABLE}}');
  const unset = pa('own', 'shop', '{selector: {matchLabels: {app: cart}}, mtls: {mode: UNSET}}');
  t.equal(effectiveMtls(policies(mesh), WORKLOAD).mode, 'STRICT');
  t.equal(effectiveMtls(policies(mesh, ns), WORKLOAD).mode, 'PERMISSIVE');
  t.equal(effectiveMtls(policies(mesh, ns, own), WORKLOAD).mode, 'DISABLE');
  t.equal(effectiveMtls(policies(mesh, unset), WORKLOAD).mode, 'STRICT', 'UNSET inherits the mesh');
  t.equal(effectiveMtls(policies(pa('m', 'istio-system', '{}')), WORKLOAD).mode, 'PERMISSIVE');
});

t.test('policies that do not apply are ignored', async (t) => {
  const otherNs = pa('x', 'billing', '{mtls: {mode: STRICT}}');
  const otherApp = pa('y', 'shop', '{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}}');
  // In the root namespace a selector policy is not mesh-wide.
  const rootSelector = pa(
    'z',
    'istio-system',
    '{selector: {matchLabels: {app: cart}}, mtls: {mode: STRICT}}',
  );
  t.equal(effectiveMtls(policies(otherNs, otherApp, rootSelector), WORKLOAD).mode, 'PERMISSIVE');
});

t.test('among equals the oldest wins', async (t) => {
  const older = pa('b-old', 'shop', '{mtls: {mode: STRICT}}', '2024-01-01T00:00:00Z');
  const newer = pa('a-new', 'shop', '{mtls: {mode: DISABLE}}', '2024-06-01T00:00:00Z');
  t.equal(effectiveMtls(policies(newer, older), WORKLOAD).mode, 'STRICT');
  const w1 = pa(
    'w-old',
    'shop',
    '{selector: {matchLabels: {app: cart}}, mtls: {mode: DISABLE}}',
    '2023-01-01T00:00:00Z',
  );
  const w2 = pa(
    'w-new',
    'shop',
    '{selector: {matchLabels: {app: cart}}, mtls: {mode: STRICT}}',
    '2025-01-01T00:00:00Z',
  );
  t.equal(effectiveMtls(policies(w2, w1), WORKLOAD).mode, 'DISABLE');
});

t.test('portLevelMtls overrides per port; UNSET there inherits the workload mode', async (t) => {
  const own = pa(
    'own',
    'shop',
    '{selector: {matchLabels: {app: cart}}, mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: DISABLE}, 9090: {mode: UNSET}}}',
  );
  const eff = effectiveMtls(policies(own), WORKLOAD);
  t.equal(portMode(eff, 8080), 'DISABLE');
  t.equal(portMode(eff, 9090), 'STRICT');
  t.equal(portMode(eff, 7070), 'STRICT');
});
