import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { AccessLogRecord } from '../accesslog/record.js';
import { ResponseFlag } from '../accesslog/response-flags.js';
import type { HttpFilterPerRouteConfig } from '../config/model.js';
import { type DeadlineTarget, FilterStatus, type HttpFilter, type RouterStream } from '../filters/filter.js';
import type { ClusterPick, CompiledRoute } from '../router/route.js';
import type { RouteRequest } from '../router/types.js';
import type { IstioStreamView } from '../stats/istio/istio-reporter.js';
import type { WorkloadFacts } from '../stats/istio/workload-facts.js';
import type { DownstreamTlsInfo } from '../tls/types.js';
import type { StreamTrace } from '../tracing/stream-trace.js';
import type { TimedStream } from './deadline-timer.js';
import type { DownstreamConnection } from './downstream-connection.js';
import { grpcLocalReplyHeaders, httpToGrpcStatus, isGrpcContentType } from './grpc-local-reply.js';
import type { HcmRuntime } from './hcm-runtime.js';
import { HeaderMap } from './header-map.js';
import { localReplyHeaders } from './local-reply.js';

/**
 * One request/response exchange on a downstream connection. Created once per request and used
 * by every stage (filters, router, access log, stats), so the hot path carries one object of a
 * fixed shape instead of many small ones. Implements the views each stage needs.
 */
