/**
 * Name and address syntax as istiod validates it (`pkg/config/labels`, `validation/agent`):
 * DNS labels, hostnames with an optional wildcard prefix, header names, IPs and CIDRs.
 */
import { isIP } from 'node:net';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Hostname labels are checked case-insensitively (Istio lower-cases hosts itself).
const HOST_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
const HEADER_NAME = /^[-_A-Za-z0-9]+$/;

/** Kubernetes DNS-1123 label: namespaces, subset and port names. */
export function isDns1123Label(s: string): boolean {
  return DNS1123_LABEL.test(s);
}

/** A DNS name, optionally `*` or `*.`-prefixed when `wildcard` (short names are fine). */
export function isWildcardDomain(host: string, wildcard: boolean): boolean {
  if (host === '' || host.length > 255) return false;
  let rest = host;
  if (wildcard && host === '*') return true;
  if (wildcard && host.startsWith('*.')) rest = host.slice(2);
  else if (wildcard && host.startsWith('*')) rest = host.slice(1);
  if (rest.endsWith('.')) rest = rest.slice(0, -1);
  return rest.split('.').every((l) => HOST_LABEL.test(l));
}

/** A fully written DNS name without wildcards. */
export function isFqdn(host: string): boolean {
  return !host.includes('*') && isWildcardDomain(host, false);
}

/** An IPv4 or IPv6 literal. */
export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

/** An IP or `ip/prefix` CIDR. */
export function isIpOrCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return isIpAddress(s);
  const family = isIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** An HTTP header name as Istio matches it. */
export function isHeaderName(s: string): boolean {
  return HEADER_NAME.test(s);
}

/** `@request.auth.claims.x` / `@request.auth.claims[x]`: JWT claim routing (gateways only). */
export function isJwtClaimKey(s: string): boolean {
  return s.startsWith('@request.auth.claims.') || s.startsWith('@request.auth.claims[');
}

/** A gateway reference: `mesh`, `name`, legacy `name.namespace…`, or `namespace/name`. */
export function gatewayNameProblem(g: string): string | null {
  const slash = g.indexOf('/');
  if (slash < 0) return isFqdn(g) ? null : `invalid gateway name "${g}"`;
  const ns = g.slice(0, slash);
  const name = g.slice(slash + 1);
  if (ns === '' || name === '') return `invalid gateway "${g}": namespace and name must not be empty`;
  if (!isDns1123Label(ns)) return `invalid namespace "${ns}" in gateway "${g}"`;
  if (!isDns1123Label(name)) return `invalid gateway name "${name}" in "${g}"`;
  return null;
}
