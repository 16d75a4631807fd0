import { isIP } from 'node:net';
import type { DiscoveryType, EndpointConfig, HealthStatus } from '../model.js';
import { type FieldReader, isPlainObject } from '../reader.js';
import { readAddress } from './address.js';
import {
  CLUSTER_LOAD_ASSIGNMENT_RULES,
  ENDPOINT_RULES,
  LB_ENDPOINT_RULES,
  LOCALITY_LB_ENDPOINTS_RULES,
  LOCALITY_RULES,
  METADATA_RULES,
} from './field-rules.js';

const HEALTH: readonly HealthStatus[] = [
  'UNKNOWN',
  'HEALTHY',
  'UNHEALTHY',
  'DRAINING',
  'TIMEOUT',
  'DEGRADED',
];
// Subset labels live under these filter_metadata keys (Istio writes `istio`, Envoy subsets `envoy.lb`).
const LABEL_NAMESPACES = ['istio', 'envoy.lb', 'envoy.transport_socket_match'];

/** Decodes `load_assignment` into flat endpoints and applies the per-discovery-type rules. */
export function readLoadAssignment(r: FieldReader, type: DiscoveryType): EndpointConfig[] {
  if (r.has('hosts')) {
    r.skip('hosts');
    r.error(
      'hosts',
      'hosts was removed from the v3 API; list endpoints under load_assignment.endpoints[].lb_endpoints[]',
    );
  }
  const la = r.object('load_assignment');
  if (la === undefined) {
    if (type === 'LOGICAL_DNS')
      r.error(null, 'a LOGICAL_DNS cluster needs exactly one endpoint in load_assignment');
    return [];
  }
  return readClusterLoadAssignment(la, type);
}

/** Decodes one `ClusterLoadAssignment` (a cluster's `load_assignment`, or an EDS resource). */
export function readClusterLoadAssignment(la: FieldReader, type: DiscoveryType): EndpointConfig[] {
  la.string('cluster_name');
  const endpoints: EndpointConfig[] = [];
  for (const group of la.objects('endpoints')) {
    const locality = readLocality(group.object('locality'));
    const priority = group.int('priority', 0, 128) ?? 0;
    group.int('load_balancing_weight', 1);
    for (const lb of group.objects('lb_endpoints')) {
      const ep = readLbEndpoint(lb, type, locality, priority);
      if (ep !== undefined) endpoints.push(ep);
    }
    group.finish(LOCALITY_LB_ENDPOINTS_RULES);
  }
  la.finish(CLUSTER_LOAD_ASSIGNMENT_RULES);
  if (type === 'LOGICAL_DNS' && endpoints.length !== 1) {
    la.error('endpoints', `a LOGICAL_DNS cluster needs exactly one endpoint, got ${endpoints.length}`);
  }
  return endpoints;
}

function readLocality(r: FieldReader | undefined): EndpointConfig['locality'] {
  const l = {
    region: r?.string('region') ?? '',
    zone: r?.string('zone') ?? '',
    subZone: r?.string('sub_zone') ?? '',
  };
  r?.finish(LOCALITY_RULES);
  return l;
}

function readLbEndpoint(
  r: FieldReader,
  type: DiscoveryType,
  locality: EndpointConfig['locality'],
  priority: number,
): EndpointConfig | undefined {
  const e = r.requiredObject('endpoint');
  const weight = r.int('load_balancing_weight', 1) ?? 1;
  const healthStatus = r.enumValue('health_status', HEALTH) ?? 'UNKNOWN';
  const labels = readLabels(r.object('metadata'));
  r.finish(LB_ENDPOINT_RULES);
  if (e === undefined) return undefined;
  const address = readAddress(e, 'address', { requireIp: false, minPort: 1 });
  const hostname = e.string('hostname') ?? '';
  e.finish(ENDPOINT_RULES);
  if (address === undefined) return undefined;
  if (type === 'STATIC' && isIP(address.address) === 0) {
    e.error(
      'address',
      `"${address.address}" is not an IP address; a STATIC cluster needs IP literals (use type STRICT_DNS to resolve hostnames)`,
    );
    return undefined;
  }
  return { address, weight, healthStatus, locality, priority, hostname, labels };
}

function readLabels(r: FieldReader | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (r === undefined) return labels;
  const fm = r.raw('filter_metadata');
  r.finish(METADATA_RULES);
  if (fm === undefined) return labels;
  if (!isPlainObject(fm)) {
    r.error('filter_metadata', 'expected an object');
    return labels;
  }
  for (const ns of LABEL_NAMESPACES) {
    const values = fm[ns];
    if (!isPlainObject(values)) continue;
    for (const [k, v] of Object.entries(values)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') labels[k] = String(v);
    }
  }
  return labels;
}
