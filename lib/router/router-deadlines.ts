import type { DeadlineTarget, RouterStream } from '../filters/filter.js';

/** Which of the router's deadlines passed. */
export const Due = { None: 0, Global: 1, PerTry: 2, PerTryIdle: 3 } as const;
export type Due = (typeof Due)[keyof typeof Due];

/**
 * The router's deadlines, kept as numbers (monotonic ms; Infinity = none) and multiplexed into the
 * stream's one deadline slot, which always points at the earliest: the route timeout (from the end
 * of the request, over every attempt and back-off), the per-try timeout (until response headers)
 * and the per-try idle timeout (since the attempt's last activity, body included).
 */
export class RouterDeadlines {
  globalMs = Infinity;
  perTryMs = Infinity;
  /** From the request's retry policy; 0 = off. */
  perTryTimeoutMs = 0;
  perTryIdleMs = 0;
  /** Last upstream activity of the current attempt (tracked only with a per-try idle limit). */
  lastActivityMs = 0;
  private armedMs = Infinity;

  constructor(
    private readonly stream: RouterStream,
    private readonly target: DeadlineTarget,
  ) {}

  /** A try begins waiting for its response at `nowMs`. */
  startPerTry(nowMs: number): void {
    if (this.perTryTimeoutMs > 0) this.perTryMs = nowMs + this.perTryTimeoutMs;
  }

  /** Points the stream's slot at the earliest deadline; per-try ones count while an attempt runs. */
  rearm(attemptRunning: boolean): void {
    let at = this.globalMs;
    if (this.perTryMs < at) at = this.perTryMs;
    if (this.perTryIdleMs > 0 && attemptRunning) {
      const idleAt = this.lastActivityMs + this.perTryIdleMs;
      if (idleAt < at) at = idleAt;
    }
    if (at === this.armedMs) return;
    this.armedMs = at;
    if (at === Infinity) this.stream.clearDeadline();
    else this.stream.armDeadline(at, this.target);
  }

  /** The stream's slot fired and is empty now. */
  fired(): void {
    this.armedMs = Infinity;
  }

  due(nowMs: number, attemptRunning: boolean): Due {
    if (this.globalMs <= nowMs) return Due.Global;
    if (!attemptRunning) return Due.None;
    if (this.perTryMs <= nowMs) return Due.PerTry;
    if (this.perTryIdleMs > 0 && this.lastActivityMs + this.perTryIdleMs <= nowMs) return Due.PerTryIdle;
    return Due.None;
  }

  /** All upstream work ended. */
  clear(): void {
    this.globalMs = Infinity;
    this.perTryMs = Infinity;
    if (this.armedMs !== Infinity) {
      this.armedMs = Infinity;
      this.stream.clearDeadline();
    }
  }
}
