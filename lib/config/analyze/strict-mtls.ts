/**
 * SKF0004: a STRICT PeerAuthentication in force while known peers have no sidecar. STRICT
 * servers only accept Istio mTLS; a workload without a sidecar talks plaintext, and its
 * connections are closed during the TLS handshake: the caller sees TCP resets ("connection reset
 * by peer"), not an HTTP 503, which makes the switch from PERMISSIVE hard to diagnose.
 *
 * Peers without a sidecar are the WorkloadEntries and MESH_INTERNAL ServiceEntry endpoints that
 * lack the `security.istio.io/tlsMode: istio` label (istiod's own test for auto mTLS). A policy
 * counts when istiod would use it: the oldest selector-less one in the root namespace (mesh),
 * the oldest selector-less one per namespace, and every one with a selector outside the root
 * namespace (workload level; root-namespace ones with a selector are ignored by istiod).
 */
import type { MtlsMode, PeerAuthentication } from '../istio/model.js';
import type { SourcedResource } from '../istio/sourced.js';
import { ROOT_NAMESPACE } from '../istio/workload.js';
import type { AnalysisContext } from './context.js';
import { type Finding, finding } from './finding.js';

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/** The policies istiod applies, by the precedence rules above. */
function policiesInForce(
  all: readonly SourcedResource<PeerAuthentication>[],
): SourcedResource<PeerAuthentication>[] {
  const seenNamespaceLevel = new Set<string>();
  const out: SourcedResource<PeerAuthentication>[] = [];
  for (const pa of all) {
    const ns = pa.resource.metadata.namespace;
    if (pa.resource.spec.selector !== null) {
      if (ns !== ROOT_NAMESPACE) out.push(pa);
      continue;
    }
    // `all` is in istiod's order (oldest first): later namespace/mesh policies are ignored.
    if (seenNamespaceLevel.has(ns)) continue;
    seenNamespaceLevel.add(ns);
    out.push(pa);
  }
  return out;
}

function peersWithoutSidecar(ctx: AnalysisContext): string[] {
  const out: string[] = [];
  const externalOnly = new Set<string>();
  const internal = new Set<string>();
  for (const svc of ctx.registry.services()) {
    for (const ep of svc.endpoints) {
      if (ep.workloadEntry !== '')
        (svc.location === 'MESH_INTERNAL' ? internal : externalOnly).add(ep.workloadEntry);
    }
  }
  for (const we of ctx.workloadEntries) {
    const id = `${we.resource.metadata.namespace}/${we.resource.metadata.name}`;
    if (externalOnly.has(id) && !internal.has(id)) continue;
    if (we.resource.spec.labels[TLS_MODE_LABEL] === 'istio') continue;
    out.push(`WorkloadEntry ${id} (${we.resource.spec.address})`);
  }
  for (const se of ctx.serviceEntries) {
    const { spec, metadata } = se.resource;
    if (spec.location !== 'MESH_INTERNAL' || spec.workloadSelector !== null) continue;
    for (const ep of spec.endpoints) {
      if (ep.labels[TLS_MODE_LABEL] === 'istio') continue;
      out.push(`ServiceEntry ${metadata.namespace}/${metadata.name} endpoint ${ep.address}`);
    }
  }
  return out;
}

function scopeOf(pa: PeerAuthentication): string {
  const { selector } = pa.spec;
  const ns = pa.metadata.namespace;
  if (selector !== null) {
    const labels = Object.entries(selector.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return `workloads in namespace ${ns} labelled ${labels || '(any)'}`;
  }
  return ns === ROOT_NAMESPACE ? 'the whole mesh' : `namespace ${ns}`;
}

function strictPath(pa: PeerAuthentication): string | null {
  if (pa.spec.mtls?.mode === 'STRICT') return 'spec.mtls.mode';
  if (pa.spec.selector === null) return null;
  const port = Object.entries(pa.spec.portLevelMtls).find(([, m]: [string, MtlsMode]) => m === 'STRICT');
  return port === undefined ? null : `spec.portLevelMtls[${port[0]}]`;
}

/** SKF0004 on each STRICT policy in force when some known peer has no sidecar. */
export function analyzeStrictMtls(ctx: AnalysisContext): Finding[] {
  const peers = peersWithoutSidecar(ctx);
  if (peers.length === 0) return [];
  const listed = peers.slice(0, 5).join(', ') + (peers.length > 5 ? ` and ${peers.length - 5} more` : '');
  const out: Finding[] = [];
  for (const pa of policiesInForce(ctx.peerAuthentications)) {
    const path = strictPath(pa.resource);
    if (path === null) continue;
    out.push(
      finding(
        'SKF0004',
        pa,
        path,
        `STRICT mTLS for ${scopeOf(pa.resource)}, but ${peers.length} known peer${peers.length === 1 ? ' has' : 's have'} no sidecar (no ${TLS_MODE_LABEL}: istio label): ${listed}. Their plaintext connections to STRICT workloads are reset during the handshake: callers see TCP resets, not HTTP 503s.`,
        `Run PERMISSIVE first, move the peers into the mesh (sidecar, then label them ${TLS_MODE_LABEL}: istio), and switch to STRICT once istio_requests_total shows no plaintext (connection_security_policy="none") traffic; or add a PERMISSIVE PeerAuthentication for the workloads those peers call.`,
      ),
    );
  }
  return out;
}
