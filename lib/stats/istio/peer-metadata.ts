/**
 * Istio's HTTP metadata exchange: each sidecar sends its node metadata as
 * `x-envoy-peer-metadata` (base64 of a serialized `google.protobuf.Struct`) and its node id as
 * `x-envoy-peer-metadata-id`; the client sidecar on requests, the server sidecar on responses.
 */
import { decodeStruct, encodeStruct, type StructValue } from './struct-codec.js';
import {
  canonicalRevisionOf,
  canonicalServiceOf,
  type ProxyWorkload,
  UNKNOWN,
  type WorkloadFacts,
} from './workload-facts.js';

export const PEER_METADATA = 'x-envoy-peer-metadata';
export const PEER_METADATA_ID = 'x-envoy-peer-metadata-id';

/** Our node metadata as Istio's proxies fill it (the fields the stats read, plus identity). */
export function nodeMetadata(w: ProxyWorkload): StructValue {
  const labels: Record<string, string> = { ...w.labels };
  // The canonical labels are sent resolved, as the injector writes them onto the pod.
  labels['service.istio.io/canonical-name'] = w.canonicalService;
  labels['service.istio.io/canonical-revision'] = w.canonicalRevision;
  const md: Record<string, string | StructValue> = {
    NAMESPACE: w.namespace,
    CLUSTER_ID: w.cluster,
    SERVICE_ACCOUNT: w.serviceAccount,
    MESH_ID: w.trustDomain,
    LABELS: labels,
  };
  if (w.workload !== UNKNOWN) {
    md.NAME = w.workload;
    md.WORKLOAD_NAME = w.workload;
  }
  return md;
}

/** The header values this sidecar sends: `[metadata, id]`. */
export function peerMetadataHeaders(w: ProxyWorkload): readonly [string, string] {
  const id = `sidecar~0.0.0.0~${w.workload}.${w.namespace}~${w.namespace}.svc.cluster.local`;
  return [encodeStruct(nodeMetadata(w)).toString('base64'), id];
}

function str(v: StructValue[string] | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A peer's facts from its `x-envoy-peer-metadata` value, or null when it does not decode. */
export function decodePeerMetadata(header: string): WorkloadFacts | null {
  let md: StructValue;
  try {
    md = decodeStruct(Buffer.from(header, 'base64'));
  } catch {
    return null;
  }
  return factsFromMetadata(md);
}

/** A peer's facts from its decoded node metadata (HTTP header or TCP exchange). */
export function factsFromMetadata(md: StructValue): WorkloadFacts {
  const raw = md.LABELS;
  const labels: Record<string, string> = {};
  if (typeof raw === 'object') {
    for (const k of Object.keys(raw)) {
      const v = str(raw[k]);
      if (v !== undefined) labels[k] = v;
    }
  }
  const workload = str(md.WORKLOAD_NAME) ?? str(md.NAME) ?? UNKNOWN;
  return {
    workload,
    namespace: str(md.NAMESPACE) ?? UNKNOWN,
    app: labels.app ?? labels['app.kubernetes.io/name'] ?? UNKNOWN,
    version: labels.version ?? labels['app.kubernetes.io/version'] ?? UNKNOWN,
    canonicalService: canonicalServiceOf(labels, workload),
    canonicalRevision: canonicalRevisionOf(labels),
    cluster: str(md.CLUSTER_ID) ?? UNKNOWN,
  };
}

/** Decoded peer metadata by header value: peers send the same value on every request. */
export class PeerMetadataCache {
  private readonly byValue = new Map<string, WorkloadFacts | null>();
  constructor(private readonly limit = 256) {}

  get(header: string): WorkloadFacts | null {
    let facts = this.byValue.get(header);
    if (facts === undefined) {
      facts = decodePeerMetadata(header);
      // Bounded: a client sending ever-new values must not grow memory.
      if (this.byValue.size >= this.limit) this.byValue.clear();
      this.byValue.set(header, facts);
    }
    return facts;
  }
}
