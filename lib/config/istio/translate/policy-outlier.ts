/**
 * Istio `OutlierDetection` → the cluster's `outlier_detection` and panic threshold, as istiod's
 * `applyOutlierDetection` writes them onto Envoy's defaults.
 */
import { DEFAULT_LB_TUNING } from '../../envoy/cluster-lb.js';
import { OUTLIER_DEFAULTS } from '../../envoy/cluster-outlier-detection.js';
import type { OutlierDetectionConfig } from '../../model.js';
import type { IstioOutlierDetection } from '../model.js';
import type { PolicySection } from './effective-policy.js';

/** The passive health fields of a cluster that a DestinationRule decides. */
export interface OutlierSettings {
  readonly outlierDetection: OutlierDetectionConfig | null;
  readonly healthyPanicThresholdPercent: number;
}

const NO_OUTLIER: OutlierSettings = {
  outlierDetection: null,
  healthyPanicThresholdPercent: DEFAULT_LB_TUNING.healthyPanicThresholdPercent,
};

/** A set count enforces at 100 %, an explicit 0 disables the check (istiod's rule). */
function enforcing(v: number): number {
  return v > 0 ? 100 : 0;
}

/** Outlier detection under the effective `outlierDetection` section (null = off). */
export function applyOutlierDetection(od: PolicySection<IstioOutlierDetection> | null): OutlierSettings {
  if (od === null) return NO_OUTLIER;
  const v = od.value;
  const d = OUTLIER_DEFAULTS;
  const baseEjectionTimeMs = v.baseEjectionTimeMs ?? d.baseEjectionTimeMs;
  const split = v.splitExternalLocalOriginErrors;
  const localOrigin = v.consecutiveLocalOriginFailures ?? 0;
  const cfg: OutlierDetectionConfig = {
    ...d,
    consecutive5xx: v.consecutive5xxErrors ?? d.consecutive5xx,
    enforcingConsecutive5xx:
      v.consecutive5xxErrors === null ? d.enforcingConsecutive5xx : enforcing(v.consecutive5xxErrors),
    consecutiveGatewayFailure: v.consecutiveGatewayErrors ?? d.consecutiveGatewayFailure,
    enforcingConsecutiveGatewayFailure:
      v.consecutiveGatewayErrors === null
        ? d.enforcingConsecutiveGatewayFailure
        : enforcing(v.consecutiveGatewayErrors),
    splitExternalLocalOriginErrors: split,
    consecutiveLocalOriginFailure: split && localOrigin > 0 ? localOrigin : d.consecutiveLocalOriginFailure,
    enforcingConsecutiveLocalOriginFailure:
      split && localOrigin > 0 ? 100 : d.enforcingConsecutiveLocalOriginFailure,
    intervalMs: v.intervalMs ?? d.intervalMs,
    baseEjectionTimeMs,
    // Envoy's cap when unset: 300 s or base_ejection_time, whichever is larger.
    maxEjectionTimeMs: Math.max(d.maxEjectionTimeMs, baseEjectionTimeMs),
    maxEjectionPercent: v.maxEjectionPercent > 0 ? v.maxEjectionPercent : d.maxEjectionPercent,
    // Istio turns success-rate ejection off (and its local-origin twin when split).
    enforcingSuccessRate: 0,
    enforcingLocalOriginSuccessRate: split ? 0 : d.enforcingLocalOriginSuccessRate,
  };
  // istiod always writes the panic threshold once outlier detection is on, so an unset
  // minHealthPercent (0) disables panic mode: few pods per service make panic unhelpful.
  return { outlierDetection: cfg, healthyPanicThresholdPercent: v.minHealthPercent };
}
