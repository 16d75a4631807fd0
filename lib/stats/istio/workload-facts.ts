/**
 * The facts about the sidecar's own workload that Istio's standard metrics and its peer
 * metadata exchange carry, derived once from the pod's description.
 */
import { spiffeId, type WorkloadInfo } from '../../config/istio/workload.js';

/** One workload as the metric labels name it; `unknown` stands for a missing value. */
export interface WorkloadFacts {
  /** Workload name (`ISTIO_META_WORKLOAD_NAME`, else the pod name). */
  readonly workload: string;
  readonly namespace: string;
  /** The `app` label. */
  readonly app: string;
  /** The `version` label. */
  readonly version: string;
  readonly canonicalService: string;
  /** Defaults to `latest`, as Istio's. */
  readonly canonicalRevision: string;
  /** `CLUSTER_ID`, Istio's default `Kubernetes`. */
  readonly cluster: string;
}

/** Our own workload: the facts plus what only the local side knows. */
export interface ProxyWorkload extends WorkloadFacts {
  readonly serviceAccount: string;
  readonly trustDomain: string;
  /** `spiffe://<td>/ns/<ns>/sa/<sa>`. */
  readonly spiffeId: string;
  /** Every pod label (sent in the peer metadata's `LABELS`). */
  readonly labels: Readonly<Record<string, string>>;
}

export const UNKNOWN = 'unknown';

/** The facts Istio records when nothing is known about a peer. */
export const UNKNOWN_WORKLOAD: WorkloadFacts = {
  workload: UNKNOWN,
  namespace: UNKNOWN,
  app: UNKNOWN,
  version: UNKNOWN,
  canonicalService: UNKNOWN,
  canonicalRevision: 'latest',
  cluster: UNKNOWN,
};

function nonEmpty(...values: (string | undefined)[]): string | undefined {
  for (const v of values) if (v !== undefined && v !== '') return v;
  return undefined;
}

/** Istio's canonical name: the label, else `app.kubernetes.io/name`, else `app`, else the workload. */
export function canonicalServiceOf(labels: Readonly<Record<string, string>>, workload: string): string {
  return (
    nonEmpty(
      labels['service.istio.io/canonical-name'],
      labels['app.kubernetes.io/name'],
      labels.app,
      workload === UNKNOWN ? undefined : workload,
    ) ?? UNKNOWN
  );
}

/** Istio's canonical revision: the label, else `app.kubernetes.io/version`, else `version`, else `latest`. */
export function canonicalRevisionOf(labels: Readonly<Record<string, string>>): string {
  return (
    nonEmpty(
      labels['service.istio.io/canonical-revision'],
      labels['app.kubernetes.io/version'],
      labels.version,
    ) ?? 'latest'
  );
}

/** Our workload's facts from the pod description; `clusterId` defaults to `Kubernetes`. */
export function proxyWorkloadFrom(w: WorkloadInfo, clusterId = 'Kubernetes'): ProxyWorkload {
  const workload = w.name === '' ? UNKNOWN : w.name;
  return {
    workload,
    namespace: w.namespace,
    app: nonEmpty(w.labels.app) ?? UNKNOWN,
    version: nonEmpty(w.labels.version) ?? UNKNOWN,
    canonicalService: canonicalServiceOf(w.labels, workload),
    canonicalRevision: canonicalRevisionOf(w.labels),
    cluster: clusterId === '' ? 'Kubernetes' : clusterId,
    serviceAccount: w.serviceAccount,
    trustDomain: w.trustDomain,
    spiffeId: spiffeId(w),
    labels: w.labels,
  };
}
