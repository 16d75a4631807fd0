/**
 * One downstream connection of a tcp_proxy (Envoy's TcpProxy::Filter): picks a cluster and a
 * host, dials it (retrying other hosts up to max_connect_attempts), then copies bytes both ways
 * with back-pressure and half-close. The object is the session view observers read and the
 * access-log record written at close, so a connection allocates nothing else per chunk.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { AccessLogRecord } from '../accesslog/record.js';
import { ResponseFlag } from '../accesslog/response-flags.js';
import { ANY_HOST, type Cluster, type Host, OutlierResult } from '../cluster/types.js';
import {
  type ExchangeResult,
  PEER_EXCHANGE_ALPN,
  PeerExchangeReader,
} from '../stats/istio/tcp-metadata-exchange.js';
import type { WorkloadFacts } from '../stats/istio/workload-facts.js';
import type { DownstreamTlsInfo } from '../tls/types.js';
import {
  countConnectFailure,
  countConnectionClosed,
  countConnectionOpened,
} from '../upstream/connection-stats.js';
import { socketAddress } from '../upstream/socket-address.js';
import { upstreamTlsIdentity } from '../upstream/tls-identity.js';
import type { TimerHandle, TimerTarget } from '../util/scheduler.js';
import type { TcpProxyRuntime } from './tcp-proxy-runtime.js';
import type { TcpConnectionObserver, TcpSessionView } from './tcp-session-view.js';

/** Destroys `s` with a TCP RST where the socket type allows it, so a reset reaches the peer as one. */
function reset(s: Socket): void {
  if (!(s instanceof TLSSocket) && !s.destroyed && typeof s.resetAndDestroy === 'function')
    s.resetAndDestroy();
  else s.destroy();
}

/** A proxied TCP connection from accept to both sides closed. */
export class TcpSession implements TcpSessionView, AccessLogRecord, TimerTarget {
  readonly startTimeMs: number;
  readonly downstreamRemoteAddress: string | null;
  readonly downstreamLocalAddress: string | null;
  readonly requestedServerName: string | null;
  upstreamCluster: string | null = null;
  upstreamHost: string | null = null;
  upstreamLocalAddress: string | null = null;
  upstreamPeerUriSan = '';
  upstreamLocalUriSan = '';
  upstreamAlpn = '';
  upstreamTransportFailureReason: string | null = null;
  responseFlags = 0;
  bytesReceived = 0;
  bytesSent = 0;
  durationMs: number | null = null;
  istioPeer: WorkloadFacts | null = null;
  readonly protocol = '';
  readonly responseCode = 0;
  readonly responseDurationMs = null;
  readonly responseCodeDetails = null;
  connectionTerminationDetails: string | null = null;
  readonly routeName = null;

  private readonly startMono: number;
  private cluster: Cluster | null = null;
  private host: Host | null = null;
  private up: Socket | null = null;
  /** Downstream bytes read while the upstream is being dialled; null once connected. */
  private pending: Buffer[] | null = [];
  private pendingBytes = 0;
  private attempts = 0;
  private tried: Set<Host> | null = null;
  private connecting = false;
  /** Holds one of the cluster's max_connections from dial to upstream close. */
  private holdsConnection = false;
  private connectStart = 0;
  private connectedAt = 0;
  private downEnded = false;
  private upEnded = false;
  private downClosed = false;
  private upClosed = false;
  private finished = false;
  private lastActivity: number;
  private timer: TimerHandle | null = null;
  private idleArmed = false;
  private observer: TcpConnectionObserver | null = null;
  /** Istio's metadata exchange: the peer's preamble being read on that side; null = none (or done). */
  private downExchange: PeerExchangeReader | null = null;
  private upExchange: PeerExchangeReader | null = null;
  /** `opened()` waits for the upstream and for the peer's preamble (when one is expected). */
  private openPending = true;

  constructor(
    private readonly rt: TcpProxyRuntime,
    private readonly down: Socket,
    readonly downstreamTls: DownstreamTlsInfo | null,
  ) {
    this.startTimeMs = rt.clock.wallNow();
    this.startMono = rt.clock.now();
    this.lastActivity = this.startMono;
    this.downstreamRemoteAddress = socketAddress(down.remoteAddress, down.remotePort);
    this.downstreamLocalAddress = socketAddress(down.localAddress, down.localPort);
    const sni = (down as Partial<TLSSocket>).servername;
    this.requestedServerName = typeof sni === 'string' && sni !== '' ? sni : null;
  }

