/** `Cluster`: discovery, endpoints (`load_assignment`), EDS source, protocol, lb and resilience. */
import type { ClusterConfig, EndpointConfig, OriginalDstConfig } from '../../model.js';
import { encodeLbConfig } from './cluster-lb.js';
import { encodeCircuitBreakers, encodeOutlierDetection } from './cluster-resilience.js';
import { encodeTransportSocket, encodeTransportSocketMatches } from './cluster-tls.js';
import { duration, fields, type Json, socketAddress, unless } from './format.js';
import { encodeHealthCheck } from './health-check.js';
import { TYPE, UPSTREAM_HTTP_OPTIONS_KEY } from './type-urls.js';

const ORIGINAL_DST_HEADER = 'x-envoy-original-dst-host';

/** `config.cluster.v3.Cluster`. */
export function encodeCluster(c: ClusterConfig): Json {
  const withEndpoints = c.type === 'STATIC' || c.type === 'STRICT_DNS' || c.type === 'LOGICAL_DNS';
  return fields({
    name: c.name,
    type: c.type,
    eds_cluster_config: c.type === 'EDS' && c.eds !== null ? encodeEdsConfig(c) : undefined,
    connect_timeout: duration(c.connectTimeoutMs),
    per_connection_buffer_limit_bytes: unless(c.perConnectionBufferLimitBytes, 1_048_576),
    // ORIGINAL_DST picks hosts itself; Envoy requires CLUSTER_PROVIDED there.
    lb_policy: c.type === 'ORIGINAL_DST' ? 'CLUSTER_PROVIDED' : unless(c.lbPolicy, 'ROUND_ROBIN'),
    load_assignment: withEndpoints ? encodeLoadAssignment(c.name, c.endpoints) : undefined,
    health_checks: c.healthChecks.length === 0 ? undefined : c.healthChecks.map(encodeHealthCheck),
    circuit_breakers: encodeCircuitBreakers(c.circuitBreakers),
    typed_extension_protocol_options: encodeProtocolOptions(c),
    dns_refresh_rate: duration(c.dnsRefreshRateMs, 5000),
    dns_lookup_family: unless(c.dnsLookupFamily, 'AUTO'),
    outlier_detection: c.outlierDetection === null ? undefined : encodeOutlierDetection(c.outlierDetection),
    ...(c.originalDst === undefined ? {} : encodeOriginalDst(c.originalDst)),
    ...encodeLbConfig(c),
    transport_socket: c.upstreamTls === undefined ? undefined : encodeTransportSocket(c.upstreamTls),
    transport_socket_matches:
      c.transportSocketMatches === undefined
        ? undefined
        : encodeTransportSocketMatches(c.transportSocketMatches),
  });
}

/**
 * `original_dst_lb_config` and `cleanup_interval`. `defaultPort` has no Envoy field: it is the
 * port used when neither `upstream_port_override` nor the header gives one, which the decoder
 * derives, so it is not written.
 */
function encodeOriginalDst(o: OriginalDstConfig): Json {
  const lb = fields({
    use_http_header: o.httpHeaderName === null ? undefined : true,
    http_header_name:
      o.httpHeaderName === null || o.httpHeaderName === ORIGINAL_DST_HEADER ? undefined : o.httpHeaderName,
    upstream_port_override: o.upstreamPortOverride ?? undefined,
  });
  return fields({
    cleanup_interval: duration(o.cleanupIntervalMs, 5000),
    original_dst_lb_config: Object.keys(lb).length === 0 ? undefined : lb,
  });
}

/** `eds_cluster_config` reading a file (`path_config_source`), as the decoder supports. */
function encodeEdsConfig(c: ClusterConfig): Json {
  const eds = c.eds!;
  return fields({
    service_name: unless(eds.serviceName, c.name),
    eds_config: { path_config_source: { path: eds.path }, resource_api_version: 'V3' },
  });
}

/**
 * Upstream HTTP settings in `typed_extension_protocol_options` (the current API), or undefined
 * when they are all defaults (HTTP/1.1, 1 h idle timeout, unlimited requests per connection).
 */
function encodeProtocolOptions(c: ClusterConfig): Json | undefined {
  const common = fields({
    idle_timeout: duration(c.idleTimeoutMs, 3_600_000),
    max_requests_per_connection: unless(c.maxRequestsPerConnection, 0),
  });
  const h2 = c.upstreamProtocol === 'http2';
  if (Object.keys(common).length === 0 && !h2) return undefined;
  const options = fields({
    '@type': TYPE.upstreamHttpOptions,
    common_http_protocol_options: Object.keys(common).length === 0 ? undefined : common,
    explicit_http_config: { [h2 ? 'http2_protocol_options' : 'http_protocol_options']: {} },
  });
  return { [UPSTREAM_HTTP_OPTIONS_KEY]: options };
}

function sameGroup(a: EndpointConfig, b: EndpointConfig): boolean {
  return (
    a.priority === b.priority &&
    a.locality.region === b.locality.region &&
    a.locality.zone === b.locality.zone &&
    a.locality.subZone === b.locality.subZone
  );
}

/**
 * `ClusterLoadAssignment`: consecutive endpoints that share locality and priority form one
 * LocalityLbEndpoints, so the flattened order the decoder produces is kept.
 */
export function encodeLoadAssignment(clusterName: string, endpoints: readonly EndpointConfig[]): Json {
  const groups: EndpointConfig[][] = [];
  for (const e of endpoints) {
    const last = groups[groups.length - 1];
    if (last !== undefined && sameGroup(last[0]!, e)) last.push(e);
    else groups.push([e]);
  }
  return {
    cluster_name: clusterName,
    endpoints: groups.map((g) => {
      const { region, zone, subZone } = g[0]!.locality;
      const locality = fields({
        region: unless(region, ''),
        zone: unless(zone, ''),
        sub_zone: unless(subZone, ''),
      });
      return fields({
        locality: Object.keys(locality).length === 0 ? undefined : locality,
        lb_endpoints: g.map(encodeLbEndpoint),
        priority: unless(g[0]!.priority, 0),
      });
    }),
  };
}

/**
 * One LbEndpoint. The model flattens subset labels from the `istio` and `envoy.lb` metadata
 * namespaces; they are written back under `envoy.lb`, Envoy's own subset namespace.
 */
function encodeLbEndpoint(e: EndpointConfig): Json {
  return fields({
    endpoint: fields({ address: socketAddress(e.address), hostname: unless(e.hostname, '') }),
    health_status: unless(e.healthStatus, 'UNKNOWN'),
    metadata:
      Object.keys(e.labels).length === 0 ? undefined : { filter_metadata: { 'envoy.lb': { ...e.labels } } },
    load_balancing_weight: unless(e.weight, 1),
  });
}
