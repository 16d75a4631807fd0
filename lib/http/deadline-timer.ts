import type { Clock } from '../util/clock.js';

/** A stream whose deadlines a connection's timer checks. */
export interface TimedStream {
  /** Fires whatever expired by `nowMs`; returns the stream's next deadline (Infinity: none). */
  checkDeadlines(nowMs: number): number;
}

/**
 * One timer per downstream connection for every deadline of its streams (stream idle timeout,
 * route timeout). Streams keep their deadlines as plain numbers; the timer fires at the earliest
 * time it was asked for, lets each stream fire what expired, and re-arms for the next deadline.
 * Under keep-alive traffic the timer is usually already due before a new stream's deadline, so a
 * request arms nothing. (A setTimeout/clearTimeout pair per deadline per request cost ~1.5 µs per
 * request in the benchmark; a shared Set swept on an interval cost ~10 µs, its churn keeping
 * short-lived streams alive through scavenges.)
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  /** Monotonic ms the armed timer is due at; Infinity while disarmed. */
  private dueMs = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly streams: readonly TimedStream[],
  ) {}

  /** Some stream has a deadline at `atMs`: make sure the timer fires no later than that. */
  schedule(atMs: number): void {
    if (atMs < this.dueMs) this.arm(atMs);
  }

  /** The connection closed. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.dueMs = Infinity;
  }

  private arm(atMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.dueMs = atMs;
    // Node's timers run on the loop's cached clock and may fire a little early by ours: a stream
    // not yet expired then just yields its deadline again and the timer re-arms.
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(atMs - this.clock.now())));
    // The sockets keep the process alive; a pending deadline alone must not.
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.dueMs = Infinity;
    const now = this.clock.now();
    let next = Infinity;
    // A copy: a stream that expires may close and leave the list.
    for (const s of this.streams.slice()) {
      const at = s.checkDeadlines(now);
      if (at < next) next = at;
    }
    // A stream may have asked for an earlier wake-up while we looped; keep that one.
    if (next < this.dueMs) this.arm(next);
  };
}