  /** Takes the downstream over and starts dialling. */
  start(): void {
    const rt = this.rt;
    const down = this.down;
    rt.stats.downstreamCxTotal.inc();
    down.on('data', this.onDownData);
    down.on('end', this.onDownEnd);
    down.on('error', this.onError);
    down.on('close', this.onDownClose);
    down.on('drain', this.onDownDrain);
    down.setNoDelay(true);
    // Observed before authorization: Istio's stats filter sees connections RBAC then closes, so
    // denied ones are counted (opened and closed) too.
    this.observer = rt.observers?.observe(this) ?? null;
    // Envoy checks on the first byte; checking now is stricter and covers server-first protocols.
    const rbac = rt.networkRbac;
    if (rbac !== null) {
      const denied = rbac.check(down, this.downstreamTls);
      if (denied !== null) {
        this.connectionTerminationDetails = denied;
        down.destroy();
        return;
      }
    }
    down.resume();
    // Server side of the exchange: ours goes out at once (server-first apps must not wait for the
    // client's bytes), the client's is stripped before anything reaches the app.
    const preamble = rt.observers?.exchangePreamble;
    if (preamble !== undefined && this.downstreamTls?.alpn === PEER_EXCHANGE_ALPN) {
      down.write(preamble);
      this.downExchange = new PeerExchangeReader();
    }
    this.armTimer();
    const name = rt.picker.pick();
    const cluster = name === null ? undefined : rt.clusters.get(name);
    if (cluster === undefined) {
      this.responseFlags |= ResponseFlag.NoClusterFound;
      rt.stats.downstreamCxNoRoute.inc();
      down.destroy();
      return;
    }
    this.cluster = cluster;
    this.upstreamCluster = cluster.name;
    this.connect();
  }

  /** Closes both sides now (drain deadline, shutdown). */
  close(): void {
    this.down.destroy();
    this.up?.destroy();
  }

  requestHeader(): string | null {
    return null;
  }
  responseHeader(): string | null {
    return null;
  }
  responseTrailer(): string | null {
    return null;
  }

  // ─── upstream connect ──────────────────────────────────────────────────────────────────
  private connect(): void {
    const c = this.cluster!;
    const host = c.chooseHost(this.tried === null ? ANY_HOST : { hash: null, excluded: this.tried });
    if (host === null) {
      // chooseHost already counted upstream_cx_none_healthy.
      this.responseFlags |= ResponseFlag.NoHealthyUpstream;
      this.down.destroy();
      return;
    }
    const cx = c.resources('DEFAULT').connections;
    if (!cx.canCreate()) {
      this.responseFlags |= ResponseFlag.UpstreamOverflow;
      c.stats.upstreamCxOverflow.inc();
      this.down.destroy();
      return;
    }
    cx.inc();
    this.holdsConnection = true;
    this.host = host;
    this.upstreamHost = host.authority;
    this.attempts++;
    this.connecting = true;
    this.connectStart = this.rt.clock.now();
    if (host.connectRaw === undefined) this.onConnected(new Error('host cannot dial raw connections'), null);
    else host.connectRaw(this.onConnected);
  }

