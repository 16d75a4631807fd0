/**
 * What a `Sidecar` resource decides for one workload: which one applies (workload selector in
 * its namespace, else the namespace's default, else the root namespace's), which hosts the
 * proxy may see (`egress[].hosts`), where inbound traffic goes, and the outbound traffic policy.
 */
import { hostMatches } from '../hosts.js';
import type { Sidecar, SidecarIngress } from '../model.js';
import type { SidecarOptions } from '../sidecar-options.js';
import { ofKind, type SourcedResource } from '../sourced.js';
import { ROOT_NAMESPACE, selects, type WorkloadInfo } from '../workload.js';

/** The Sidecar-derived scope of one proxy. */
export interface SidecarScope {
  /** The Sidecar resource in force, or null (istiod's defaults: see everything). */
  readonly sidecar: SourcedResource<Sidecar> | null;
  /** True when a service `hostname` in `namespace` is visible to the proxy. */
  isVisible(hostname: string, namespace: string): boolean;
  readonly ingress: readonly SidecarIngress[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

/** The Sidecar that applies to `workload`, as istiod picks it. */
export function pickSidecar(
  resources: readonly SourcedResource[],
  workload: WorkloadInfo,
): SourcedResource<Sidecar> | null {
  const all = ofKind(resources, 'Sidecar');
  const inNs = all.filter((s) => s.resource.metadata.namespace === workload.namespace);
  const bySelector = inNs.find(
    (s) =>
      s.resource.spec.workloadSelector !== null &&
      selects(s.resource.spec.workloadSelector.labels, workload.labels),
  );
  if (bySelector !== undefined) return bySelector;
  const nsDefault = inNs.find((s) => s.resource.spec.workloadSelector === null);
  if (nsDefault !== undefined) return nsDefault;
  return (
    all.find(
      (s) => s.resource.metadata.namespace === ROOT_NAMESPACE && s.resource.spec.workloadSelector === null,
    ) ?? null
  );
}

/** `namespace/dnsName` egress host → does it admit `hostname` in `namespace`? */
export function egressAdmits(entry: string, hostname: string, namespace: string, own: string): boolean {
  const slash = entry.indexOf('/');
  const ns = slash < 0 ? '*' : entry.slice(0, slash);
  const dns = slash < 0 ? entry : entry.slice(slash + 1);
  if (ns === '~') return false;
  if (ns !== '*' && (ns === '.' ? own : ns) !== namespace) return false;
  return hostMatches(hostname, dns.toLowerCase());
}

export function sidecarScope(resources: readonly SourcedResource[], options: SidecarOptions): SidecarScope {
  const sidecar = pickSidecar(resources, options.workload);
  const egressHosts = sidecar?.resource.spec.egress.flatMap((e) => e.hosts) ?? [];
  const own = sidecar?.resource.metadata.namespace ?? options.workload.namespace;
  return {
    sidecar,
    isVisible: (hostname, namespace) =>
      sidecar === null || egressHosts.some((e) => egressAdmits(e, hostname, namespace, own)),
    ingress: sidecar?.resource.spec.ingress ?? [],
    outboundTrafficPolicy:
      sidecar?.resource.spec.outboundTrafficPolicy?.mode ?? options.outboundTrafficPolicy,
  };
}
