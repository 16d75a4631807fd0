/**
 * Entry point for one Istio document: checks `apiVersion` and `kind`, reads `metadata`, and
 * hands `spec` to the decoder of its kind. Translation to Skiff's model comes later.
 */
import type { FieldReader, IssueSink } from '../reader.js';
import { decodeAuthorizationPolicySpec } from './authorization-policy.js';
import { decodeDestinationRuleSpec } from './destination-rule.js';
import { labelsField, stringMap } from './istio-common.js';
import type { IstioMetadata, IstioResource } from './model.js';
import { isDns1123Label } from './names.js';
import { decodePeerAuthenticationSpec } from './peer-authentication.js';
import { decodeServiceEntrySpec } from './service-entry.js';
import { decodeSidecarSpec } from './sidecar.js';
import { decodeVirtualServiceSpec } from './virtual-service.js';
import { decodeWorkloadEntrySpec } from './workload-entry.js';

const GROUPS: Readonly<Record<string, { versions: readonly string[]; kinds: readonly string[] }>> = {
  'networking.istio.io': {
    versions: ['v1alpha3', 'v1beta1', 'v1'],
    kinds: ['VirtualService', 'DestinationRule', 'ServiceEntry', 'WorkloadEntry', 'Sidecar'],
  },
  'security.istio.io': {
    versions: ['v1beta1', 'v1'],
    kinds: ['PeerAuthentication', 'AuthorizationPolicy'],
  },
};

// Kubernetes fills these in; they carry nothing Skiff uses, and `kubectl get -o yaml` output has them.
const K8S_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'managedFields',
  'selfLink',
  'finalizers',
  'ownerReferences',
  'generateName',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** True for documents that name a Kubernetes-style `apiVersion` and `kind`. */
export function isKubernetesDocument(value: Record<string, unknown>): boolean {
  return 'apiVersion' in value && 'kind' in value;
}

function readMetadata(r: FieldReader, defaultNamespace: string): IstioMetadata | undefined {
  const m = r.requiredObject('metadata');
  if (m === undefined) return undefined;
  const name = m.requiredString('name');
  const namespace = m.string('namespace') ?? '';
  if (namespace !== '' && !isDns1123Label(namespace))
    m.error('namespace', `invalid namespace "${namespace}"`);
  const ts = m.raw('creationTimestamp');
  const out: IstioMetadata = {
    name,
    namespace: namespace === '' ? defaultNamespace : namespace,
    labels: labelsField(m, 'labels'),
    annotations: stringMap(m, 'annotations'),
    creationTimestamp: ts === undefined ? null : ts instanceof Date ? ts.toISOString() : String(ts),
  };
  if (out.annotations['istio.io/dry-run'] !== undefined && r.raw('kind') !== 'AuthorizationPolicy') {
    m.error('annotations', 'istio.io/dry-run is only supported on AuthorizationPolicy');
  }
  m.finish({ ignored: K8S_METADATA });
  return out;
}

function supportedList(): string {
  return Object.entries(GROUPS)
    .map(([g, { kinds }]) => `${kinds.join(', ')} (${g})`)
    .join('; ');
}

/** Checks apiVersion/kind; the kind when Skiff decodes it, else undefined (with an issue). */
function checkType(r: FieldReader): IstioResource['kind'] | undefined {
  const apiVersion = r.string('apiVersion') ?? '';
  const kind = r.string('kind') ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const g = GROUPS[group];
  if (g === undefined) {
    const what = group.endsWith('.istio.io') ? 'Istio' : 'Kubernetes';
    r.error('kind', `${what} kind ${kind} (${apiVersion}) is not supported; Skiff reads ${supportedList()}`);
    return undefined;
  }
  if (!g.kinds.includes(kind)) {
    r.error(
      'kind',
      `Istio kind ${kind} (${apiVersion}) is not supported yet; Skiff reads ${supportedList()}`,
    );
    return undefined;
  }
  if (!g.versions.includes(version)) {
    r.error(
      'apiVersion',
      `unknown version "${version}" of ${group}; expected one of ${g.versions.join(', ')}`,
    );
    return undefined;
  }
  return kind as IstioResource['kind'];
}

function decodeSpec(kind: IstioResource['kind'], s: FieldReader, namespace: string): IstioResource['spec'] {
  switch (kind) {
    case 'VirtualService':
      return decodeVirtualServiceSpec(s, namespace);
    case 'DestinationRule':
      return decodeDestinationRuleSpec(s, namespace);
    case 'ServiceEntry':
      return decodeServiceEntrySpec(s, namespace);
    case 'WorkloadEntry':
      return decodeWorkloadEntrySpec(s);
    case 'Sidecar':
      return decodeSidecarSpec(s);
    case 'PeerAuthentication':
      return decodePeerAuthenticationSpec(s);
    case 'AuthorizationPolicy':
      return decodeAuthorizationPolicySpec(s);
  }
}

/**
 * Decodes one Istio resource from a reader over the whole document, made with naming `camel`
 * (Istio's canonical spelling; snake_case is accepted too). Returns the resource only
 * when the document produced no issue; every problem is recorded in `reader.sink` with its path
 * (`spec.http[0].route[1].weight`).
 */
export function decodeIstioDocument(
  sink: IssueSink,
  reader: FieldReader,
  defaultNamespace: string,
): IstioResource | undefined {
  const before = sink.issues.length;
  const kind = checkType(reader);
  if (kind === undefined) {
    reader.skip(...reader.names());
    return undefined;
  }
  const metadata = readMetadata(reader, defaultNamespace);
  const spec = reader.requiredObject('spec');
  const decoded =
    spec === undefined ? undefined : decodeSpec(kind, spec, metadata?.namespace ?? defaultNamespace);
  reader.finish({ ignored: ['status'] });
  if (sink.issues.length !== before || metadata === undefined || decoded === undefined) return undefined;
  const apiVersion = reader.raw('apiVersion') as string;
  return { kind, apiVersion, metadata, spec: decoded } as IstioResource;
}
