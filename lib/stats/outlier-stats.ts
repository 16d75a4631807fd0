import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';
import type { OutlierDetectionStats } from './types.js';

const L = ['envoy_cluster_name'] as const;
const PREFIX = 'envoy_cluster_outlier_detection_';

function c(name: string, help: string): StatDef {
  return { name: `${PREFIX}${name}`, type: 'counter', help, labels: L };
}

function detected(type: string, how: string): StatDef {
  return c(`ejections_detected_${type}`, `Outliers detected by ${how} (ejected or not)`);
}

function enforced(type: string, how: string): StatDef {
  return c(`ejections_enforced_${type}`, `Hosts ejected after ${how} detection`);
}

const CONSECUTIVE_5XX = 'consecutive 5xx';
const GATEWAY = 'consecutive gateway failure';
const LOCAL = 'consecutive local-origin failure';
const SR = 'success rate';
const LOCAL_SR = 'local-origin success rate';
const FP = 'failure percentage';
const LOCAL_FP = 'local-origin failure percentage';

/**
 * `cluster.<name>.outlier_detection.*` with Envoy's stat names (the local-origin failure
 * percentage pair is `…_local_origin_failure_percentage`, as in outlier_detection_impl.h).
 * Spread into the cluster table so they share its label and its removal with the cluster.
 */
export const OUTLIER_DETECTION = {
  outlierEjectionsActive: {
    name: `${PREFIX}ejections_active`,
    type: 'gauge',
    help: 'Hosts currently ejected by outlier detection',
    labels: L,
  },
  outlierEjectionsOverflow: c('ejections_overflow', 'Ejections not done because of max_ejection_percent'),
  outlierEjectionsEnforcedTotal: c('ejections_enforced_total', 'Hosts ejected by outlier detection'),
  outlierEnforcedConsecutive5xx: enforced('consecutive_5xx', CONSECUTIVE_5XX),
  outlierDetectedConsecutive5xx: detected('consecutive_5xx', CONSECUTIVE_5XX),
  outlierEnforcedGateway: enforced('consecutive_gateway_failure', GATEWAY),
  outlierDetectedGateway: detected('consecutive_gateway_failure', GATEWAY),
  outlierEnforcedLocal: enforced('consecutive_local_origin_failure', LOCAL),
  outlierDetectedLocal: detected('consecutive_local_origin_failure', LOCAL),
  outlierEnforcedSuccessRate: enforced('success_rate', SR),
  outlierDetectedSuccessRate: detected('success_rate', SR),
  outlierEnforcedLocalSuccessRate: enforced('local_origin_success_rate', LOCAL_SR),
  outlierDetectedLocalSuccessRate: detected('local_origin_success_rate', LOCAL_SR),
  outlierEnforcedFailurePercentage: enforced('failure_percentage', FP),
  outlierDetectedFailurePercentage: detected('failure_percentage', FP),
  outlierEnforcedLocalFailurePercentage: enforced('local_origin_failure_percentage', LOCAL_FP),
  outlierDetectedLocalFailurePercentage: detected('local_origin_failure_percentage', LOCAL_FP),
} as const satisfies Record<string, StatDef>;

/** Binds one cluster's outlier detection cells (label values `[clusterName]`). */
export function bindOutlierDetectionStats(f: Families, v: readonly string[]): OutlierDetectionStats {
  const o = OUTLIER_DETECTION;
  return {
    ejectionsActive: f.gauge(o.outlierEjectionsActive, v),
    ejectionsOverflow: f.counter(o.outlierEjectionsOverflow, v),
    ejectionsEnforcedTotal: f.counter(o.outlierEjectionsEnforcedTotal, v),
    ejectionsEnforcedConsecutive5xx: f.counter(o.outlierEnforcedConsecutive5xx, v),
    ejectionsDetectedConsecutive5xx: f.counter(o.outlierDetectedConsecutive5xx, v),
    ejectionsEnforcedConsecutiveGatewayFailure: f.counter(o.outlierEnforcedGateway, v),
    ejectionsDetectedConsecutiveGatewayFailure: f.counter(o.outlierDetectedGateway, v),
    ejectionsEnforcedConsecutiveLocalOriginFailure: f.counter(o.outlierEnforcedLocal, v),
    ejectionsDetectedConsecutiveLocalOriginFailure: f.counter(o.outlierDetectedLocal, v),
    ejectionsEnforcedSuccessRate: f.counter(o.outlierEnforcedSuccessRate, v),
    ejectionsDetectedSuccessRate: f.counter(o.outlierDetectedSuccessRate, v),
    ejectionsEnforcedLocalOriginSuccessRate: f.counter(o.outlierEnforcedLocalSuccessRate, v),
    ejectionsDetectedLocalOriginSuccessRate: f.counter(o.outlierDetectedLocalSuccessRate, v),
    ejectionsEnforcedFailurePercentage: f.counter(o.outlierEnforcedFailurePercentage, v),
    ejectionsDetectedFailurePercentage: f.counter(o.outlierDetectedFailurePercentage, v),
    ejectionsEnforcedLocalOriginFailurePercentage: f.counter(o.outlierEnforcedLocalFailurePercentage, v),
    ejectionsDetectedLocalOriginFailurePercentage: f.counter(o.outlierDetectedLocalFailurePercentage, v),
  };
}
