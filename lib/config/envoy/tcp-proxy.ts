import type { TcpProxyClusterWeight, TcpProxyConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { readAccessLogs } from './access-log.js';
import {
  TCP_PROXY_CLUSTER_WEIGHT_RULES,
  TCP_PROXY_RULES,
  TCP_PROXY_WEIGHTED_CLUSTER_RULES,
} from './field-rules.js';
import type { ClusterRef } from './route-action.js';

export const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

/** Filter names that mean tcp_proxy (only used for hints: Envoy picks the extension by @type). */
export const TCP_PROXY_NAMES: readonly string[] = ['envoy.filters.network.tcp_proxy', 'envoy.tcp_proxy'];

const DEFAULT_IDLE_TIMEOUT_MS = 3_600_000;
// Envoy would accept it and count downstream_cx_no_route per connection, waiting for CDS; Skiff
// has no xDS server, so such a cluster can never appear and the typo is better reported now.
const REF_HINT = 'tcp_proxy clusters must be defined when the config loads';

/**
 * Decodes a `TcpProxy` typed config; undefined when unusable (issues recorded). Cluster names go
 * to `refs` so an unknown static cluster is reported as it is for HCM routes.
 */
export function readTcpProxy(r: FieldReader, refs: ClusterRef[]): TcpProxyConfig | undefined {
  const statPrefix = r.requiredString('stat_prefix');
  const which = r.oneOf(['cluster', 'weighted_clusters'], true);
  let clusters: TcpProxyClusterWeight[] | undefined;
  if (which === 'cluster') {
    const name = r.requiredString('cluster');
    if (name !== '') {
      refs.push({ name, file: r.sink.file, path: r.at('cluster'), hint: REF_HINT });
      clusters = [{ name, weight: 1 }];
    }
  } else if (which === 'weighted_clusters') {
    const wc = r.object('weighted_clusters');
    clusters = wc === undefined ? undefined : readWeightedClusters(wc, refs);
  }
  const idleTimeoutMs = r.duration('idle_timeout') ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxConnectAttempts = r.int('max_connect_attempts', 1) ?? 1;
  const maxDuration = r.duration('max_downstream_connection_duration');
  // Envoy's proto requires at least 1ms; leaving the field out is how "no limit" is spelled.
  if (maxDuration !== undefined && maxDuration < 1) {
    r.error('max_downstream_connection_duration', 'must be at least 0.001s (leave it out for no limit)');
  }
  const accessLog = readAccessLogs(r, 'access_log');
  r.finish(TCP_PROXY_RULES);
  if (statPrefix === '' || clusters === undefined) return undefined;
  if (maxDuration !== undefined && maxDuration < 1) return undefined;
  return {
    statPrefix,
    clusters,
    idleTimeoutMs,
    maxConnectAttempts,
    maxDownstreamConnectionDurationMs: maxDuration ?? 0,
    accessLog,
  };
}

function readWeightedClusters(wc: FieldReader, refs: ClusterRef[]): TcpProxyClusterWeight[] | undefined {
  const entries = wc.objects('clusters');
  if (entries.length === 0) wc.error(null, 'weighted_clusters.clusters must have at least one entry');
  const out: TcpProxyClusterWeight[] = [];
  for (const c of entries) {
    const name = c.requiredString('name');
    if (name !== '') refs.push({ name, file: c.sink.file, path: c.at('name'), hint: REF_HINT });
    if (!c.has('weight')) c.error(null, 'missing required field "weight" (at least 1)');
    const weight = c.int('weight', 1);
    c.finish(TCP_PROXY_CLUSTER_WEIGHT_RULES);
    if (name !== '' && weight !== undefined) out.push({ name, weight });
  }
  const sum = out.reduce((s, c) => s + c.weight, 0);
  if (sum > 4_294_967_295) wc.error('clusters', 'the sum of the cluster weights must fit in 32 bits');
  wc.finish(TCP_PROXY_WEIGHTED_CLUSTER_RULES);
  if (out.length !== entries.length || entries.length === 0) return undefined;
  // One entry takes every connection whatever its weight; weight 1 keeps it equal to `cluster`.
  const only = out.length === 1 ? out[0] : undefined;
  return only === undefined ? out : [{ name: only.name, weight: 1 }];
}
