import type { Counter } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';
import type { TcpProxyStats } from './types.js';

const L = ['envoy_tcp_prefix'] as const;

function c(name: string, help: string): StatDef {
  return { name: `envoy_tcp_${name}`, type: 'counter', help, labels: L };
}

/** `tcp.<stat_prefix>.*` stats of the tcp_proxy network filter, keyed by owning field. */
export const TCP = {
  downstreamCxTotal: c('downstream_cx_total', 'Total connections handled by the tcp_proxy'),
  downstreamCxNoRoute: c(
    'downstream_cx_no_route',
    'Connections closed because their cluster was not found (NC)',
  ),
  downstreamCxRxBytesTotal: c('downstream_cx_rx_bytes_total', 'Bytes received from downstream'),
  downstreamCxTxBytesTotal: c('downstream_cx_tx_bytes_total', 'Bytes sent to downstream'),
  idleTimeout: c('idle_timeout', 'Connections closed by the idle timeout'),
  maxDownstreamConnectionDuration: c(
    'max_downstream_connection_duration',
    'Connections closed by max_downstream_connection_duration',
  ),
} as const satisfies Record<string, StatDef>;

export const TCP_STATS: readonly StatDef[] = Object.values(TCP);

/** One tcp_proxy stat_prefix's cells, bound once and shared by every chain using the prefix. */
export class BoundTcpStats implements TcpProxyStats {
  readonly downstreamCxTotal: Counter;
  readonly downstreamCxNoRoute: Counter;
  readonly downstreamCxRxBytesTotal: Counter;
  readonly downstreamCxTxBytesTotal: Counter;
  readonly idleTimeout: Counter;
  readonly maxDownstreamConnectionDuration: Counter;

  constructor(f: Families, prefix: string) {
    const v = [prefix];
    this.downstreamCxTotal = f.counter(TCP.downstreamCxTotal, v);
    this.downstreamCxNoRoute = f.counter(TCP.downstreamCxNoRoute, v);
    this.downstreamCxRxBytesTotal = f.counter(TCP.downstreamCxRxBytesTotal, v);
    this.downstreamCxTxBytesTotal = f.counter(TCP.downstreamCxTxBytesTotal, v);
    this.idleTimeout = f.counter(TCP.idleTimeout, v);
    this.maxDownstreamConnectionDuration = f.counter(TCP.maxDownstreamConnectionDuration, v);
  }
}
