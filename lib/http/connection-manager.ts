import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ResponseFlag } from '../accesslog/response-flags.js';
import { kTlsDetails, type TlsTaggedSocket } from '../listener/tls-details.js';
import type { ListenerStats } from '../stats/types.js';
import { applyAbsoluteForm } from './absolute-url.js';
import { ActiveStream } from './active-stream.js';
import { DownstreamConnection } from './downstream-connection.js';
import type { HcmRuntime } from './hcm-runtime.js';
import { HeaderMap } from './header-map.js';
import { BAD_REQUEST_BODY } from './local-reply.js';
import { normalizationEnabled, normalizeRequestPath, PathAction } from './path-normalize.js';
import { checkRequest } from './request-checks.js';
import { prepareRequestHeaders } from './request-headers.js';
import { StreamResponse } from './stream-response.js';

/** The runtime is looked up per request so a reload takes effect on open connections too. */
export type RuntimeSource = () => HcmRuntime;

/** Shared with the server's stop(): once draining, every response says `Connection: close`. */
export interface DrainState {
  draining: boolean;
}

const kConnection = Symbol('skiff.connection');
// Envoy answers both a refused and a redirected path with these details.
const PATH_NORMALIZATION_FAILED = 'path_normalization_failed';
type TrackedSocket = Duplex & TlsTaggedSocket & { [kConnection]?: DownstreamConnection };

/**
 * An HTTP/1.1 connection manager: a Node `http.Server` whose requests become ActiveStreams.
 * Node's parser owns framing (keep-alive, pipelining, chunked bodies); everything Envoy decides
 * (checks, headers, filters, local replies, stats, access log) happens in ActiveStream.
 */
export function createConnectionManager(
  runtime: RuntimeSource,
  listenerStats: ListenerStats,
  drain: DrainState = { draining: false },
): Server {
  const cfg = runtime().config;
  const server = createServer({
    ServerResponse: StreamResponse,
    maxHeaderSize: cfg.maxRequestHeadersKb * 1024,
    requireHostHeader: true,
    joinDuplicateHeaders: false,
    keepAliveTimeout: cfg.idleTimeoutMs,
    // 0 disables Node's whole-request timer, like Envoy's request_timeout default.
    requestTimeout: cfg.requestTimeoutMs,
    headersTimeout: headersTimeout(cfg.requestHeadersTimeoutMs, cfg.requestTimeoutMs),
    // Node only checks those timers every interval (30 s by default): scale it to the timeouts.
    connectionsCheckingInterval: checkingInterval(cfg.requestHeadersTimeoutMs, cfg.requestTimeoutMs),
    noDelay: true,
  });
  // One over the limit so we can tell "too many" apart from "exactly the limit" (Node truncates).
  server.maxHeadersCount = cfg.maxHeadersCount + 1;
  server.maxRequestsPerSocket = cfg.maxRequestsPerConnection;

  server.on('request', (req: IncomingMessage, res: StreamResponse) => onRequest(runtime(), req, res, drain));
  server.on('connection', (socket: TrackedSocket) => {
    const rt = runtime();
    listenerStats.downstreamCxTotal.inc();
    listenerStats.downstreamCxActive.inc();
    rt.stats.downstreamCxTotal.inc();
    rt.stats.downstreamCxActive.inc();
    const conn = new DownstreamConnection(rt.clock, socket[kTlsDetails] ?? null);
    socket[kConnection] = conn;
    socket.once('close', () => {
      listenerStats.downstreamCxActive.dec();
      rt.stats.downstreamCxActive.dec();
      conn.close();
    });
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) =>
    onClientError(runtime(), err, socket),
  );
  return server;
}

/** True when no request is open on a connection this manager served (drains close those). */
export function isIdleConnection(socket: Duplex): boolean {
  const conn = (socket as TrackedSocket)[kConnection];
  return conn === undefined || conn.streams.length === 0;
}

/** Node requires headersTimeout ≤ requestTimeout whenever the latter is on. */
function headersTimeout(headersMs: number, requestMs: number): number {
  const h = headersMs > 0 ? headersMs : 60_000;
  return requestMs > 0 ? Math.min(h, requestMs) : h;
}

