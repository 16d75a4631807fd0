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
function serviceFromHost(host: string, namespace: string): ServiceLabels {
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

/**
 * Service labels of a TCP connection to `cluster` (null = none picked); there is no Host to fall
 * back on. As `istio_stats.cc`: the source side knows only outbound clusters' services (else
 * `unknown`, special clusters naming themselves); the destination side falls back to its own
 * canonical service in its own namespace (Istio reads the inbound cluster's service metadata
 * first, which Skiff's `inbound|port||` clusters do not carry).
 */
export function tcpServiceLabels(
  cluster: string | null,
  outbound: boolean,
  ownCanonicalService: string,
  ownNamespace: string,
): ServiceLabels {
  const ns = outbound ? UNKNOWN : ownNamespace;
  if (cluster?.startsWith('outbound|') === true) {
    const fqdn = cluster.slice(cluster.lastIndexOf('|') + 1);
    if (fqdn !== '') return serviceFromHost(fqdn, ns);
  }
  const fallback = outbound ? UNKNOWN : ownCanonicalService;
  const special = cluster !== null && (SPECIAL.has(cluster) || cluster === 'InboundPassthroughClusterIpv6');
  return { service: fallback, name: special ? cluster : fallback, namespace: ns };
}