  private readonly onConnected = (err: Error | null, socket: Socket | null): void => {
    this.connecting = false;
    const c = this.cluster!;
    const host = this.host!;
    if (err !== null || socket === null) {
      this.releaseConnection();
      countConnectFailure(host.counters, c.stats, err);
      host.outlier.putResult(OutlierResult.LocalOriginConnectFailed);
      const reason = (err as { transportFailureReason?: unknown } | null)?.transportFailureReason;
      if (typeof reason === 'string') this.upstreamTransportFailureReason = reason;
      if (this.downClosed) {
        this.maybeFinish();
        return;
      }
      if (this.attempts < this.rt.config.maxConnectAttempts) {
        (this.tried ??= new Set()).add(host);
        this.connect();
        return;
      }
      this.responseFlags |= ResponseFlag.UpstreamConnectionFailure;
      if (this.attempts > 1) this.responseFlags |= ResponseFlag.UpstreamRetryLimitExceeded;
      this.down.destroy();
      return;
    }
    if (this.downClosed) {
      socket.destroy();
      this.releaseConnection();
      this.maybeFinish();
      return;
    }
    const now = this.rt.clock.now();
    countConnectionOpened(host.counters, c.stats, now - this.connectStart);
    host.outlier.putResult(OutlierResult.LocalOriginConnectSuccessFinal);
    this.connectedAt = now;
    this.lastActivity = now;
    this.up = socket;
    this.upstreamLocalAddress = socketAddress(socket.localAddress, socket.localPort);
    const id = upstreamTlsIdentity(socket);
    if (id !== null) {
      this.upstreamPeerUriSan = id.peerUriSan;
      this.upstreamLocalUriSan = id.localUriSan;
      const alpn = (socket as TLSSocket).alpnProtocol;
      this.upstreamAlpn = typeof alpn === 'string' ? alpn : '';
    }
    socket.on('data', this.onUpData);
    socket.on('end', this.onUpEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onUpClose);
    socket.on('drain', this.onUpDrain);
    const held = this.pending!;
    this.pending = null;
    const preamble = this.rt.observers?.exchangePreamble;
    // Client side of the exchange: ours precedes the app's bytes; the server's is read off the top.
    if (preamble !== undefined && this.upstreamAlpn === PEER_EXCHANGE_ALPN) {
      socket.write(preamble);
      this.upExchange = new PeerExchangeReader();
    }
    let ok = true;
    for (const b of held) {
      c.stats.upstreamCxTxBytesTotal?.inc(b.length);
      ok = socket.write(b);
    }
    if (this.downEnded) socket.end();
    else if (ok) this.down.resume();
    this.idleArmed = this.rt.config.idleTimeoutMs > 0;
    this.armTimer();
    this.maybeOpened();
  };

  /** Istio counts a connection opened once it is up and the peer's metadata (if any) was read. */
  private maybeOpened(): void {
    if (!this.openPending || this.up === null || this.downExchange !== null || this.upExchange !== null)
      return;
    this.openPending = false;
    this.observer?.opened();
  }

  /** The app bytes an exchange result releases (null = the connection is being closed). */
  private exchanged(r: ExchangeResult): readonly Buffer[] | null {
    if (r.kind === 'close') {
      this.close();
      return null;
    }
    if (r.kind === 'peer') {
      this.istioPeer = r.peer;
      return r.rest.length === 0 ? [] : [r.rest];
    }
    return r.data;
  }

  private releaseConnection(): void {
    if (!this.holdsConnection) return;
    this.holdsConnection = false;
    this.cluster!.resources('DEFAULT').connections.dec();
  }

  // ─── data path ─────────────────────────────────────────────────────────────────────────
  private readonly onDownData = (chunk: Buffer): void => {
    const mx = this.downExchange;
    if (mx === null) {
      this.forwardDown(chunk);
      return;
    }
    this.lastActivity = this.rt.clock.now();
    const r = mx.push(chunk);
    if (r !== null) this.downExchangeDone(r);
  };

  private downExchangeDone(r: ExchangeResult): void {
    this.downExchange = null;
    const app = this.exchanged(r);
    if (app !== null) for (const b of app) this.forwardDown(b);
    this.maybeOpened();
  }

  private upExchangeDone(r: ExchangeResult): void {
    this.upExchange = null;
    const app = this.exchanged(r);
    if (app !== null) for (const b of app) this.forwardUp(b);
    this.maybeOpened();
  }

  /** App bytes from downstream: held while dialling, else written upstream. */
  private forwardDown(chunk: Buffer): void {
    const n = chunk.length;
    this.bytesReceived += n;
    this.rt.stats.downstreamCxRxBytesTotal.inc(n);
    this.lastActivity = this.rt.clock.now();
    const up = this.up;
    if (up === null) {
      // Dialling: hold what arrives, up to the listener's buffer limit, then stop reading.
      this.pending?.push(chunk);
      this.pendingBytes += n;
      if (this.pendingBytes >= this.rt.bufferLimitBytes) this.down.pause();
      return;
    }
    this.cluster!.stats.upstreamCxTxBytesTotal?.inc(n);
    if (!up.write(chunk)) this.down.pause();
  }