export class ActiveStream
  implements RouterStream, RouteRequest, AccessLogRecord, TimedStream, IstioStreamView
{
  readonly rt: HcmRuntime;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestHeaders: HeaderMap;
  readonly method: string;
  /** `:path`; the router may rewrite it (the original then travels in x-envoy-original-path). */
  path: string;
  authority: string;
  /** `:scheme`; an absolute-form target may set it (x-forwarded-proto follows the connection). */
  scheme: string;
  /** The downstream connection's scheme: `https` on terminated TLS, else `http`. */
  readonly connectionScheme: string;
  /** Set by the connection manager for TLS connections (FilterStream). */
  downstreamTls: DownstreamTlsInfo | null = null;
  readonly protocol: string;
  readonly startTimeMs: number;
  readonly startMonoMs: number;
  requestId: string | null = null;
  /** Decided from the framing headers as received, before hop-by-hop removal drops them. */
  private readonly hasBody: boolean;

  responseCode = 0;
  responseFlags = 0;
  responseCodeDetails: string | null = null;
  connectionTerminationDetails: string | null = null;
  upstreamTransportFailureReason: string | null = null;
  bytesReceived = 0;
  bytesSent = 0;
  durationMs: number | null = null;
  responseDurationMs: number | null = null;
  upstreamHost: string | null = null;
  upstreamCluster: string | null = null;
  upstreamLocalAddress: string | null = null;
  requestedServerName: string | null = null;
  routeName: string | null = null;
  responseHeaders: HeaderMap | null = null;
  responseStarted = false;
  /** The upstream connection's verified server URI SAN and our own on it ("" = none / plaintext). */
  upstreamPeerUriSan = '';
  upstreamLocalUriSan = '';
  /** Istio metrics state (sidecar listeners only). */
  istioPeer: WorkloadFacts | null = null;
  istioRequestHeaderBytes = 0;
  istioResponseHeaderBytes = 0;
  /** Trace context and decision (null when the HCM has no tracing). */
  trace: StreamTrace | null = null;

  /** The connection this stream belongs to; onClose removes the stream from its list. */
  readonly conn: DownstreamConnection;
  /** Stream idle timeout: last request/response activity and the limit (the route may override). */
  lastActivityMs: number;
  idleTimeoutMs: number;
  /** Deadlines count only once the stream runs (not while queued behind a pipelined request). */
  private timed = false;
  /** The one filter deadline (the router's route timeout), checked by the connection's timer. */
  private deadlineMs = Infinity;
  private deadlineTarget: DeadlineTarget | null = null;
  /** Set while this request waits behind earlier pipelined ones on its connection. */
  deferredStart: (() => void) | null = null;
  /** Node detaches `req.socket` once the response is done; the queue logic needs it after. */
  private readonly socket: IncomingMessage['socket'];
  /** Filters created so far; `filterIndex` is the factory the decoder chain is at. */
  private filters: HttpFilter[] = [];
  private filterIndex = 0;
  /** Route match and cluster pick, made once on first use (undefined = not yet; see route()). */
  private matchedRoute: CompiledRoute | null | undefined = undefined;
  private pickedCluster: ClusterPick | null | undefined = undefined;
  private drainCb: (() => void) | null = null;
  private ended = false;
  private localReset = false;

  constructor(
    rt: HcmRuntime,
    req: IncomingMessage,
    res: ServerResponse,
    headers: HeaderMap,
    startMonoMs: number,
    conn: DownstreamConnection,
  ) {
    this.rt = rt;
    this.conn = conn;
    this.req = req;
    this.res = res;
    this.requestHeaders = headers;
    this.method = req.method ?? 'GET';
    this.path = req.url ?? '/';
    this.authority = headers.get('host') ?? '';
    const tls = conn.tls;
    this.downstreamTls = tls;
    this.scheme = tls === null ? 'http' : 'https';
    this.connectionScheme = this.scheme;
    this.protocol = req.httpVersionMinor === 0 ? 'HTTP/1.0' : 'HTTP/1.1';
    this.startMonoMs = startMonoMs;
    this.lastActivityMs = startMonoMs;
    this.idleTimeoutMs = rt.config.streamIdleTimeoutMs;
    this.startTimeMs = rt.clock.wallNow();
    this.socket = req.socket;
    const cl = headers.get('content-length');
    this.hasBody = cl === undefined ? headers.has('transfer-encoding') : cl !== '0';
  }

  /** Computed on demand: most requests never log or substitute addresses with a custom format. */
  get downstreamRemoteAddress(): string {
    const sock = this.socket;
    return `${sock.remoteAddress}:${sock.remotePort}`;
  }

  get downstreamLocalAddress(): string {
    const sock = this.socket;
    return `${sock.localAddress}:${sock.localPort}`;
  }

  // ─── RouteRequest ─────────────────────────────────────────────────────────────────────
  header(name: string): string | undefined {
    if (name.charCodeAt(0) === 58 /* ':' */) {
      switch (name) {
        case ':method':
          return this.method;
        case ':path':
          return this.path;
        case ':authority':
          return this.authority;
        case ':scheme':
          return this.scheme;
        default:
          return undefined;
      }
    }
    return this.requestHeaders.get(name);
  }

  // ─── filter chain ─────────────────────────────────────────────────────────────────────
  run(): void {
    this.timed = true;
    if (this.idleTimeoutMs > 0) {
      this.lastActivityMs = this.rt.clock.now();
      this.conn.timer.schedule(this.lastActivityMs + this.idleTimeoutMs);
    }
    const istio = this.rt.istio;
    if (istio != null) istio.onRequest(this);
    const tracer = this.rt.tracer;
    if (tracer != null) this.trace = tracer.start(this);
    this.iterate();
  }

  continueDecoding(): void {
    this.filterIndex++;
    this.iterate();
  }

  /**
   * Filters are created when the chain reaches them: a factory sees the route as earlier filters
   * left it and may return null for this stream, and nothing past a local reply is built.
   */
  private iterate(): void {
    const factories = this.rt.filterFactories;
    while (this.filterIndex < factories.length && !this.ended && !this.responseStarted) {
      const f = factories[this.filterIndex]!.create(this);
      if (f !== null) {
        this.filters.push(f);
        if (f.decodeHeaders(this) === FilterStatus.Stop) return;
      }
      this.filterIndex++;
    }
  }

  route(): CompiledRoute | null {
    if (this.matchedRoute === undefined) {
      const vhost = this.rt.routeTable.selectVirtualHost(this.authority);
      this.matchedRoute = vhost === null ? null : vhost.match(this);
    }
    return this.matchedRoute;
  }

  clusterPick(): ClusterPick | null {
    if (this.pickedCluster === undefined) {
      const route = this.route();
      this.pickedCluster = route === null ? null : route.pickCluster(this);
    }
    return this.pickedCluster;
  }

  clearRouteCache(): void {
    this.matchedRoute = undefined;
    this.pickedCluster = undefined;
  }

  perFilterConfig(filterName: string): HttpFilterPerRouteConfig | undefined {
    const route = this.route();
    if (route === null) return undefined;
    // Only a weighted cluster with its own entries makes the pick matter here.
    const weighted = route.weightedPerFilter ? (this.clusterPick()?.weighted ?? null) : null;
    return route.perFilterConfig(filterName, weighted);
  }

  /** Records request or response progress (resets the idle clock). */
  touch(): void {
    this.lastActivityMs = this.rt.clock.now();
  }

  /** Route `idle_timeout` overrides the HCM's stream_idle_timeout; 0 disables. */
  setIdleTimeout(ms: number): void {
    this.idleTimeoutMs = ms;
    if (ms > 0 && this.timed) this.conn.timer.schedule(this.lastActivityMs + ms);
  }

  armDeadline(atMs: number, target: DeadlineTarget): void {
    this.deadlineMs = atMs;
    this.deadlineTarget = target;
    this.conn.timer.schedule(atMs);
  }

  clearDeadline(): void {
    this.deadlineMs = Infinity;
    this.deadlineTarget = null;
  }

  /** TimedStream: called by the connection's timer. */
  checkDeadlines(nowMs: number): number {
    if (this.ended || !this.timed) return Infinity;
    if (this.deadlineMs <= nowMs) {
      const target = this.deadlineTarget!;
      this.clearDeadline();
      target.onDeadline();
      if (this.ended) return Infinity;
    }
    const limit = this.idleTimeoutMs;
    if (limit <= 0) return this.deadlineMs;
    const idleAt = this.lastActivityMs + limit;
    if (idleAt > nowMs) return Math.min(idleAt, this.deadlineMs);
    // Fires once: the stream ends with a local reply or a reset.
    this.idleTimeoutMs = 0;
    this.onIdleTimeout();
    return this.ended ? Infinity : this.deadlineMs;
  }

  /** No activity for idleTimeoutMs: 408 `stream timeout` before a response started, else reset. */
  private onIdleTimeout(): void {
    if (this.ended) return;
    const flag = ResponseFlag.StreamIdleTimeout;
    if (this.responseStarted) this.resetStream(flag, 'stream_idle_timeout');
    else this.sendLocalReply(408, 'stream timeout', flag, 'stream_idle_timeout');
  }

  setResponseFlag(bit: number): void {
    this.responseFlags |= bit;
  }

  setRouteName(name: string): void {
    this.routeName = name;
  }

  setUpstream(cluster: string, host: string | null): void {
    this.upstreamCluster = cluster;
    this.upstreamHost = host;
  }

  setUpstreamLocalAddress(address: string | null): void {
    this.upstreamLocalAddress = address;
  }

  setUpstreamPeer(peerUriSan: string, localUriSan: string): void {
    this.upstreamPeerUriSan = peerUriSan;
    this.upstreamLocalUriSan = localUriSan;
  }

  setUpstreamFailureReason(reason: string | null): void {
    this.upstreamTransportFailureReason = reason;
  }

  setResponseCodeDetails(details: string): void {
    this.responseCodeDetails = details;
  }

  setBytesReceived(n: number): void {
    this.bytesReceived = n;
  }

  /** First upstream response byte at monotonic `nowMs`; also counts as stream activity. */
  markUpstreamResponse(nowMs: number): void {
    this.responseDurationMs = nowMs - this.startMonoMs;
    this.lastActivityMs = nowMs;
  }

  requestBody(): Readable | null {
    return this.hasBody ? this.req : null;
  }

  requestComplete(): boolean {
    return this.req.complete;
  }

  // ─── response path ────────────────────────────────────────────────────────────────────
  sendLocalReply(
    status: number,
    body: string,
    flag: number,
    details: string,
    extra?: readonly string[],
    grpcStatus?: number,
  ): void {
    if (this.ended) return;
    this.responseFlags |= flag;
    this.responseCodeDetails = details;
    if (this.responseStarted) {
      this.resetStream(flag, details);
      return;
    }
    // Only replies actually sent: a reset after the response started is not one.
    const ring = this.rt.localReplies;
    if (ring != null) {
      ring.record(
        this.rt.clock.wallNow(),
        status,
        this.responseFlags,
        details,
        this.method,
        this.authority,
        this.path,
        this.upstreamCluster ?? '',
      );
    }
    const server =
      this.rt.config.serverHeaderTransformation === 'PASS_THROUGH' ? null : this.rt.config.serverName;
    if (isGrpcContentType(this.requestHeaders.get('content-type'))) {
      const code = grpcStatus ?? httpToGrpcStatus(status);
      this.encodeHeaders(200, new HeaderMap(grpcLocalReplyHeaders(code, body, server, extra)), true);
      return;
    }
    const headers = new HeaderMap(localReplyHeaders(body, server, extra));
    const head = this.method === 'HEAD';
    this.encodeHeaders(status, headers, body === '' || head);
    if (body !== '' && !head) {
      this.bytesSent += Buffer.byteLength(body);
      this.res.end(body);
    }
  }

  encodeHeaders(status: number, headers: HeaderMap, endStream: boolean): void {
    const filters = this.filters;
    for (let i = filters.length - 1; i >= 0; i--) filters[i]!.encodeHeaders?.(this, status, headers);
    const istio = this.rt.istio;
    if (istio != null) istio.onResponse(this, headers);
    const res = this.res;
    // An unread request body would be parsed as the next request; Envoy closes instead.
    if (this.hasBody && !this.req.complete) res.shouldKeepAlive = false;
    res.writeHead(status, headers.flat());
    this.responseCode = status;
    this.responseHeaders = headers;
    this.responseStarted = true;
    if (endStream) res.end();
  }

  encodeData(chunk: Buffer): boolean {
    this.bytesSent += chunk.length;
    return this.res.write(chunk);
  }

  encodeComplete(): void {
    this.res.end();
  }

  onDownstreamDrain(cb: () => void): void {
    if (this.drainCb === null) this.res.on('drain', () => this.drainCb?.());
    this.drainCb = cb;
  }

  resetStream(flag: number, details: string): void {
    if (this.ended) return;
    this.responseFlags |= flag;
    this.connectionTerminationDetails ??= details;
    this.localReset = true;
    this.res.destroy();
  }

  /** Called once from the response's 'close' event: stats, access log, filter teardown. */
  onClose(): void {
    if (this.ended) return;
    this.ended = true;
    this.deferredStart = null;
    this.deadlineTarget = null;
    const open = this.conn.streams;
    const i = open.indexOf(this);
    if (i !== -1) open.splice(i, 1);
    // The next pipelined request on this connection may start now.
    const next = open[0];
    if (i === 0 && next !== undefined && next.deferredStart !== null && !this.socket.destroyed) {
      const start = next.deferredStart;
      next.deferredStart = null;
      start();
    }
    const rt = this.rt;
    if (!this.res.writableFinished && !this.localReset) {
      // The client went away before we finished: Envoy flags DC and never sends a status.
      this.responseFlags |= ResponseFlag.DownstreamConnectionTermination;
      this.responseCodeDetails ??= 'downstream_remote_disconnect';
      if (!this.responseStarted) this.responseCode = 0;
      rt.stats.downstreamRqRxReset.inc();
    } else if (this.localReset) {
      rt.stats.downstreamRqTxReset.inc();
    }
    const filters = this.filters;
    for (let i = 0; i < filters.length; i++) filters[i]!.onDestroy?.();
    this.durationMs = rt.clock.now() - this.startMonoMs;
    rt.stats.downstreamRqActive.dec();
    if (this.responseCode !== 0) rt.stats.recordResponse(this.responseCode);
    rt.stats.downstreamRqTime.observe(this.durationMs);
    if (rt.istio != null) rt.istio.record(this);
    if (this.trace !== null) this.trace.tracer.finish(this, this.trace);
    if (rt.accessLog !== null) rt.accessLog(this);
  }

  // ─── AccessLogRecord ──────────────────────────────────────────────────────────────────
  requestHeader(name: string): string | null {
    return this.header(name) ?? null;
  }

  responseHeader(name: string): string | null {
    return this.responseHeaders?.get(name) ?? null;
  }

  responseTrailer(_name: string): string | null {
    return null;
  }
}
