/**
 * Istio's TCP metrics of one listener side, as `istio_stats.cc` reports them for TCP: a
 * connection's labels are fixed when it is first reported (once the metadata exchange is done,
 * else at close); its byte counters grow by deltas every report interval and at close. One
 * timer per reporter walks the open connections (none per connection), armed only while some
 * are open.
 */
import type {
  TcpConnectionObserver,
  TcpObserverFactory,
  TcpSessionView,
} from '../../tcp/tcp-session-view.js';
import { type Scheduler, systemScheduler, type TimerHandle, type TimerTarget } from '../../util/scheduler.js';
import type { IstioPeerView } from './istio-reporter.js';
import { ISTIO_TCP_LABELS, type IstioStats, type IstioTcpCells, L } from './istio-stats.js';
import { LabelCellCache } from './label-cell-cache.js';
import { type ServiceLabels, tcpServiceLabels } from './service-labels.js';
import { exchangePreamble } from './tcp-metadata-exchange.js';
import type { ProxyWorkload } from './workload-facts.js';

/** Istio's `tcp_reporting_duration` as its config documents it (15 s). */
export const TCP_REPORT_INTERVAL_MS = 15_000;

const MAX_CACHED = 4096;

/** Where a TCP reporter gets the labels it shares with the HTTP side (the IstioReporter). */
export interface PeerLabelSource {
  /** Fills the peer workload, principal and security-policy labels (ISTIO_LABELS order). */
  fillPeerLabels(v: string[], s: IstioPeerView): void;
  /** Envoy's short response-flag text for a bitmask. */
  flagText(flags: number): string;
}

/** Timing of the periodic byte reports; injected by tests. */
export interface TcpReportOptions {
  readonly scheduler?: Scheduler;
  /** Milliseconds between byte reports; default TCP_REPORT_INTERVAL_MS. */
  readonly intervalMs?: number;
}

const OPEN = 0;
const REPORTED = 1;
const CLOSED = 2;

/** Index in ISTIO_LABELS of each TCP label, in ISTIO_TCP_LABELS order. */
const TCP_INDEX: readonly number[] = ISTIO_TCP_LABELS.map((n) => L[n]);

/** One observed connection: a node of the reporter's list of open connections. */
class TcpConnectionStats implements TcpConnectionObserver {
  state = OPEN;
  cells: IstioTcpCells | null = null;
  /** Byte counts already added to the counters. */
  sent = 0;
  received = 0;
  prev: TcpConnectionStats | null = null;
  next: TcpConnectionStats | null = null;

  constructor(
    readonly owner: IstioTcpReporter,
    readonly view: TcpSessionView,
  ) {}

  opened(): void {
    if (this.state !== OPEN) return;
    this.state = REPORTED;
    const cells = this.owner.cellsFor(this.view);
    this.cells = cells;
    cells.opened.inc();
  }

  closed(): void {
    if (this.state === CLOSED) return;
    // Never opened (connect failure, no exchange): Istio counts the open at close.
    if (this.state === OPEN) this.opened();
    this.state = CLOSED;
    this.report();
    this.cells!.closed.inc();
    this.owner.unlink(this);
  }

  /** Adds the bytes moved since the last report. */
  report(): void {
    const cells = this.cells!;
    const v = this.view;
    const sent = v.bytesSent;
    const received = v.bytesReceived;
    if (sent > this.sent) cells.sentBytes.inc(sent - this.sent);
    if (received > this.received) cells.receivedBytes.inc(received - this.received);
    this.sent = sent;
    this.received = received;
  }
}

/** Istio's TCP metrics for one listener side; the IstioReporter of that side owns it. */
export class IstioTcpReporter implements TcpObserverFactory, TimerTarget {
  private readonly outbound: boolean;
  private readonly values: string[];
  private readonly cells: LabelCellCache<IstioTcpCells>;
  private readonly services = new Map<string, ServiceLabels>();
  private readonly scheduler: Scheduler;
  private readonly intervalMs: number;
  private timer: TimerHandle | null = null;
  private head: TcpConnectionStats | null = null;
  private openCount = 0;
  private preamble: Buffer | null = null;

  /** `template`: a values array in ISTIO_LABELS order with the reporter and our own side set. */
  constructor(
    stats: IstioStats,
    private readonly self: ProxyWorkload,
    private readonly peerLabels: PeerLabelSource,
    reporter: 'source' | 'destination',
    template: readonly string[],
    opts: TcpReportOptions = {},
  ) {
    this.outbound = reporter === 'source';
    this.values = template.slice();
    this.values[L.request_protocol] = 'tcp';
    this.cells = new LabelCellCache(TCP_INDEX, (v) => stats.bindTcp(TCP_INDEX.map((i) => v[i]!)));
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.intervalMs = opts.intervalMs ?? TCP_REPORT_INTERVAL_MS;
  }

  /** Our `istio-peer-exchange` preamble, built on first use and then written as is. */
  get exchangePreamble(): Buffer {
    this.preamble ??= exchangePreamble(this.self);
    return this.preamble;
  }

  /** Connections observed and not yet closed. */
  get openConnections(): number {
    return this.openCount;
  }

  /** A new TCP session: call `opened()` once the exchange is done or skipped, `closed()` at the end. */
  observe(view: TcpSessionView): TcpConnectionObserver {
    const c = new TcpConnectionStats(this, view);
    c.next = this.head;
    if (this.head !== null) this.head.prev = c;
    this.head = c;
    if (this.openCount++ === 0) this.timer = this.scheduler.schedule(this.intervalMs, this);
    return c;
  }

  /** The periodic report: byte deltas of every connection already counted as opened. */
  onTimer(): void {
    this.timer = null;
    for (let c = this.head; c !== null; c = c.next) if (c.state === REPORTED) c.report();
    if (this.openCount > 0) this.timer = this.scheduler.schedule(this.intervalMs, this);
  }

  /** @internal A closed connection leaves the list; the timer stops with the last one. */
  unlink(c: TcpConnectionStats): void {
    if (c.prev !== null) c.prev.next = c.next;
    else this.head = c.next;
    if (c.next !== null) c.next.prev = c.prev;
    c.prev = null;
    c.next = null;
    if (--this.openCount === 0 && this.timer !== null) {
      this.scheduler.cancel(this.timer);
      this.timer = null;
    }
  }

  /** @internal The cells for a connection's labels as they are now (bound once per combination). */
  cellsFor(view: TcpSessionView): IstioTcpCells {
    const v = this.values;
    this.peerLabels.fillPeerLabels(v, view);
    const svc = this.service(view.upstreamCluster);
    v[L.destination_service] = svc.service;
    v[L.destination_service_name] = svc.name;
    v[L.destination_service_namespace] = svc.namespace;
    v[L.response_flags] = this.peerLabels.flagText(view.responseFlags);
    return this.cells.get(v);
  }

  private service(cluster: string | null): ServiceLabels {
    const k = cluster ?? '';
    let svc = this.services.get(k);
    if (svc === undefined) {
      svc = tcpServiceLabels(cluster, this.outbound, this.self.canonicalService, this.self.namespace);
      if (this.services.size >= MAX_CACHED) this.services.clear();
      this.services.set(k, svc);
    }
    return svc;
  }
}
