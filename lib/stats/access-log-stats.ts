import type { Counter } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';

// Envoy has no such stat: its file logger makes the worker wait on a full buffer instead.
export const ACCESS_LOG = {
  dropped: {
    name: 'skiff_access_log_dropped_total',
    type: 'counter',
    help: 'Access-log lines dropped because the destination was not draining (slow pipe, stalled disk) or had failed',
    labels: [],
  },
} as const satisfies Record<string, StatDef>;

export const ACCESS_LOG_STATS: readonly StatDef[] = Object.values(ACCESS_LOG);

/** The access-log sinks' shared drop counter. */
export function bindAccessLogStats(f: Families): Counter {
  f.declare(ACCESS_LOG_STATS);
  return f.counter(ACCESS_LOG.dropped, []);
}
