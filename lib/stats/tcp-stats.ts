import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';
import type { TcpProxyStats } from './types.js';

const L = ['envoy_tcp_prefix'] as const;

function c(name: string, help: string): StatDef & { readonly type: 'counter' } {
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
export function bindTcpStats(f: Families, prefix: string): TcpProxyStats {
  return f.bindTable(TCP, [prefix]);
}