function checkingInterval(headersMs: number, requestMs: number): number {
  const shortest = Math.min(headersTimeout(headersMs, requestMs), requestMs > 0 ? requestMs : Infinity);
  return Math.max(100, Math.min(30_000, Math.floor(shortest / 3)));
}

/**
 * A request Node's parser refused (or a request timeout). Answers only while no response
 * headers went out on the connection; otherwise bytes would be spliced into a response body.
 */
function onClientError(rt: HcmRuntime, err: Error & { code?: string }, socket: Duplex): void {
  rt.stats.downstreamCxProtocolError.inc();
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (!socket.writable || err.code === 'ECONNRESET' || pending?.headersSent === true) {
    socket.destroy();
    return;
  }
  const [status, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ['431 Request Header Fields Too Large', 'Request Header Fields Too Large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['408 Request Timeout', 'request timeout']
        : ['400 Bad Request', BAD_REQUEST_BODY];
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-length: ${body.length}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${body}`,
  );
}

function onRequest(rt: HcmRuntime, req: IncomingMessage, res: StreamResponse, drain: DrainState): void {
  const start = rt.clock.now();
  rt.stats.downstreamRqTotal.inc();
  rt.stats.downstreamRqActive.inc();
  if (drain.draining) res.shouldKeepAlive = false;
  const headers = new HeaderMap(req.rawHeaders);
  const socket = req.socket as TrackedSocket;
  // Sockets handed to the server without a 'connection' event get their state here.
  const conn = (socket[kConnection] ??= new DownstreamConnection(rt.clock, socket[kTlsDetails] ?? null));
  const stream = new ActiveStream(rt, req, res, headers, start, conn);
  conn.streams.push(stream);
  res.attach(stream);
  if (conn.streams.length > 1) {
    // Pipelined behind an unfinished request: like Envoy's HTTP/1 codec, serve one at a time, so a
    // later (possibly non-idempotent) request never reaches the upstream before an earlier one ends.
    stream.deferredStart = () => begin(rt, stream, req, headers);
    return;
  }
  begin(rt, stream, req, headers);
}

/** Checks, header preparation and the filter chain for a stream that may now run. */
function begin(rt: HcmRuntime, stream: ActiveStream, req: IncomingMessage, headers: HeaderMap): void {
  const rejection = checkRequest(req, headers, rt.config);
  if (rejection !== null) {
    reject(stream, rejection.status, rejection.details);
    return;
  }
  // checkRequest let a non-origin target through only when allow_absolute_url is on.
  const path = stream.path;
  if (path.charCodeAt(0) !== 47 /* '/' */ && !(path === '*' && stream.method === 'OPTIONS')) {
    if (!applyAbsoluteForm(stream)) {
      reject(stream, 400, 'http1.invalid_url');
      return;
    }
  }
  if (normalizationEnabled(rt.config) && !normalizePath(stream, rt.config)) return;
  prepareRequestHeaders(stream, rt.config);
  stream.run();
}

/** Envoy's path normalisation before routing; false when the request was answered (400 / 307). */
function normalizePath(stream: ActiveStream, cfg: HcmRuntime['config']): boolean {
  const action = normalizeRequestPath(stream, cfg);
  if (action === PathAction.Continue) return true;
  if (action === PathAction.Reject) {
    stream.sendLocalReply(400, '', 0, PATH_NORMALIZATION_FAILED);
    return false;
  }
  stream.sendLocalReply(307, '', 0, PATH_NORMALIZATION_FAILED, ['location', stream.path]);
  return false;
}

/** A codec-level refusal: Envoy's local reply, and the connection closes after it. */
function reject(stream: ActiveStream, status: number, details: string): void {
  const body = status === 431 ? 'Request Header Fields Too Large' : BAD_REQUEST_BODY;
  stream.res.shouldKeepAlive = false;
  stream.sendLocalReply(status, body, ResponseFlag.DownstreamProtocolError, details);
}
