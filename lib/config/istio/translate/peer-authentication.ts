/**
 * The mTLS mode a workload accepts, as istiod composes PeerAuthentication for one proxy: the
 * mesh policy (root namespace, no selector), then the namespace policy, then the workload
 * policy (a selector matching its labels) each override the one before unless UNSET; among
 * equals the oldest wins; nothing at all means PERMISSIVE. `portLevelMtls` of the workload
 * policy overrides per port (UNSET there inherits the workload's mode).
 */
import type { MtlsMode, PeerAuthentication } from '../model.js';
import type { SourcedResource } from '../sourced.js';
import { ROOT_NAMESPACE, selects, type WorkloadInfo } from '../workload.js';

/** A mode after inheritance is resolved. */
export type EffectiveMtlsMode = Exclude<MtlsMode, 'UNSET'>;

/** The workload's effective mTLS: its mode and the ports that differ from it. */
export interface EffectiveMtls {
  readonly mode: EffectiveMtlsMode;
  readonly ports: Readonly<Record<number, EffectiveMtlsMode>>;
}

type Sourced = SourcedResource<PeerAuthentication>;

function hasSelector(pa: Sourced): boolean {
  const s = pa.resource.spec.selector;
  return s !== null && Object.keys(s.labels).length > 0;
}

/**
 * Effective mode for `workload`. `policies` must be in istiod's order (oldest first), as
 * `ofKind` returns them.
 */
export function effectiveMtls(policies: readonly Sourced[], workload: WorkloadInfo): EffectiveMtls {
  const inNs = (pa: Sourced, ns: string): boolean => pa.resource.metadata.namespace === ns;
  const mesh = policies.find((pa) => inNs(pa, ROOT_NAMESPACE) && !hasSelector(pa));
  const namespace =
    workload.namespace === ROOT_NAMESPACE
      ? undefined
      : policies.find((pa) => inNs(pa, workload.namespace) && !hasSelector(pa));
  const own = policies.find(
    (pa) =>
      inNs(pa, workload.namespace) &&
      hasSelector(pa) &&
      selects(pa.resource.spec.selector?.labels ?? {}, workload.labels),
  );
  let mode: EffectiveMtlsMode = 'PERMISSIVE';
  for (const pa of [mesh, namespace, own]) {
    const m = pa?.resource.spec.mtls?.mode ?? 'UNSET';
    if (m !== 'UNSET') mode = m;
  }
  const ports: Record<number, EffectiveMtlsMode> = {};
  for (const [port, m] of Object.entries(own?.resource.spec.portLevelMtls ?? {})) {
    ports[Number(port)] = m === 'UNSET' ? mode : m;
  }
  return { mode, ports };
}

/** The mode for one inbound port. */
export function portMode(eff: EffectiveMtls, port: number): EffectiveMtlsMode {
  return eff.ports[port] ?? eff.mode;
}
