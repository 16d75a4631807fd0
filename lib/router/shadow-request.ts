import { ResponseFlag } from '../accesslog/response-flags.js';
import type { Cluster, Host } from '../cluster/types.js';
import type { TimedStream } from '../http/deadline-timer.js';
import type { UpstreamFailure } from '../upstream/upstream-errors.js';
import {
  type UpstreamCallbacks,
  UpstreamRequest,
  type UpstreamRequestOptions,
} from '../upstream/upstream-request.js';
import type { Clock } from '../util/clock.js';

/** What a shadow reports back to: the tracker that keeps it until it ends. */
export interface ShadowOwner {
  readonly clock: Clock;
  remove(shadow: ShadowRequest): void;
}

/** `code` UpstreamRequest recognises as a route timeout (charged to outlier detection). */
class ShadowTimeoutError extends Error {
  readonly code = 'SKIFF_UPSTREAM_TIMEOUT';
}

/**
 * One mirrored request: fire and forget. The response is read and discarded; every outcome
 * (status, reset, timeout, overflow) lands in the mirror cluster's normal upstream stats and
 * nowhere else, so the real request never hears of it. The deadline is a plain number that
 * the tracker's one timer enforces.
 */
export class ShadowRequest implements UpstreamCallbacks, TimedStream {
  /** Position in the tracker's list (swap-remove); -1 once removed. */
  index = -1;
  /** Monotonic ms; Infinity when the route timeout is disabled. */
  readonly deadlineMs: number;
  private readonly upstream: UpstreamRequest;
  private done = false;
  private headersSeen = false;

  constructor(
    private readonly owner: ShadowOwner,
    private readonly cluster: Cluster,
    host: Host,
    private readonly startMs: number,
    timeoutMs: number,
  ) {
    this.deadlineMs = timeoutMs > 0 ? startMs + timeoutMs : Infinity;
    this.upstream = new UpstreamRequest(host, this);
  }

  /** Dispatches; a breaker overflow fails synchronously inside, so the owner must hold it first. */
  start(opts: UpstreamRequestOptions): void {
    const stats = this.cluster.stats;
    stats.upstreamRqTotal.inc();
    stats.upstreamRqActive.inc();
    this.upstream.start(opts);
  }

  /** TimedStream: times out once the deadline passed, else yields it. */
  checkDeadlines(nowMs: number): number {
    if (this.done) return Infinity;
    if (nowMs < this.deadlineMs) return this.deadlineMs;
    const stats = this.cluster.stats;
    stats.upstreamRqTimeout.inc();
    this.upstream.host.counters.rqTimeout++;
    // As the router does: a timeout before headers is charged as a 504 to the cluster.
    if (!this.headersSeen) stats.recordResponse(504);
    this.finish();
    this.upstream.abort(new ShadowTimeoutError('shadow request timeout'));
    return Infinity;
  }

  /** The proxy is stopping: a local reset. */
  abort(reason: Error): void {
    if (this.done) return;
    this.cluster.stats.upstreamRqTxReset.inc();
    this.finish();
    this.upstream.abort(reason);
  }

  private finish(): void {
    this.done = true;
    this.cluster.stats.upstreamRqActive.dec();
    this.owner.remove(this);
  }

  // ─── UpstreamCallbacks ────────────────────────────────────────────────────────────────
  onUpstreamHeaders(statusCode: number): boolean {
    this.headersSeen = true;
    this.cluster.stats.recordResponse(statusCode);
    return true;
  }

  onUpstreamData(): boolean {
    return true;
  }

  onRequestProgress(): void {}

  onUpstreamComplete(): void {
    if (this.done) return;
    this.cluster.stats.upstreamRqTime.observe(this.owner.clock.now() - this.startMs);
    this.finish();
  }

  onUpstreamFailure(f: UpstreamFailure): void {
    if (this.done) return;
    const stats = this.cluster.stats;
    if (f.flag === ResponseFlag.UpstreamConnectionTermination)
      stats.upstreamCxDestroyRemoteWithActiveRq.inc();
    if (!f.connectFailure && f.reason !== 'overflow') stats.upstreamRqRxReset.inc();
    // The router charges its local reply's code to the cluster; a shadow has the same failure.
    if (!this.headersSeen) stats.recordResponse(f.reason === 'protocol error' ? 502 : 503);
    this.finish();
  }
}
