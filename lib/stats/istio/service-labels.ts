/**
 * `destination_service`, `_name` and `_namespace` from the cluster a request went to (Istio's
 * `outbound|port|subset|fqdn` names and special clusters), else from the Host header.
 */
import { UNKNOWN } from './workload-facts.js';

/** The three service labels. */
export interface ServiceLabels {
  readonly service: string;
  readonly name: string;
  readonly namespace: string;
}

const SPECIAL = new Set(['PassthroughCluster', 'BlackHoleCluster', 'InboundPassthroughClusterIpv4']);

/** `name.ns.svc.<domain>` → name and namespace; other hosts name themselves. */
export function serviceFromHost(host: string, namespace: string): ServiceLabels {
  if (host === '') return { service: UNKNOWN, name: UNKNOWN, namespace };
  const parts = host.split('.');
  if (parts.length >= 3 && parts[2] === 'svc')
    return { service: host, name: parts[0]!, namespace: parts[1]! };
  return { service: host, name: host, namespace };
}

/** The Host header without its port (IPv6 literals keep their brackets). */
export function hostWithoutPort(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon === -1 || authority.endsWith(']')) return authority;
  return authority.slice(0, colon);
}

/**
 * Service labels for a request to `cluster` (null = none chosen) with Host `host` (no port).
 * `namespace` is used when the service's namespace is unknown (the inbound side's own).
 */
export function serviceLabels(cluster: string | null, host: string, namespace: string): ServiceLabels {
  if (cluster !== null) {
    if (cluster.startsWith('outbound|')) {
      const fqdn = cluster.slice(cluster.lastIndexOf('|') + 1);
      if (fqdn !== '') return serviceFromHost(fqdn, namespace);
    } else if (SPECIAL.has(cluster)) {
      return { service: host === '' ? cluster : host, name: cluster, namespace };
    }
  }
  return serviceFromHost(host, namespace);
}

/** The `ns/<x>` segment of a SPIFFE id (`spiffe://td/ns/x/sa/y`), or null. */
export function namespaceFromSpiffe(uri: string): string | null {
  const i = uri.indexOf('/ns/');
  if (i === -1) return null;
  const rest = uri.slice(i + 4);
  const end = rest.indexOf('/');
  const ns = end === -1 ? rest : rest.slice(0, end);
  return ns === '' ? null : ns;
}
