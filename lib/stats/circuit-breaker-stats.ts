import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';
import type { CircuitBreakerStats } from './types.js';

const L = ['envoy_cluster_name'] as const;

type Field = keyof CircuitBreakerStats;

/** Envoy's gauge suffixes under `cluster.<name>.circuit_breakers.<priority>.`, by owning field. */
const GAUGES: ReadonlyArray<readonly [Field, string, string]> = [
  ['cxOpen', 'cx_open', 'max_connections reached (1 open, 0 closed)'],
  ['cxPoolOpen', 'cx_pool_open', 'max_connection_pools reached (1 open, 0 closed)'],
  ['rqPendingOpen', 'rq_pending_open', 'max_pending_requests reached (1 open, 0 closed)'],
  ['rqOpen', 'rq_open', 'max_requests reached (1 open, 0 closed)'],
  ['rqRetryOpen', 'rq_retry_open', 'max_retries reached (1 open, 0 closed)'],
  ['remainingCx', 'remaining_cx', 'Connections left before max_connections (track_remaining)'],
  [
    'remainingPending',
    'remaining_pending',
    'Pending requests left before max_pending_requests (track_remaining)',
  ],
  ['remainingRq', 'remaining_rq', 'Requests left before max_requests (track_remaining)'],
  [
    'remainingRetries',
    'remaining_retries',
    'Retries left before max_retries; 0 with a retry budget (track_remaining)',
  ],
];

const REMAINING: ReadonlySet<Field> = new Set([
  'remainingCx',
  'remainingPending',
  'remainingRq',
  'remainingRetries',
]);

function defsFor(priority: 'default' | 'high'): Map<Field, StatDef> {
  const out = new Map<Field, StatDef>();
  for (const [field, suffix, help] of GAUGES) {
    out.set(field, {
      name: `envoy_cluster_circuit_breakers_${priority}_${suffix}`,
      type: 'gauge',
      help: `${priority === 'default' ? 'DEFAULT' : 'HIGH'} priority: ${help}`,
      labels: L,
    });
  }
  return out;
}

const DEFAULT_DEFS = defsFor('default');
const HIGH_DEFS = defsFor('high');

/** Every circuit-breaker gauge family (both priorities), for declaration and removal. */
export const CIRCUIT_BREAKER_STATS: readonly StatDef[] = [...DEFAULT_DEFS.values(), ...HIGH_DEFS.values()];

/** Binds one cluster's gauges at one priority; the `remaining_*` series only with track_remaining. */
export function bindCircuitBreakerStats(
  f: Families,
  cluster: string,
  priority: 'DEFAULT' | 'HIGH',
  trackRemaining: boolean,
): CircuitBreakerStats {
  const defs = priority === 'HIGH' ? HIGH_DEFS : DEFAULT_DEFS;
  const v = [cluster];
  const gauge = (field: Field) =>
    REMAINING.has(field) && !trackRemaining ? null : f.gauge(defs.get(field)!, v);
  return {
    cxOpen: gauge('cxOpen')!,
    cxPoolOpen: gauge('cxPoolOpen')!,
    rqPendingOpen: gauge('rqPendingOpen')!,
    rqOpen: gauge('rqOpen')!,
    rqRetryOpen: gauge('rqRetryOpen')!,
    remainingCx: gauge('remainingCx'),
    remainingPending: gauge('remainingPending'),
    remainingRq: gauge('remainingRq'),
    remainingRetries: gauge('remainingRetries'),
  };
}
