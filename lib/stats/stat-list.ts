import { Histogram } from './cells.js';
import { isUsed } from './exposition.js';
import type { StatFamily } from './family.js';
import { envoyStatName } from './naming.js';

/** One stat under its Envoy name, as the admin `/stats` endpoint lists it. */
export interface StatEntry {
  /** Envoy's dotted name, e.g. `cluster.web.upstream_rq_200`. */
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** Counter/gauge value; a histogram's sample count. */
  readonly value: number;
  /** The histogram cell (read-only use), null for counters and gauges. */
  readonly histogram: Histogram | null;
  /** Moved from zero (Envoy's `?usedonly`). */
  readonly used: boolean;
}

/** Every stat of the families under its Envoy name, sorted by name. */
export function listStats(families: Iterable<StatFamily>): StatEntry[] {
  const out: StatEntry[] = [];
  for (const family of families) {
    for (const { values, cell } of family.entries()) {
      const histogram = cell instanceof Histogram ? cell : null;
      out.push({
        name: envoyStatName(family.def, values),
        type: family.def.type,
        value: histogram === null ? (cell as { value: number }).value : histogram.count,
        histogram,
        used: isUsed(cell),
      });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Envoy's `supported_quantiles` (percent). */
export const SUPPORTED_QUANTILES: readonly number[] = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100];

/**
 * A quantile (0…100) estimated from the bucket counts by linear interpolation inside the bucket
 * that holds it (Envoy interpolates inside its finer log-linear buckets; ours are its default
 * Prometheus bounds, so values are coarser). Samples above the last bound read as that bound.
 * null when nothing was recorded.
 */
export function histogramQuantile(h: Histogram, percent: number): number | null {
  if (h.count === 0) return null;
  const target = (percent / 100) * h.count;
  let before = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const n = h.counts[i]!;
    if (n === 0) continue;
    if (before + n >= target) {
      const lo = i === 0 ? 0 : h.bounds[i - 1]!;
      const hi = h.bounds[i] ?? lo;
      return lo + ((hi - lo) * Math.max(0, target - before)) / n;
    }
    before += n;
  }
  return h.bounds[h.bounds.length - 1] ?? 0;
}
