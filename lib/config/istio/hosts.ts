/**
 * Hostnames as istiod reads them: short names are completed in the namespace of the resource
 * that wrote them (`ResolveShortnameToFQDN`), wildcards match by suffix, and a service answers
 * to every Host form a caller may write.
 */
import { DOMAIN_SUFFIX } from './workload.js';

/**
 * A host as written in a resource of `namespace` → the FQDN istiod uses. Names without a dot
 * get `.<ns>.svc.cluster.local`; anything with a dot is taken as written (so `svc.ns` is not
 * completed, as in Istio); `*` stays `*`. Lower-cased.
 */
export function resolveHostname(host: string, namespace: string, domainSuffix = DOMAIN_SUFFIX): string {
  const h = host.toLowerCase();
  if (h === '*' || h.includes('.')) return h;
  return `${h}.${namespace}.svc.${domainSuffix}`;
}

/** True when `host` (an FQDN) is covered by `pattern` (an FQDN or `*.suffix` or `*`). */
export function hostMatches(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/**
 * The Host header forms a workload in `fromNamespace` may use for a Kubernetes-style service
 * FQDN, as Istio's sidecar virtual hosts list them: the FQDN, `name.ns.svc`, `name.ns`, and the
 * bare `name` when caller and service share a namespace. Other FQDNs have only themselves.
 */
export function hostAliases(fqdn: string, fromNamespace: string, domainSuffix = DOMAIN_SUFFIX): string[] {
  const suffix = `.svc.${domainSuffix}`;
  if (!fqdn.endsWith(suffix)) return [fqdn];
  const parts = fqdn.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return [fqdn];
  const [name, ns] = parts as [string, string];
  const out = [fqdn, `${name}.${ns}.svc`, `${name}.${ns}`];
  if (ns === fromNamespace) out.push(name);
  return out;
}
