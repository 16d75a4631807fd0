/**
 * Skiff's model → Envoy v3 bootstrap (plain JSON in proto field names), the reverse of
 * lib/config/envoy/bootstrap.ts. Contract: for every model the decoder produces,
 * decoding the encoded documents gives back the same model (apart from `sources`).
 */
import type { Bootstrap, ClusterConfig } from '../../model.js';
import { encodeAccessLogs } from './access-log.js';
import { encodeCluster, encodeLoadAssignment } from './cluster.js';
import { fields, type Json, socketAddress } from './format.js';
import { encodeListener } from './listener.js';
import { TYPE } from './type-urls.js';

/** The cluster names routes may name without `validate_clusters: false`. */
export function clusterNames(b: Bootstrap): ReadonlySet<string> {
  return new Set(b.clusters.map((c) => c.name));
}

/** `config.bootstrap.v3.Bootstrap` with `node`, `admin` and `static_resources`. */
export function encodeBootstrap(b: Bootstrap): Json {
  const known = clusterNames(b);
  const node = fields({ id: b.node.id || undefined, cluster: b.node.cluster || undefined });
  return fields({
    node: Object.keys(node).length === 0 ? undefined : node,
    static_resources: {
      listeners: b.listeners.map((l) => encodeListener(l, known)),
      clusters: b.clusters.map(encodeCluster),
    },
    admin:
      b.admin === null
        ? undefined
        : fields({
            address: socketAddress(b.admin.address),
            access_log: encodeAccessLogs(b.admin.accessLog),
          }),
  });
}

/** True for an EDS cluster whose endpoints came from a ClusterLoadAssignment document. */
function hasAssignedEndpoints(c: ClusterConfig): boolean {
  return c.type === 'EDS' && c.eds === null && c.endpoints.length > 0;
}

/**
 * ClusterLoadAssignment documents for EDS clusters whose endpoints were loaded from such a
 * document: an EDS cluster's own `load_assignment` is not used, so they cannot live inside it.
 */
export function encodeLoadAssignments(b: Bootstrap): Json[] {
  return b.clusters
    .filter(hasAssignedEndpoints)
    .map((c) => ({ '@type': TYPE.loadAssignment, ...encodeLoadAssignment(c.name, c.endpoints) }));
}

/** Every document needed to load `b` back: the bootstrap, then any ClusterLoadAssignments. */
export function encodeBootstrapDocuments(b: Bootstrap): Json[] {
  return [encodeBootstrap(b), ...encodeLoadAssignments(b)];
}
