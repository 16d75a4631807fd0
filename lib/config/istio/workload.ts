/**
 * The workload a sidecar serves, described the way a pod describes itself to istio-agent
 * (`POD_NAMESPACE`, `SERVICE_ACCOUNT`, `POD_NAME`, labels). Translation and analysis of Istio
 * resources are always done from one workload's point of view, as istiod does per proxy.
 */
export interface WorkloadInfo {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** `ISTIO_META_WORKLOAD_NAME`, else the pod name; "" when unknown. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** SPIFFE trust domain, default `cluster.local`. */
  readonly trustDomain: string;
}

/** Istio's root namespace (mesh-wide Sidecar, PeerAuthentication, DestinationRule fallbacks). */
export const ROOT_NAMESPACE = 'istio-system';

/** Kubernetes' DNS suffix for services (`<name>.<ns>.svc.cluster.local`). */
export const DOMAIN_SUFFIX = 'cluster.local';

export const DEFAULT_WORKLOAD: WorkloadInfo = {
  namespace: 'default',
  serviceAccount: 'default',
  name: '',
  labels: {},
  trustDomain: 'cluster.local',
};

/** `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`. */
export function spiffeId(w: WorkloadInfo): string {
  return `spiffe://${w.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`;
}

/** True when every selector label is on the workload (an empty selector selects all). */
export function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const k of Object.keys(selector)) if (labels[k] !== selector[k]) return false;
  return true;
}
