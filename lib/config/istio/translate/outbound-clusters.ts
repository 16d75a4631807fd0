/**
 * The outbound cluster inventory istiod gives a sidecar: for every visible service port
 * `outbound|<port>||<fqdn>`, plus one cluster per DestinationRule subset, with endpoints from
 * the registry and discovery from the ServiceEntry's `resolution`.
 */
import type { ClusterConfig, DiscoveryType, EndpointConfig } from '../../model.js';
import type { ServicePort } from '../model.js';
import { endpointPort, type RegistryService } from '../registry.js';
import { selects } from '../workload.js';
import { buildOutboundCluster } from './cluster-policy.js';
import type { DestinationRuleIndex } from './destination-rules.js';
import { type OutboundClusterSpec, outboundClusterName, type TranslateSink } from './types.js';

// Protocols Skiff serves as HTTP; "" is Istio's auto-detection, which for Skiff means HTTP/1.
const HTTP_PROTOCOLS = new Set(['', 'HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY']);

/** True for service ports Skiff routes as HTTP (TCP/TLS proxying comes with its own issue). */
export function isHttpPort(port: ServicePort): boolean {
  return HTTP_PROTOCOLS.has(port.protocol.toUpperCase());
}

const DISCOVERY: Readonly<Record<RegistryService['resolution'], DiscoveryType>> = {
  STATIC: 'STATIC',
  DNS: 'STRICT_DNS',
  DNS_ROUND_ROBIN: 'LOGICAL_DNS',
  NONE: 'ORIGINAL_DST',
};

function locality(l: string): EndpointConfig['locality'] {
  const [region = '', zone = '', subZone = ''] = l.split('/');
  return { region, zone, subZone };
}

function endpoint(
  address: string,
  port: number,
  weight: number,
  labels: Readonly<Record<string, string>>,
  localityName: string,
): EndpointConfig {
  return {
    address: { address, port },
    weight,
    healthStatus: 'UNKNOWN',
    locality: locality(localityName),
    priority: 0,
    hostname: '',
    labels,
  };
}

/** The endpoints of one service port, narrowed to `labels` (a subset's) when given. */
export function serviceEndpoints(
  service: RegistryService,
  port: ServicePort,
  labels: Readonly<Record<string, string>> | undefined,
): EndpointConfig[] {
  if (service.resolution === 'NONE') return [];
  const eps = service.endpoints.filter((e) => labels === undefined || selects(labels, e.labels));
  // A DNS entry without endpoints resolves its own host (wildcards cannot be resolved).
  if (eps.length === 0 && service.endpoints.length === 0 && DISCOVERY[service.resolution] !== 'STATIC') {
    if (service.hostname.startsWith('*')) return [];
    return [endpoint(service.hostname, port.number, 1, {}, '')];
  }
  return eps.map((e) => endpoint(e.address, endpointPort(e, port), e.weight, e.labels, e.locality));
}

/** One service port's clusters: the whole service and each subset of its DestinationRule. */
export function clustersForServicePort(
  service: RegistryService,
  port: ServicePort,
  rules: DestinationRuleIndex,
  sink: TranslateSink,
  trustDomain?: string,
): ClusterConfig[] {
  const rule = rules.forHost(service.hostname, service.namespace);
  const type = DISCOVERY[service.resolution];
  const spec = (
    subset: string,
    labels: Readonly<Record<string, string>> | undefined,
  ): OutboundClusterSpec => ({
    name: outboundClusterName(port.number, subset, service.hostname),
    service,
    port,
    subset,
    type,
    endpoints: serviceEndpoints(service, port, labels),
    ...(trustDomain === undefined ? {} : { trustDomain }),
    ...(type === 'ORIGINAL_DST'
      ? {
          originalDst: {
            httpHeaderName: ':authority',
            defaultPort: port.number,
            upstreamPortOverride: null,
            cleanupIntervalMs: 5000,
          },
        }
      : {}),
  });
  const out = [buildOutboundCluster(spec('', undefined), rule, sink)];
  for (const s of rule?.subsets ?? []) out.push(buildOutboundCluster(spec(s.name, s.labels), rule, sink));
  return out;
}
