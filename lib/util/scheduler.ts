/** What a one-shot timer calls; an object rather than a closure, so arming allocates no function. */
export interface TimerTarget {
  onTimer(): void;
}

/** Opaque handle of a scheduled timer. */
export type TimerHandle = unknown;

/** One-shot timers, injected so filters with delays are testable without waiting. */
export interface Scheduler {
  schedule(ms: number, target: TimerTarget): TimerHandle;
  cancel(handle: TimerHandle): void;
}

// Node clamps larger delays to 1 ms (with a warning); the longest it honours is 2^31-1 ms.
const MAX_TIMEOUT_MS = 2_147_483_647;

function fire(target: TimerTarget): void {
  target.onTimer();
}

export const systemScheduler: Scheduler = {
  schedule(ms, target) {
    const t = setTimeout(fire, Math.min(Math.max(ms, 1), MAX_TIMEOUT_MS), target);
    // A request's socket keeps the process alive; its pending timer alone must not.
    t.unref();
    return t;
  },
  cancel(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
