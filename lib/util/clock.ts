/** Monotonic and wall time, injected so timing logic is testable without sleeping. */
export interface Clock {
  /** Monotonic milliseconds (fractional); only differences are meaningful. */
  now(): number;
  /** Wall-clock epoch milliseconds, for timestamps users read. */
  wallNow(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
};
