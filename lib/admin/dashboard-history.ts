import type { Snapshot } from './dashboard-series.js';

/**
 * A small ring of recent snapshots, taken when the dashboard polls (never on the request path).
 * Rates compare the newest poll with the oldest snapshot still inside the window, so two tabs
 * polling at once, or a slow poller, still get a sensible rate.
 */
export class DashboardHistory {
  private readonly ring: Array<Snapshot | undefined>;
  private next = 0;

  constructor(
    readonly capacity = 16,
    /** How far back rates and percentiles look. */
    readonly windowMs = 10_000,
    /** Polls closer together than this reuse the ring instead of adding a snapshot. */
    readonly minGapMs = 500,
  ) {
    this.ring = new Array<Snapshot | undefined>(capacity);
  }

  /** The snapshot to compare `now` with, or null when there is none older (first poll). */
  baseline(now: Snapshot): Snapshot | null {
    let best: Snapshot | null = null;
    let newest: Snapshot | null = null;
    for (const s of this.ring) {
      if (s === undefined || s.atMs >= now.atMs) continue;
      if (newest === null || s.atMs > newest.atMs) newest = s;
      if (now.atMs - s.atMs <= this.windowMs && (best === null || s.atMs < best.atMs)) best = s;
    }
    return best ?? newest;
  }

  /** Keeps `s` unless the last kept snapshot is younger than minGapMs. */
  add(s: Snapshot): void {
    const last = this.ring[(this.next - 1 + this.capacity) % this.capacity];
    if (last !== undefined && s.atMs - last.atMs < this.minGapMs) return;
    this.ring[this.next] = s;
    this.next = (this.next + 1) % this.capacity;
  }
}
