/**
 * What one proxied TCP connection exposes to what observes it (the access log at close, Istio's
 * TCP metrics while it runs). The session object implements it directly; values only grow or
 * get set once, so an observer may read them at any time.
 */
import type { WorkloadFacts } from '../stats/istio/workload-facts.js';
import type { DownstreamTlsInfo } from '../tls/types.js';

export interface TcpSessionView {
  /** Wall-clock epoch ms when the downstream connection was handed to the proxy. */
  readonly startTimeMs: number;
  /** What the downstream TLS handshake established; null on plaintext connections. */
  readonly downstreamTls: DownstreamTlsInfo | null;
  readonly downstreamRemoteAddress: string | null;
  readonly downstreamLocalAddress: string | null;
  /** The cluster picked for this connection (set before connecting), null when none was. */
  readonly upstreamCluster: string | null;
  /** `ip:port` of the host last tried, null before a host was picked. */
  readonly upstreamHost: string | null;
  readonly upstreamLocalAddress: string | null;
  /** The upstream connection's verified server URI SAN, "" when none (plaintext). */
  readonly upstreamPeerUriSan: string;
  /** Our own URI SAN presented upstream, "" when none. */
  readonly upstreamLocalUriSan: string;
  /** ALPN agreed on the upstream TLS connection, "" when none. */
  readonly upstreamAlpn: string;
  /** ResponseFlag bitmask (UH, UF, UO, NC, UT, …), as the access log prints it. */
  readonly responseFlags: number;
  /** Bytes received from downstream so far (forwarded upstream). */
  readonly bytesReceived: number;
  /** Bytes sent to downstream so far. */
  readonly bytesSent: number;
  /** The peer's exchanged Istio metadata (TCP metadata exchange), null when none arrived. */
  istioPeer: WorkloadFacts | null;
}

/**
 * Per-connection hooks from a listener side's Istio reporter (sidecar mode). The reporter reads
 * the byte counts from the view itself (Istio reports TCP bytes periodically and at close), so
 * the data path calls nothing per chunk.
 */
export interface TcpConnectionObserver {
  /** The upstream connection is up and any metadata exchange is done (or skipped). */
  opened(): void;
  /** Both sides are closed; called exactly once, also when `opened` never was. */
  closed(): void;
}

/** Gives each new TCP session its observer; null = nobody observes TCP on this listener. */
export interface TcpObserverFactory {
  observe(view: TcpSessionView): TcpConnectionObserver;
  /**
   * Our preamble for Istio's TCP metadata exchange, written first on a TLS connection whose
   * agreed ALPN is `istio-peer-exchange` (the peer's is read and stripped); absent = no exchange.
   */
  readonly exchangePreamble?: Buffer;
}