  private readonly onUpData = (chunk: Buffer): void => {
    const mx = this.upExchange;
    if (mx === null) {
      this.forwardUp(chunk);
      return;
    }
    this.lastActivity = this.rt.clock.now();
    const r = mx.push(chunk);
    if (r !== null) this.upExchangeDone(r);
  };

  /** App bytes from upstream, written downstream. */
  private forwardUp(chunk: Buffer): void {
    const n = chunk.length;
    this.bytesSent += n;
    this.rt.stats.downstreamCxTxBytesTotal.inc(n);
    this.cluster!.stats.upstreamCxRxBytesTotal?.inc(n);
    this.lastActivity = this.rt.clock.now();
    if (!this.down.write(chunk)) this.up!.pause();
  }

  private readonly onUpDrain = (): void => {
    if (!this.downEnded) this.down.resume();
  };

  private readonly onDownDrain = (): void => {
    if (!this.upEnded) this.up?.resume();
  };

  private readonly onDownEnd = (): void => {
    if (this.downExchange !== null) this.downExchangeDone(this.downExchange.end());
    this.downEnded = true;
    this.up?.end();
  };

  private readonly onUpEnd = (): void => {
    if (this.upExchange !== null) this.upExchangeDone(this.upExchange.end());
    this.upEnded = true;
    this.down.end();
  };

  // Both sockets also emit 'close' after an error; the close handlers decide.
  private readonly onError = (): void => {};

  private readonly onDownClose = (): void => {
    this.downClosed = true;
    const up = this.up;
    // Closed before both directions finished (reset, timeout, local close): the upstream goes too.
    if (up !== null && !this.upClosed && !(this.downEnded && this.upEnded)) reset(up);
    this.maybeFinish();
  };

  private readonly onUpClose = (): void => {
    this.upClosed = true;
    countConnectionClosed(this.host!.counters, this.cluster!.stats, this.rt.clock.now() - this.connectedAt);
    this.releaseConnection();
    if (!this.downClosed && !(this.downEnded && this.upEnded)) reset(this.down);
    this.maybeFinish();
  };

  // ─── timers ────────────────────────────────────────────────────────────────────────────
  /** One timer per session for the earlier of the idle and duration deadlines; chunks only stamp `lastActivity`. */
  private armTimer(): void {
    const rt = this.rt;
    if (this.timer !== null) rt.scheduler.cancel(this.timer);
    this.timer = null;
    if (this.finished) return;
    const max = rt.config.maxDownstreamConnectionDurationMs;
    let at = max > 0 ? this.startMono + max : Number.POSITIVE_INFINITY;
    if (this.idleArmed) at = Math.min(at, this.lastActivity + rt.config.idleTimeoutMs);
    if (at === Number.POSITIVE_INFINITY) return;
    this.timer = rt.scheduler.schedule(Math.max(1, at - rt.clock.now()), this);
  }

  onTimer(): void {
    this.timer = null;
    if (this.finished) return;
    const rt = this.rt;
    const now = rt.clock.now();
    const max = rt.config.maxDownstreamConnectionDurationMs;
    if (max > 0 && now >= this.startMono + max) {
      rt.stats.maxDownstreamConnectionDuration.inc();
      this.responseFlags |= ResponseFlag.DurationTimeout;
      this.close();
      return;
    }
    if (this.idleArmed && now >= this.lastActivity + rt.config.idleTimeoutMs) {
      rt.stats.idleTimeout.inc();
      this.close();
      return;
    }
    this.armTimer();
  }

  private maybeFinish(): void {
    if (this.finished || !this.downClosed || this.connecting) return;
    if (this.up !== null && !this.upClosed) return;
    this.finished = true;
    if (this.timer !== null) this.rt.scheduler.cancel(this.timer);
    this.timer = null;
    this.releaseConnection();
    this.durationMs = Math.round(this.rt.clock.now() - this.startMono);
    this.observer?.closed();
    this.rt.accessLog?.(this);
  }
}

/** Proxies `socket` (plaintext, or a terminated TLSSocket with its `tls` facts) with `rt`. */
export function serveTcp(rt: TcpProxyRuntime, socket: Socket, tls: DownstreamTlsInfo | null): TcpSession {
  const s = new TcpSession(rt, socket, tls);
  s.start();
  return s;
}
