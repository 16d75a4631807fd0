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
  const cumulative = new Float64Array(h.counts.length);
  let acc = 0;
  for (let i = 0; i < h.counts.length; i++) cumulative[i] = acc += h.counts[i]!;
  return cumulativeQuantile(percent / 100, [...h.bounds, Number.POSITIVE_INFINITY], cumulative);
}

/**
 * Prometheus' `histogram_quantile` (q in 0…1) over cumulative buckets (`bounds` ascending, +Inf
 * last): linear interpolation inside the first non-empty bucket holding the rank; the +Inf bucket
 * answers with the highest finite bound. Null when empty.
 */
export function cumulativeQuantile(
  q: number,
  bounds: readonly number[],
  cumulative: ArrayLike<number>,
): number | null {
  const n = bounds.length;
  if (n === 0) return null;
  const total = cumulative[n - 1]!;
  if (!(total > 0)) return null;
  const rank = q * total;
  let i = 0;
  // Empty buckets are skipped too, so rank 0 (P0) reads the lowest bucket holding a sample.
  while (i < n - 1 && (cumulative[i]! < rank || cumulative[i] === (i === 0 ? 0 : cumulative[i - 1]))) i++;
  const upper = bounds[i]!;
  if (upper === Number.POSITIVE_INFINITY) return n >= 2 ? bounds[n - 2]! : null;
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  const below = i === 0 ? 0 : cumulative[i - 1]!;
  const inBucket = cumulative[i]! - below;
  if (inBucket <= 0) return upper;
  return lower + ((upper - lower) * (rank - below)) / inBucket;
}
