/**
 * Envoy's defaults for a cluster and an HTTP connection manager, taken from Skiff's own Envoy
 * decoder fed a minimal document, so the Istio translation never restates a default number.
 */
import { readCluster } from '../../envoy/cluster.js';
import { readHcm } from '../../envoy/hcm.js';
import { readRoute } from '../../envoy/route.js';
import type {
  ClusterConfig,
  HttpConnectionManagerConfig,
  RouteConfig,
  RouteConfiguration,
} from '../../model.js';
import { FieldReader, type IssueSink } from '../../reader.js';

function reader(doc: Record<string, unknown>): { r: FieldReader; sink: IssueSink } {
  const sink: IssueSink = { file: '<defaults>', issues: [], warnings: [] };
  return { r: new FieldReader(sink, '', doc), sink };
}

function check(sink: IssueSink, what: string): void {
  if (sink.issues.length > 0) throw new Error(`${what} defaults: ${sink.issues[0]?.message}`);
}

/**
 * A cluster decoded from an Envoy v3 `doc`: every unstated field at Envoy's default. Throws on
 * a document Skiff rejects (a translation bug, not user input).
 */
export function envoyCluster(doc: Record<string, unknown>): ClusterConfig {
  const { r, sink } = reader(doc);
  const cluster = readCluster(r);
  check(sink, 'cluster');
  return cluster as ClusterConfig;
}

/** Istio's breakers: every threshold at 2^32−1, remaining counts tracked (section 6). */
export const ISTIO_CIRCUIT_BREAKERS_DOC: Record<string, unknown> = {
  thresholds: [
    {
      max_connections: 4294967295,
      max_pending_requests: 4294967295,
      max_requests: 4294967295,
      max_retries: 4294967295,
      track_remaining: true,
    },
  ],
};

let hcmTemplate: HttpConnectionManagerConfig | undefined;

/** An HTTP connection manager at Envoy's defaults around `routeConfig`. */
export function envoyDefaultHcm(
  statPrefix: string,
  routeConfig: RouteConfiguration,
): HttpConnectionManagerConfig {
  if (hcmTemplate === undefined) {
    const { r, sink } = reader({ stat_prefix: 'template', route_config: { name: 'template' } });
    hcmTemplate = readHcm(r, []);
    check(sink, 'http connection manager');
  }
  return { ...(hcmTemplate as HttpConnectionManagerConfig), statPrefix, routeConfig };
}

/**
 * An Envoy route decoded from `doc` (Envoy v3 field names), so routes the translation writes
 * itself get every unstated field at Envoy's default. Throws on a document Skiff rejects (a
 * translation bug, not user input).
 */
export function envoyRoute(doc: Record<string, unknown>): RouteConfig {
  const { r, sink } = reader(doc);
  const route = readRoute(r, [], 1_048_576);
  check(sink, 'route');
  return route as RouteConfig;
}

/**
 * The retry policy istiod writes when a route has no `retries` (mesh `defaultHttpRetryPolicy`):
 * 2 retries on connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes,
 * other hosts preferred (not with consistent hashing), host reselection up to 5 times.
 */
export function istioDefaultRetryPolicyDoc(previousHosts: boolean): Record<string, unknown> {
  return {
    retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
    num_retries: 2,
    ...(previousHosts
      ? { retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts' }] }
      : {}),
    host_selection_retry_max_attempts: 5,
  };
}
