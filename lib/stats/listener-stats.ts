import type { Counter, Gauge } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';
import type { ListenerStats } from './types.js';

const L = ['envoy_listener_address'] as const;

/** `listener.<address>.*` stats, keyed by owning field. */
export const LISTENER = {
  downstreamCxTotal: {
    name: 'envoy_listener_downstream_cx_total',
    type: 'counter',
    help: 'Total connections accepted by the listener',
    labels: L,
  },
  downstreamCxActive: {
    name: 'envoy_listener_downstream_cx_active',
    type: 'gauge',
    help: 'Connections currently open on the listener',
    labels: L,
  },
} as const satisfies Record<string, StatDef>;

export const LISTENER_STATS: readonly StatDef[] = Object.values(LISTENER);

/**
 * Envoy's stat name for a listener: the address with `:` turned into `_` (the stats tokenizer
 * reserves `:`), so `0.0.0.0:15001` → `0.0.0.0_15001` and `[::]:80` → `[__]_80`.
 */
export function listenerStatAddress(address: string, port: number): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `${host}:${port}`.replaceAll(':', '_');
}

/** One listener's cells. */
export class BoundListenerStats implements ListenerStats {
  readonly downstreamCxTotal: Counter;
  readonly downstreamCxActive: Gauge;

  constructor(f: Families, statAddress: string) {
    const v = [statAddress];
    this.downstreamCxTotal = f.counter(LISTENER.downstreamCxTotal, v);
    this.downstreamCxActive = f.gauge(LISTENER.downstreamCxActive, v);
  }
}
