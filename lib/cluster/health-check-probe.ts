import type { Host } from './types.js';

/** What one check found. Failures other than `NetworkFailure` come from the host's answer. */
export const CheckResult = {
  Success: 0,
  /** Passed, but the host asked to be treated as degraded (`x-envoy-degraded`). */
  Degraded: 1,
  /** A definite failure: the host is marked unhealthy at once. */
  Failed: 2,
  /** A retriable status: counts towards `unhealthy_threshold` like a network failure. */
  Retriable: 3,
  /** Connect refused, reset, or closed before the answer. */
  NetworkFailure: 4,
} as const;
export type CheckResult = (typeof CheckResult)[keyof typeof CheckResult];

/**
 * One host's check transport (HTTP or TCP), owned by its session. Invariant: `done` is called at
 * most once per `start`, and never after `abort()` or `close()`; after `close()` no socket of
 * this probe is left open.
 */
export interface HealthCheckProbe {
  start(done: (result: CheckResult) => void): void;
  /** Abandons the check in flight (its timeout fired): its connection is destroyed. */
  abort(): void;
  /** Releases every socket; the probe is not used again. */
  close(): void;
}

/** Builds the probe for one host. */
export type ProbeFactory = (host: Host) => HealthCheckProbe;

/** A pending timer; `cancel` is idempotent. */
export interface HcTimer {
  cancel(): void;
}

/** Timers of the health checker, injected so unit tests advance time by hand. */
export interface HcScheduler {
  /** Runs `fn` once after `ms`. Real timers are unref'd: health checks never keep the process up. */
  schedule(ms: number, fn: () => void): HcTimer;
}

export const realScheduler: HcScheduler = {
  schedule(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
