/**
 * Istio's standard HTTP metrics (`istio.stats` filter): names, label order and types as
 * `istio_stats.cc` exposes them, without Envoy's `envoy_` prefix.
 */
import type { BoundTable, Families } from '../families.js';
import type { StatDef } from '../stat-def.js';

/** Label names in Istio's exposition order. */
export const ISTIO_LABELS = [
  'reporter',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;

/** Index of each label in a values array. */
export const L = Object.fromEntries(ISTIO_LABELS.map((n, i) => [n, i])) as {
  readonly [K in (typeof ISTIO_LABELS)[number]]: number;
};

export const ISTIO = {
  requests: {
    name: 'istio_requests_total',
    type: 'counter',
    help: 'Requests, counted at stream end',
    labels: ISTIO_LABELS,
  },
  duration: {
    name: 'istio_request_duration_milliseconds',
    type: 'histogram',
    help: 'Request duration, first request byte to last response byte (ms)',
    labels: ISTIO_LABELS,
  },
  requestBytes: {
    name: 'istio_request_bytes',
    type: 'histogram',
    help: 'Request size: request line, headers and body received from downstream (bytes)',
    labels: ISTIO_LABELS,
  },
  responseBytes: {
    name: 'istio_response_bytes',
    type: 'histogram',
    help: 'Response size: status line, headers and body sent downstream (bytes)',
    labels: ISTIO_LABELS,
  },
} as const satisfies Record<string, StatDef>;

/**
 * TCP connections carry Istio's labels without `response_code` and `grpc_response_status`
 * (`istio_stats.cc` pushes those only for HTTP), in the same order.
 */
export const ISTIO_TCP_LABELS = ISTIO_LABELS.filter(
  (n) => n !== 'response_code' && n !== 'grpc_response_status',
);

/** Istio's TCP metrics: bytes reported periodically as deltas and at close. */
export const ISTIO_TCP = {
  sentBytes: {
    name: 'istio_tcp_sent_bytes_total',
    type: 'counter',
    help: 'Bytes sent to the downstream peer on TCP connections, reported periodically and at close',
    labels: ISTIO_TCP_LABELS,
  },
  receivedBytes: {
    name: 'istio_tcp_received_bytes_total',
    type: 'counter',
    help: 'Bytes received from the downstream peer on TCP connections, reported periodically and at close',
    labels: ISTIO_TCP_LABELS,
  },
  opened: {
    name: 'istio_tcp_connections_opened_total',
    type: 'counter',
    help: 'TCP connections opened, counted once the peer metadata exchange is done (else at close)',
    labels: ISTIO_TCP_LABELS,
  },
  closed: {
    name: 'istio_tcp_connections_closed_total',
    type: 'counter',
    help: 'TCP connections closed',
    labels: ISTIO_TCP_LABELS,
  },
} as const satisfies Record<string, StatDef>;

export const ISTIO_BUILD: StatDef = {
  name: 'istio_build',
  type: 'gauge',
  help: 'Istio component build info',
  labels: ['component', 'tag'],
};

/** Every Istio family, for docs/stats.md. */
export const ISTIO_STATS: readonly StatDef[] = [
  ...Object.values(ISTIO),
  ...Object.values(ISTIO_TCP),
  ISTIO_BUILD,
];

/** The four cells of one label combination. */
export type IstioCells = BoundTable<typeof ISTIO>;

/** The four TCP cells of one label combination. */
export type IstioTcpCells = BoundTable<typeof ISTIO_TCP>;

/** Binds Istio's families; declared on first use so Envoy-mode Skiff does not expose them. */
export class IstioStats {
  constructor(
    private readonly f: Families,
    tag: string,
  ) {
    f.declare(ISTIO_STATS);
    f.gauge(ISTIO_BUILD, ['proxy', tag]).set(1);
  }

  /** The cells for one full set of label values (in ISTIO_LABELS order); bind time only. */
  bind(values: readonly string[]): IstioCells {
    return this.f.bindTable(ISTIO, values);
  }

  /** The TCP cells for one set of label values in ISTIO_TCP_LABELS order; bind time only. */
  bindTcp(values: readonly string[]): IstioTcpCells {
    return this.f.bindTable(ISTIO_TCP, values);
  }
}
