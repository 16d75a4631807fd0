import type { OutlierDetectionConfig } from '../config/model.js';
import type { CounterCell, OutlierDetectionStats } from '../stats/types.js';

/** Envoy's OutlierEjectionType: why a host was found to be an outlier. Indexes the tables below. */
export const EjectionType = {
  Consecutive5xx: 0,
  ConsecutiveGatewayFailure: 1,
  ConsecutiveLocalOriginFailure: 2,
  SuccessRate: 3,
  LocalOriginSuccessRate: 4,
  FailurePercentage: 5,
  LocalOriginFailurePercentage: 6,
} as const;
export type EjectionType = (typeof EjectionType)[keyof typeof EjectionType];

/** Per-type cells and enforcing percentages, looked up by EjectionType without branching. */
export interface EjectionTables {
  readonly detected: readonly CounterCell[];
  readonly enforced: readonly CounterCell[];
  readonly enforcingPercent: readonly number[];
}

export function ejectionTables(cfg: OutlierDetectionConfig, s: OutlierDetectionStats): EjectionTables {
  return {
    detected: [
      s.ejectionsDetectedConsecutive5xx,
      s.ejectionsDetectedConsecutiveGatewayFailure,
      s.ejectionsDetectedConsecutiveLocalOriginFailure,
      s.ejectionsDetectedSuccessRate,
      s.ejectionsDetectedLocalOriginSuccessRate,
      s.ejectionsDetectedFailurePercentage,
      s.ejectionsDetectedLocalOriginFailurePercentage,
    ],
    enforced: [
      s.ejectionsEnforcedConsecutive5xx,
      s.ejectionsEnforcedConsecutiveGatewayFailure,
      s.ejectionsEnforcedConsecutiveLocalOriginFailure,
      s.ejectionsEnforcedSuccessRate,
      s.ejectionsEnforcedLocalOriginSuccessRate,
      s.ejectionsEnforcedFailurePercentage,
      s.ejectionsEnforcedLocalOriginFailurePercentage,
    ],
    enforcingPercent: [
      cfg.enforcingConsecutive5xx,
      cfg.enforcingConsecutiveGatewayFailure,
      cfg.enforcingConsecutiveLocalOriginFailure,
      cfg.enforcingSuccessRate,
      cfg.enforcingLocalOriginSuccessRate,
      cfg.enforcingFailurePercentage,
      cfg.enforcingFailurePercentageLocalOrigin,
    ],
  };
}
