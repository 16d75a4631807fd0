import type { AdminConfig, ClusterConfig, EndpointConfig, ListenerConfig, NodeInfo } from '../model.js';
import type { FieldReader, IssueSink } from '../reader.js';
import { readAccessLogs } from './access-log.js';
import { readAddress } from './address.js';
import { readCluster } from './cluster.js';
import { readClusterLoadAssignment } from './cluster-endpoints.js';
import { readDiscoveryResources, TYPE_URL } from './discovery-response.js';
import { type DynamicFile, readDynamicResources } from './dynamic-resources.js';
import { ADMIN_RULES, BOOTSTRAP_RULES, NODE_RULES, STATIC_RESOURCES_RULES } from './field-rules.js';
import { readListener } from './listener.js';
import type { ClusterRef } from './route-action.js';

/** A decoded value and where it came from, for cross-document checks and messages. */
export interface Located<T> {
  readonly value: T;
  readonly file: string;
  readonly path: string;
}

/** What one Envoy bootstrap document contributes to the merged bootstrap. */
export interface BootstrapPart {
  readonly node: Located<NodeInfo> | null;
  readonly admin: Located<AdminConfig> | null;
  readonly listeners: Located<ListenerConfig>[];
  readonly clusters: Located<ClusterConfig>[];
  /** Clusters named by routes whose route config validates clusters. */
  readonly clusterRefs: ClusterRef[];
  /** ClusterLoadAssignment documents: static endpoints for EDS clusters. */
  readonly assignments: Located<LoadAssignment>[];
  /** LDS/CDS files named by `dynamic_resources`; the loader reads them with the rest. */
  readonly dynamicFiles: DynamicFile[];
}

/** A ClusterLoadAssignment given as its own document (endpoints for an EDS cluster). */
export interface LoadAssignment {
  readonly clusterName: string;
  readonly endpoints: EndpointConfig[];
}

/** True for a document that is a ClusterLoadAssignment rather than a bootstrap. */
export function isLoadAssignment(doc: Record<string, unknown>): boolean {
  return doc['@type'] === TYPE_URL.loadAssignment || ('cluster_name' in doc && 'endpoints' in doc);
}

/** Decodes a ClusterLoadAssignment document. */
export function decodeLoadAssignment(sink: IssueSink, r: FieldReader): BootstrapPart {
  r.string('@type');
  const clusterName = r.requiredString('cluster_name');
  // Endpoints must be IP addresses, as for STATIC clusters.
  const endpoints = readClusterLoadAssignment(r, 'STATIC');
  const assignments =
    clusterName === '' ? [] : [{ value: { clusterName, endpoints }, file: sink.file, path: r.path }];
  return {
    node: null,
    admin: null,
    listeners: [],
    clusters: [],
    clusterRefs: [],
    assignments,
    dynamicFiles: [],
  };
}

/** Decodes one parsed Envoy v3 bootstrap document. Issues go to `sink`. */
export function decodeBootstrap(sink: IssueSink, r: FieldReader): BootstrapPart {
  let node: Located<NodeInfo> | null = null;
  let admin: Located<AdminConfig> | null = null;
  const listeners: Located<ListenerConfig>[] = [];
  const clusters: Located<ClusterConfig>[] = [];
  const clusterRefs: ClusterRef[] = [];
  const n = r.object('node');
  if (n !== undefined) {
    node = {
      value: { id: n.string('id') ?? '', cluster: n.string('cluster') ?? '' },
      file: sink.file,
      path: n.path,
    };
    n.finish(NODE_RULES);
  }
  const a = r.object('admin');
  const adminValue = a === undefined ? undefined : readAdmin(a);
  if (a !== undefined && adminValue !== undefined)
    admin = { value: adminValue, file: sink.file, path: a.path };
  // A document may also be a bare static_resources body (e.g. a file of clusters).
  const fragment = !r.has('static_resources') && (r.has('clusters') || r.has('listeners'));
  const sr = fragment ? r : r.object('static_resources');
  if (sr !== undefined) {
    for (const l of sr.objects('listeners')) {
      const listener = readListener(l, clusterRefs);
      if (listener !== undefined) listeners.push({ value: listener, file: sink.file, path: l.path });
    }
    for (const c of sr.objects('clusters')) {
      const cluster = readCluster(c);
      if (cluster !== undefined) clusters.push({ value: cluster, file: sink.file, path: c.path });
    }
    if (!fragment) sr.finish(STATIC_RESOURCES_RULES);
  }
  const dr = fragment ? undefined : r.object('dynamic_resources');
  const dynamicFiles = dr === undefined ? [] : readDynamicResources(dr);
  r.finish(fragment ? STATIC_RESOURCES_RULES : BOOTSTRAP_RULES);
  return { node, admin, listeners, clusters, clusterRefs, assignments: [], dynamicFiles };
}

/** Decodes an LDS or CDS DiscoveryResponse file (`resources[]` of Listeners or Clusters). */
export function decodeDiscoveryResponse(sink: IssueSink, r: FieldReader, kind: 'lds' | 'cds'): BootstrapPart {
  const listeners: Located<ListenerConfig>[] = [];
  const clusters: Located<ClusterConfig>[] = [];
  const clusterRefs: ClusterRef[] = [];
  const want = kind === 'lds' ? TYPE_URL.listener : TYPE_URL.cluster;
  readDiscoveryResources(r, want, ` in this ${kind.toUpperCase()} file`, (res) => {
    if (kind === 'lds') {
      const l = readListener(res, clusterRefs);
      if (l !== undefined) listeners.push({ value: l, file: sink.file, path: res.path });
    } else {
      const c = readCluster(res);
      if (c !== undefined) clusters.push({ value: c, file: sink.file, path: res.path });
    }
  });
  return { node: null, admin: null, listeners, clusters, clusterRefs, assignments: [], dynamicFiles: [] };
}

function readAdmin(r: FieldReader): AdminConfig | undefined {
  const address = readAddress(r, 'address', { requireIp: true, minPort: 0 });
  const accessLog = readAccessLogs(r, 'access_log');
  const legacyPath = r.string('access_log_path');
  if (legacyPath !== undefined && legacyPath !== '' && legacyPath !== '/dev/null') {
    accessLog.push({
      name: 'envoy.access_loggers.file',
      path: legacyPath,
      textFormat: null,
      jsonFormat: null,
    });
  }
  r.finish(ADMIN_RULES);
  return address === undefined ? undefined : { address, accessLog };
}
