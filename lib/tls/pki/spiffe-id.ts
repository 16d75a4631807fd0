/** Istio's workload identity: `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`. */
export interface SpiffeId {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

// SPIFFE trust domains are lower-case DNS-like names; Kubernetes names are DNS labels (plus dots
// for service accounts). Anything else could not have come from Istio and would make the URI SAN ambiguous.
const TRUST_DOMAIN_RE = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
const SEGMENT_RE = /^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$/;

/** The reason `td` is not a valid SPIFFE trust domain, or null. */
export function trustDomainProblem(td: string): string | null {
  if (td === '') return 'the trust domain is empty';
  if (td.length > 255) return 'the trust domain is longer than 255 characters';
  if (!TRUST_DOMAIN_RE.test(td))
    return `trust domain "${td}" may only hold lower-case letters, digits, ".", "-" and "_"`;
  return null;
}

/** Parses `spiffe://td/ns/NS/sa/SA`; returns the parts or a reason it is not one. */
export function parseSpiffeId(uri: string): SpiffeId | string {
  const prefix = 'spiffe://';
  if (!uri.startsWith(prefix)) return `"${uri}" is not a SPIFFE ID: it must start with spiffe://`;
  const rest = uri.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return `"${uri}" has no path: expected spiffe://<trust-domain>/ns/<namespace>/sa/<account>`;
  const trustDomain = rest.slice(0, slash);
  const tdProblem = trustDomainProblem(trustDomain);
  if (tdProblem !== null) return `"${uri}": ${tdProblem}`;
  const parts = rest.slice(slash + 1).split('/');
  if (parts.length !== 4 || parts[0] !== 'ns' || parts[2] !== 'sa') {
    return `"${uri}" is not an Istio workload identity: expected spiffe://${trustDomain}/ns/<namespace>/sa/<account>`;
  }
  const namespace = parts[1]!;
  const serviceAccount = parts[3]!;
  if (!SEGMENT_RE.test(namespace)) return `"${uri}": namespace "${namespace}" is not a valid name`;
  if (!SEGMENT_RE.test(serviceAccount))
    return `"${uri}": service account "${serviceAccount}" is not a valid name`;
  return { trustDomain, namespace, serviceAccount };
}

/** The URI form of an identity (validated: throws on a part that could not round-trip). */
export function formatSpiffeId(id: SpiffeId): string {
  const uri = `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
  const parsed = parseSpiffeId(uri);
  if (typeof parsed === 'string') throw new Error(parsed);
  return uri;
}
