import type { CounterCell, GaugeCell, HistogramCell } from './types.js';

/**
 * Plain-number stat cells: the data path bumps a field; the exposition reads them at scrape
 * time. (prom-client's `labels().inc()` hashes the label set on every call; it is not used.)
 */
export class Counter implements CounterCell {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
}

export class Gauge implements GaugeCell {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
  set(v: number): void {
    this.value = v;
  }
}

/** Envoy's `HistogramSettingsImpl::defaultBuckets` (ms), used for every histogram here. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

/** Non-cumulative counts per bucket (last slot is +Inf); cumulated only at scrape time. */
export class Histogram implements HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

export type Cell = Counter | Gauge | Histogram;
