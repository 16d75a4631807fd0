import type { Cluster } from '../cluster/types.js';
import { DeadlineTimer } from '../http/deadline-timer.js';
import type { UpstreamRequestOptions } from '../upstream/upstream-request.js';
import type { Clock } from '../util/clock.js';
import { NO_ROUTE_LB_CONTEXT } from './hash-policy.js';
import { type ShadowOwner, ShadowRequest } from './shadow-request.js';

class ProxyStoppingError extends Error {
  readonly code = 'SKIFF_SHADOW_ABORTED';
}

/**
 * Owns every in-flight shadow (mirrored) request of one Skiff instance. Shadows outlive the
 * stream that started them, so they cannot use its deadline slot: one DeadlineTimer enforces all
 * their route timeouts, and `close()` (proxy stop) aborts whatever is left so no shadow keeps
 * a pool (or the process) open after stop.
 */
export class ShadowTracker implements ShadowOwner {
  private readonly active: ShadowRequest[] = [];
  private readonly timer: DeadlineTimer;
  private closed = false;

  constructor(readonly clock: Clock) {
    this.timer = new DeadlineTimer(clock, this.active);
  }

  /** Shadows in flight. */
  get size(): number {
    return this.active.length;
  }

  /**
   * Sends one shadow to `cluster`. Dropped silently when no host is usable (chooseHost counted
   * `upstream_cx_none_healthy`) or after close(); a breaker overflow fails it inside the pool.
   */
  send(cluster: Cluster, opts: UpstreamRequestOptions, timeoutMs: number): void {
    if (this.closed) return;
    const host = cluster.chooseHost(NO_ROUTE_LB_CONTEXT);
    if (host === null) return;
    const shadow = new ShadowRequest(this, cluster, host, this.clock.now(), timeoutMs);
    shadow.index = this.active.length;
    this.active.push(shadow);
    if (shadow.deadlineMs !== Infinity) this.timer.schedule(shadow.deadlineMs);
    shadow.start(opts);
  }

  /** ShadowOwner: a shadow ended. */
  remove(shadow: ShadowRequest): void {
    const i = shadow.index;
    if (i < 0) return;
    shadow.index = -1;
    const last = this.active.pop()!;
    if (last !== shadow) {
      this.active[i] = last;
      last.index = i;
    }
  }

  /** Proxy stop: aborts every shadow in flight and refuses new ones. */
  close(): void {
    this.closed = true;
    this.timer.stop();
    const err = new ProxyStoppingError('proxy stopping');
    for (const s of this.active.slice()) s.abort(err);
  }
}
