import { histogramQuantile, type StatEntry, SUPPORTED_QUANTILES } from '../stats/stat-list.js';
import type { StatsQuery } from './stats-query.js';

/** The entries `?filter=`, `?usedonly` and `?type=` keep, in name order. */
export function selectStats(entries: readonly StatEntry[], q: StatsQuery): StatEntry[] {
  return entries.filter(
    (e) =>
      (!q.usedOnly || e.used) &&
      (q.type === null || e.type === q.type) &&
      (q.filter === null || q.filter.test(e.name)),
  );
}

// Six significant digits, no exponent for ordinary latencies, as Envoy's `{:g}`-style output.
function fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/**
 * `/stats` plain text: `name: value` per counter and gauge, then one line per histogram in
 * Envoy's quantile form `P0(interval,cumulative) P25(…) … P100(…)`. Skiff keeps no interval
 * histograms, so the interval part is always `nan`.
 */
export function statsText(entries: readonly StatEntry[]): string {
  let out = '';
  let histos = '';
  for (const e of entries) {
    if (e.histogram === null) {
      out += `${e.name}: ${e.value}\n`;
      continue;
    }
    const h = e.histogram;
    if (h.count === 0) {
      histos += `${e.name}: No recorded values\n`;
      continue;
    }
    const parts = SUPPORTED_QUANTILES.map((p) => `P${p}(nan,${fmt(histogramQuantile(h, p)!)})`);
    histos += `${e.name}: ${parts.join(' ')}\n`;
  }
  return out + histos;
}

/** `/stats?format=json`: Envoy's `{"stats":[{name,value}…,{"histograms":{…}}]}`. */
export function statsJson(entries: readonly StatEntry[]): unknown {
  const stats: unknown[] = [];
  const computed: unknown[] = [];
  for (const e of entries) {
    const h = e.histogram;
    if (h === null) {
      stats.push({ name: e.name, value: e.value });
      continue;
    }
    computed.push({
      name: e.name,
      values: SUPPORTED_QUANTILES.map((p) => ({ interval: null, cumulative: histogramQuantile(h, p) })),
    });
  }
  if (computed.length > 0) {
    stats.push({ histograms: { supported_quantiles: SUPPORTED_QUANTILES, computed_quantiles: computed } });
  }
  return { stats };
}
