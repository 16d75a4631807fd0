import type { SlowStartConfig } from '../../config/model.js';
import type { Clock } from '../../util/clock.js';
import type { Host } from '../types.js';

/**
 * Envoy's slow start for ROUND_ROBIN and LEAST_REQUEST: during `window` after a host started
 * (first seen healthy, or passed an active health check after failing) its weight is scaled by
 * max(minWeightFraction, timeFactor^(1/aggression)), timeFactor = max(1 ms, elapsed) / window.
 * One instance per load balancer; the start time lives on the host (`lastHcPassTimeMs`).
 */
export class SlowStart {
  private readonly windowMs: number;
  private readonly inverseAggression: number;
  private readonly minWeightFraction: number;
  private readonly clock: Clock;
  /** Latest start among hosts still inside the window (Envoy's latest_host_added_time_). */
  private latestStartMs = Number.NEGATIVE_INFINITY;

  constructor(cfg: SlowStartConfig, clock: Clock) {
    this.windowMs = cfg.windowMs;
    this.inverseAggression = 1 / cfg.aggression;
    this.minWeightFraction = cfg.minWeightFraction;
    this.clock = clock;
  }

  /** Stamps hosts seen healthy for the first time; call whenever membership or health changed. */
  observe(hosts: readonly Host[]): void {
    const now = this.clock.now();
    for (const h of hosts) {
      if (!h.healthy()) continue;
      let started = h.lastHcPassTimeMs;
      if (started === undefined) {
        started = now;
        h.lastHcPassTimeMs = now;
      }
      if (started > this.latestStartMs && now - started <= this.windowMs) this.latestStartMs = started;
    }
  }

  /** True while some host may still be ramping (Envoy's `!noHostsAreInSlowStart()`). */
  active(): boolean {
    return this.clock.now() - this.latestStartMs <= this.windowMs;
  }

  /** `base` scaled for `h`'s position in its window; unchanged outside it or when unhealthy. */
  weight(h: Host, base: number): number {
    const started = h.lastHcPassTimeMs;
    if (started === undefined || !h.healthy()) return base;
    const elapsed = this.clock.now() - started;
    if (elapsed >= this.windowMs) return base;
    const timeFactor = Math.max(1, elapsed) / this.windowMs;
    const ramp = this.inverseAggression === 1 ? timeFactor : timeFactor ** this.inverseAggression;
    return base * Math.max(ramp, this.minWeightFraction);
  }
}
