import type { Client } from 'undici';
import type { ClusterConfig } from '../config/model.js';

/** undici's own keep-alive ceiling when the cluster disables its idle timeout (idle_timeout: 0). */
const UNDICI_DEFAULT_KEEPALIVE_MAX_MS = 600_000;

/**
 * Node upstreams close idle keep-alive sockets after 5 s; our side must give up first or a
 * request written onto a socket the server is closing fails (hardening.md §2.5).
 */
const CLIENT_IDLE_CAP_MS = 4000;

/** Headers larger than Envoy's 60 KiB request limit can come back; leave headroom. */
const MAX_RESPONSE_HEADER_BYTES = 96 * 1024;

/**
 * Maps a cluster's connection settings onto the options of each upstream connection's undici
 * Client. The host pool owns max_requests_per_connection and the connection count.
 */
export function poolOptions(cfg: ClusterConfig): Client.Options {
  const idleMs = cfg.idleTimeoutMs > 0 ? cfg.idleTimeoutMs : UNDICI_DEFAULT_KEEPALIVE_MAX_MS;
  return {
    connect: { timeout: cfg.connectTimeoutMs },
    connectTimeout: cfg.connectTimeoutMs,
    keepAliveTimeout: Math.min(idleMs, CLIENT_IDLE_CAP_MS),
    // Server `Keep-Alive: timeout=` hints may raise the idle time, never past the cluster's.
    keepAliveMaxTimeout: idleMs,
    keepAliveTimeoutThreshold: 1000,
    pipelining: 1,
    // The router owns request, per-try and idle timeouts.
    headersTimeout: 0,
    bodyTimeout: 0,
    maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
    strictContentLength: true,
  };
}
