import type { Clock } from '../util/clock.js';

/** A stream the sweeper can time out. */
export interface IdleTarget {
  /** Monotonic ms of the last request or response activity. */
  lastActivityMs: number;
  /** Idle limit for this stream in ms; 0 disables. */
  idleTimeoutMs: number;
  onIdleTimeout(): void;
}

/**
 * Enforces stream idle timeouts (HCM `stream_idle_timeout`, route `idle_timeout`) with one
 * coarse interval timer per connection manager instead of a timer per stream: the hot path only
 * records a timestamp on activity. Granularity is a quarter of the shortest configured timeout,
 * between 50 ms and 1 s, so a stream may idle up to 25 % longer than configured.
 */
export class IdleSweeper {
  private readonly streams = new Set<IdleTarget>();
  private timer: NodeJS.Timeout | null = null;
  readonly intervalMs: number;

  constructor(
    private readonly clock: Clock,
    shortestTimeoutMs: number,
  ) {
    this.intervalMs = Math.max(50, Math.min(1000, Math.floor(shortestTimeoutMs / 4)));
  }

  track(s: IdleTarget): void {
    this.streams.add(s);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), this.intervalMs);
      // Idle bookkeeping must never keep a stopping process alive.
      this.timer.unref();
    }
  }

  untrack(s: IdleTarget): void {
    this.streams.delete(s);
    if (this.streams.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const s of this.streams) {
      if (s.idleTimeoutMs > 0 && now - s.lastActivityMs >= s.idleTimeoutMs) {
        this.streams.delete(s);
        s.onIdleTimeout();
      }
    }
  }
}
