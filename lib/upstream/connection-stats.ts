/**
 * The connection accounting every upstream dial does, whoever dials (a host's HTTP pool or a
 * tcp_proxy session): the host's /clusters counters and the cluster's `upstream_cx_*` stats.
 * Callers pass durations measured on their own clock.
 */
import type { HostCounters } from '../cluster/types.js';
import type { ClusterStats } from '../stats/types.js';

/** A dial failed: cx_connect_fail, plus cx_connect_timeout when undici's connect timer fired. */
export function countConnectFailure(counters: HostCounters, stats: ClusterStats, err: unknown): void {
  counters.cxConnectFail++;
  stats.upstreamCxConnectFail.inc();
  if (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === 'UND_ERR_CONNECT_TIMEOUT'
  )
    stats.upstreamCxConnectTimeout.inc();
}

/** A dial succeeded after `connectMs`. */
export function countConnectionOpened(counters: HostCounters, stats: ClusterStats, connectMs: number): void {
  counters.cxTotal++;
  counters.cxActive++;
  stats.upstreamCxTotal.inc();
  stats.upstreamCxActive.inc();
  stats.upstreamCxConnectMs?.observe(connectMs);
}

/** A connection counted by countConnectionOpened closed after `lengthMs`. */
export function countConnectionClosed(counters: HostCounters, stats: ClusterStats, lengthMs: number): void {
  counters.cxActive--;
  stats.upstreamCxActive.dec();
  stats.upstreamCxLengthMs?.observe(lengthMs);
}
