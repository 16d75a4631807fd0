import type { DownstreamTlsInfo } from '../tls/types.js';

/**
 * What an access-log formatter may read about one finished stream. The connection manager's
 * ActiveStream implements it directly, so logging allocates nothing beyond the line itself.
 * Unknown values are `null` (rendered `-`).
 */
export interface AccessLogRecord {
  /** Wall-clock epoch ms when the request's first byte arrived. */
  readonly startTimeMs: number;
  /** Total stream duration in ms (start → last byte sent), or null if not finished. */
  readonly durationMs: number | null;
  /** Time from request start to the first upstream response byte, ms. */
  readonly responseDurationMs: number | null;
  /** `HTTP/1.1`, `HTTP/1.0`, `HTTP/2`. */
  readonly protocol: string;
  /** Status sent downstream; 0 when none was sent. */
  readonly responseCode: number;
  /** ResponseFlag bitmask. */
  readonly responseFlags: number;
  /** Envoy `%RESPONSE_CODE_DETAILS%` (e.g. `via_upstream`, `route_not_found`), or null. */
  readonly responseCodeDetails: string | null;
  /** `%CONNECTION_TERMINATION_DETAILS%`. */
  readonly connectionTerminationDetails: string | null;
  readonly upstreamTransportFailureReason: string | null;
  /** Request body bytes received from downstream. */
  readonly bytesReceived: number;
  /** Response body bytes sent downstream. */
  readonly bytesSent: number;
  /** `ip:port` of the upstream host chosen last, or null. */
  readonly upstreamHost: string | null;
  readonly upstreamCluster: string | null;
  readonly upstreamLocalAddress: string | null;
  readonly downstreamRemoteAddress: string | null;
  readonly downstreamLocalAddress: string | null;
  readonly requestedServerName: string | null;
  readonly routeName: string | null;
  /** What the downstream TLS handshake established; null on plaintext connections. */
  readonly downstreamTls: DownstreamTlsInfo | null;
  /** The upstream connection's verified server URI SAN, "" when none (plaintext). */
  readonly upstreamPeerUriSan: string;
  /** Our own URI SAN presented upstream, "" when none. */
  readonly upstreamLocalUriSan: string;
  /**
   * Request header by lower-case name, comma-joined if repeated; pseudo-headers `:method`,
   * `:path`, `:authority`, `:scheme` are answered too. `:path` is the current (possibly
   * rewritten) path, as in Envoy; the original is in `x-envoy-original-path` after a rewrite.
   */
  requestHeader(name: string): string | null;
  /** Response header as sent downstream, by lower-case name. */
  responseHeader(name: string): string | null;
  /** Response trailer by lower-case name. */
  responseTrailer(name: string): string | null;
}
