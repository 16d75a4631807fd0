import type { Counter, Gauge } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';

const L = ['envoy_http_conn_manager_prefix'] as const;

/**
 * `http.<stat_prefix>.fault.*` (Envoy's fault filter). Envoy's default tag extractor takes the
 * HCM prefix out as `envoy_http_conn_manager_prefix`, leaving `envoy_http_fault_<stat>`.
 */
export const FAULT = {
  delaysInjected: {
    name: 'envoy_http_fault_delays_injected',
    type: 'counter',
    help: 'Requests the fault filter delayed',
    labels: L,
  },
  abortsInjected: {
    name: 'envoy_http_fault_aborts_injected',
    type: 'counter',
    help: 'Requests the fault filter aborted',
    labels: L,
  },
  faultsOverflow: {
    name: 'envoy_http_fault_faults_overflow',
    type: 'counter',
    help: 'Faults not injected because max_active_faults was reached',
    labels: L,
  },
  activeFaults: {
    name: 'envoy_http_fault_active_faults',
    type: 'gauge',
    help: 'Faults (delays or aborts) active now',
    labels: L,
  },
} as const satisfies Record<string, StatDef>;

export const FAULT_STATS: readonly StatDef[] = Object.values(FAULT);

/** One connection manager's fault cells. `activeFaults.value` is read for max_active_faults. */
export interface FaultStats {
  readonly delaysInjected: Counter;
  readonly abortsInjected: Counter;
  readonly faultsOverflow: Counter;
  readonly activeFaults: Gauge;
}

export function bindFaultStats(f: Families, statPrefix: string): FaultStats {
  return f.bindTable(FAULT, [statPrefix]);
}
