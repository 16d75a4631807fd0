import type { HttpFilterPerRouteConfig } from '../config/model.js';
import type { HeaderMap } from '../http/header-map.js';
import type { ClusterPick, CompiledRoute } from '../router/route.js';
import type { HeaderValueContext, RouteRequest } from '../router/types.js';
import type { DownstreamTlsInfo } from '../tls/types.js';

/** A filter's answer: keep iterating, or stop until the filter calls `stream.continueDecoding()`. */
export const FilterStatus = { Continue: 0, Stop: 1 } as const;
export type FilterStatus = (typeof FilterStatus)[keyof typeof FilterStatus];

/**
 * The stream surface a filter sees. Implemented by the connection manager's ActiveStream;
 * filters never touch sockets or Node request objects.
 */
export interface FilterStream {
  readonly method: string;
  /** `:path` (may be rewritten by filters before the router runs). */
  path: string;
  readonly authority: string;
  readonly scheme: string;
  readonly requestHeaders: HeaderMap;
  readonly downstreamRemoteAddress: string;
  readonly downstreamLocalAddress: string;
  /** What the connection's TLS handshake proved (peer identity for RBAC, XFCC); null on plaintext. */
  readonly downstreamTls: DownstreamTlsInfo | null;
  /** Sets a response flag bit (ResponseFlag) for the access log and stats. */
  setResponseFlag(bit: number): void;
  /**
   * Answers locally (Envoy-style text/plain body); ends the filter chain. A gRPC request gets a
   * trailers-only reply instead: 200 with `grpc-status` (`grpcStatus`, else mapped from
   * `status`) and `grpc-message` (the body).
   */
  sendLocalReply(
    status: number,
    body: string,
    flag: number,
    details: string,
    headers?: readonly string[],
    grpcStatus?: number,
  ): void;
  /** Resumes the decoder chain after a filter returned Stop. */
  continueDecoding(): void;
  /**
   * The route for the request as it is now: matched on first call and cached, so filters and
   * the router share one match. Null when no route matches.
   */
  route(): CompiledRoute | null;
  /** The cluster the route sends this request to (weighted pick made once), or null. */
  clusterPick(): ClusterPick | null;
  /** A filter that changed what routing looks at (headers, path) drops the cached match. */
  clearRouteCache(): void;
  /**
   * The most specific `typed_per_filter_config` entry for the filter named `filterName` (as in
   * http_filters): weighted cluster, route, virtual host, then route configuration.
   */
  perFilterConfig(filterName: string): HttpFilterPerRouteConfig | undefined;
}

/**
 * What the terminal router filter additionally needs: the request body, the response path
 * downstream and the access-log facts it owns.
 */
export interface RouterStream extends FilterStream, Omit<RouteRequest, 'path'>, HeaderValueContext {
  readonly requestHeaders: HeaderMap;
  /** RouteRequest.header(): lower-case name (pseudo-headers too) → comma-joined value. */
  header(name: string): string | undefined;
  /** Monotonic ms at stream start. */
  readonly startMonoMs: number;
  /** Request body stream, or null when the request has none. */
  requestBody(): import('node:stream').Readable | null;
  /** True once the downstream request body has been fully received. */
  requestComplete(): boolean;
  /** Sends response headers downstream (encode filters run first). */
  encodeHeaders(status: number, headers: HeaderMap, endStream: boolean): void;
  /** Writes body bytes; false means the downstream buffer is full: wait for onDownstreamDrain. */
  encodeData(chunk: Buffer): boolean;
  encodeComplete(): void;
  /** Registers the single drain callback used for back-pressure. */
  onDownstreamDrain(cb: () => void): void;
  /** Abandons the stream: the downstream connection is reset (response already started). */
  resetStream(flag: number, details: string): void;
  setRouteName(name: string): void;
  setUpstream(cluster: string, host: string | null): void;
  setUpstreamFailureReason(reason: string | null): void;
  /** The upstream TLS identities of the connection that answered (optional: test fakes). */
  setUpstreamPeer?(peerUriSan: string, localUriSan: string): void;
  /** Our end of the upstream connection that answered, `ip:port` (`%UPSTREAM_LOCAL_ADDRESS%`). */
  setUpstreamLocalAddress?(address: string | null): void;
  setResponseCodeDetails(details: string): void;
  /** Request body bytes received (counted as they are forwarded upstream). */
  setBytesReceived(n: number): void;
  /** Request or response progress: resets the stream idle timer. */
  touch(): void;
  /** Route `idle_timeout` override (0 disables). */
  setIdleTimeout(ms: number): void;
  /**
   * Calls `target.onDeadline()` once monotonic `atMs` has passed, unless cleared first. One slot
   * per stream (the router's timeout); the connection's timer enforces it, so arming is cheap.
   */
  armDeadline(atMs: number, target: DeadlineTarget): void;
  clearDeadline(): void;
  /** Marks when (monotonic ms) the first upstream response byte arrived; counts as activity. */
  markUpstreamResponse(nowMs: number): void;
  /** True once response headers went downstream. */
  readonly responseStarted: boolean;
  /** The request's trace (optional: test fakes, HCMs without tracing). */
  readonly trace?: import('../tracing/stream-trace.js').StreamTrace | null;
}

/** What a stream deadline calls back. */
export interface DeadlineTarget {
  onDeadline(): void;
}

/** One filter instance per stream. Methods are synchronous: no Promise per filter per request. */
export interface HttpFilter {
  decodeHeaders(stream: FilterStream): FilterStatus;
  /** Called (in reverse filter order) before response headers go downstream, local replies included. */
  encodeHeaders?(stream: FilterStream, status: number, headers: HeaderMap): void;
  /** The stream ended or was reset: release timers and upstream work. */
  onDestroy?(): void;
}

/** Built once per config snapshot from a validated sub-config. */
export interface HttpFilterFactory {
  /** The filter's name in http_filters (the key of its typed_per_filter_config entries). */
  readonly name: string;
  /**
   * A filter for this stream, or null when the filter has nothing to do (costs nothing). Called
   * when the decoder chain reaches this filter, so the stream's route() already reflects what
   * earlier filters did; filters after a local reply are never created. A factory honours a
   * per-route `{kind: 'disabled'}` entry under its name (FilterConfig `disabled: true`).
   */
  create(stream: RouterStream): HttpFilter | null;
}
