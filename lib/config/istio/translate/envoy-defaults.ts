/**
 * Envoy's defaults for a cluster and an HTTP connection manager, taken from Skiff's own Envoy
 * decoder fed a minimal document, so the Istio translation never restates a default number.
 */
import { readCluster } from '../../envoy/cluster.js';
import { readHcm } from '../../envoy/hcm.js';
import { NO_HEADER_MUTATIONS } from '../../envoy/header-mutations.js';
import { readRoute } from '../../envoy/route.js';
import type {
  ClusterConfig,
  HttpConnectionManagerConfig,
  RouteConfig,
  RouteConfiguration,
  VirtualHostConfig,
} from '../../model.js';
import { FieldReader, type IssueSink } from '../../reader.js';
import { ISTIO_CIRCUIT_BREAKERS, ISTIO_CONNECT_TIMEOUT_MS } from './policy-connection-pool.js';

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

/** `envoyCluster` with the connection defaults istiod gives every cluster it writes. */
export function istioCluster(doc: Record<string, unknown>): ClusterConfig {
  return {
    ...envoyCluster(doc),
    connectTimeoutMs: ISTIO_CONNECT_TIMEOUT_MS,
    circuitBreakers: ISTIO_CIRCUIT_BREAKERS,
  };
}

/** A virtual host with no policies of its own. */
export function plainVirtualHost(name: string, domains: string[], routes: RouteConfig[]): VirtualHostConfig {
  return {
    name,
    domains,
    routes,
    headers: NO_HEADER_MUTATIONS,
    retryPolicy: null,
    includeRequestAttemptCount: false,
    includeAttemptCountInResponse: false,
    perRequestBufferLimitBytes: null,
  };
}

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
