import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ResponseFlag } from '../accesslog/response-flags.js';
import type { ListenerStats } from '../stats/types.js';
import { ActiveStream } from './active-stream.js';
import type { HcmRuntime } from './hcm-runtime.js';
import { HeaderMap } from './header-map.js';
import { BAD_REQUEST_BODY } from './local-reply.js';
import { checkRequest } from './request-checks.js';
import { prepareRequestHeaders } from './request-headers.js';

/** The runtime is looked up per request so a reload takes effect on open connections too. */
export type RuntimeSource = () => HcmRuntime;

/**
 * An HTTP/1.1 connection manager: a Node `http.Server` whose requests become ActiveStreams.
 * Node's parser owns framing (keep-alive, pipelining, chunked bodies); everything Envoy decides
 * (checks, headers, filters, local replies, stats, access log) happens in ActiveStream.
 */
export function createConnectionManager(runtime: RuntimeSource, listenerStats: ListenerStats): Server {
  const cfg = runtime().config;
  const server = createServer({
    maxHeaderSize: cfg.maxRequestHeadersKb * 1024,
    requireHostHeader: true,
    joinDuplicateHeaders: false,
    keepAliveTimeout: cfg.idleTimeoutMs,
    // 0 disables Node's whole-request timer, like Envoy's request_timeout default.
    requestTimeout: cfg.requestTimeoutMs,
    headersTimeout: cfg.requestHeadersTimeoutMs > 0 ? cfg.requestHeadersTimeoutMs : 60_000,
    noDelay: true,
  });
  // One over the limit so we can tell "too many" apart from "exactly the limit" (Node truncates).
  server.maxHeadersCount = cfg.maxHeadersCount + 1;
  server.maxRequestsPerSocket = cfg.maxRequestsPerConnection;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => onRequest(runtime(), req, res));
  server.on('connection', (socket: Duplex) => {
    const rt = runtime();
    listenerStats.downstreamCxTotal.inc();
    listenerStats.downstreamCxActive.inc();
    rt.stats.downstreamCxTotal.inc();
    rt.stats.downstreamCxActive.inc();
    socket.once('close', () => {
      listenerStats.downstreamCxActive.dec();
      rt.stats.downstreamCxActive.dec();
    });
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    runtime().stats.downstreamCxProtocolError.inc();
    if (!socket.writable || (err.code !== undefined && err.code === 'ECONNRESET')) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = tooLarge ? 'Request Header Fields Too Large' : BAD_REQUEST_BODY;
    socket.end(
      `HTTP/1.1 ${status}\r\ncontent-length: ${body.length}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

function onRequest(rt: HcmRuntime, req: IncomingMessage, res: ServerResponse): void {
  const start = rt.clock.now();
  rt.stats.downstreamRqTotal.inc();
  rt.stats.downstreamRqActive.inc();
  const headers = new HeaderMap(req.rawHeaders);
  const stream = new ActiveStream(rt, req, res, headers, start);
  res.once('close', () => stream.onClose());
  const rejection = checkRequest(req, headers, rt.config);
  if (rejection !== null) {
    res.shouldKeepAlive = false;
    const body = rejection.status === 431 ? 'Request Header Fields Too Large' : BAD_REQUEST_BODY;
    stream.sendLocalReply(rejection.status, body, ResponseFlag.DownstreamProtocolError, rejection.details);
    return;
  }
  if (stream.path.charCodeAt(0) !== 47 /* '/' */ && stream.path !== '*') absoluteForm(stream);
  prepareRequestHeaders(stream, rt.config);
  stream.run();
}

/** allow_absolute_url: route on the URL's authority and path, as Envoy does for forward proxies. */
function absoluteForm(stream: ActiveStream): void {
  try {
    const u = new URL(stream.path);
    stream.authority = u.host;
    stream.path = `${u.pathname}${u.search}`;
    stream.requestHeaders.set('host', u.host);
  } catch {
    // Unparseable targets are left as-is; no route will match them.
  }
}
