import type { Counter, Gauge, Histogram } from './cells.js';
import type { Families } from './families.js';
import { ResponseCodeCells } from './response-code-cells.js';
import type { StatDef } from './stat-def.js';
import type { HttpConnectionManagerStats } from './types.js';

const L = ['envoy_http_conn_manager_prefix'] as const;

function c(name: string, help: string): StatDef {
  return { name: `envoy_http_${name}`, type: 'counter', help, labels: L };
}
function g(name: string, help: string): StatDef {
  return { name: `envoy_http_${name}`, type: 'gauge', help, labels: L };
}

/** `http.<stat_prefix>.*` stats (connection manager and router), keyed by owning field. */
export const HTTP = {
  downstreamCxTotal: c('downstream_cx_total', 'Total downstream connections'),
  downstreamCxActive: g('downstream_cx_active', 'Downstream connections currently open'),
  downstreamCxProtocolError: c(
    'downstream_cx_protocol_error',
    'Downstream connections closed on a protocol error',
  ),
  downstreamRqTotal: c('downstream_rq_total', 'Total downstream requests'),
  downstreamRqActive: g('downstream_rq_active', 'Downstream requests currently in flight'),
  downstreamRqTime: {
    name: 'envoy_http_downstream_rq_time',
    type: 'histogram',
    help: 'Downstream request time, first byte received to last byte sent (ms)',
    labels: L,
  },
  downstreamRqRxReset: c('downstream_rq_rx_reset', 'Downstream requests reset by the client'),
  downstreamRqTxReset: c('downstream_rq_tx_reset', 'Downstream requests reset by the proxy'),
  noRoute: c('no_route', 'Requests that matched no route (404 NR)'),
  noCluster: c('no_cluster', 'Requests whose route named an unknown cluster (NC)'),
  rqDirectResponse: c('rq_direct_response', 'Requests answered by a direct_response route'),
  rqRedirect: c('rq_redirect', 'Requests answered by a redirect route'),
  downstreamRqByClass: {
    name: 'envoy_http_downstream_rq_xx',
    type: 'counter',
    help: 'Downstream responses by status class (Envoy downstream_rq_<N>xx)',
    labels: ['envoy_response_code_class', 'envoy_http_conn_manager_prefix'],
  },
  downstreamRqCompleted: c('downstream_rq_completed', 'Downstream requests that completed with a response'),
} as const satisfies Record<string, StatDef>;

export const HTTP_STATS: readonly StatDef[] = Object.values(HTTP);

/** One connection manager's cells, bound once per stat_prefix. */
export class BoundHttpStats implements HttpConnectionManagerStats {
  readonly downstreamCxTotal: Counter;
  readonly downstreamCxActive: Gauge;
  readonly downstreamCxProtocolError: Counter;
  readonly downstreamRqTotal: Counter;
  readonly downstreamRqActive: Gauge;
  readonly downstreamRqTime: Histogram;
  readonly downstreamRqRxReset: Counter;
  readonly downstreamRqTxReset: Counter;
  readonly noRoute: Counter;
  readonly noCluster: Counter;
  readonly rqDirectResponse: Counter;
  readonly rqRedirect: Counter;
  private readonly completed: Counter;
  private readonly codes: ResponseCodeCells;

  constructor(f: Families, prefix: string) {
    const v = [prefix];
    this.downstreamCxTotal = f.counter(HTTP.downstreamCxTotal, v);
    this.downstreamCxActive = f.gauge(HTTP.downstreamCxActive, v);
    this.downstreamCxProtocolError = f.counter(HTTP.downstreamCxProtocolError, v);
    this.downstreamRqTotal = f.counter(HTTP.downstreamRqTotal, v);
    this.downstreamRqActive = f.gauge(HTTP.downstreamRqActive, v);
    this.downstreamRqTime = f.histogram(HTTP.downstreamRqTime, v);
    this.downstreamRqRxReset = f.counter(HTTP.downstreamRqRxReset, v);
    this.downstreamRqTxReset = f.counter(HTTP.downstreamRqTxReset, v);
    this.noRoute = f.counter(HTTP.noRoute, v);
    this.noCluster = f.counter(HTTP.noCluster, v);
    this.rqDirectResponse = f.counter(HTTP.rqDirectResponse, v);
    this.rqRedirect = f.counter(HTTP.rqRedirect, v);
    this.completed = f.counter(HTTP.downstreamRqCompleted, v);
    this.codes = new ResponseCodeCells(null, (cls) =>
      f.counter(HTTP.downstreamRqByClass, [String(cls), prefix]),
    );
  }

  recordResponse(statusCode: number): void {
    this.completed.inc();
    this.codes.record(statusCode);
  }
}
