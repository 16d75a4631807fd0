import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  type Registry,
} from 'prom-client';
import { Counter, Gauge, Histogram } from './cells.js';
import type { StatFamily } from './family.js';

type ScalarValue = { value: number; labels: Record<string, string> };
type NamedValue = ScalarValue & { metricName: string };

function scalarValues(family: StatFamily): ScalarValue[] {
  const out: ScalarValue[] = [];
  for (const { labels, cell } of family.entries()) {
    if (cell instanceof Counter || cell instanceof Gauge)
      out.push({ value: cell.value, labels: { ...labels } });
  }
  return out;
}

// Envoy prints `le` after the stat's own tags; prom-client would put it first.
function histogramValues(family: StatFamily): NamedValue[] {
  const name = family.def.name;
  const out: NamedValue[] = [];
  for (const { labels, cell } of family.entries()) {
    if (!(cell instanceof Histogram)) continue;
    let acc = 0;
    cell.bounds.forEach((le, i) => {
      acc += cell.counts[i]!;
      out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: String(le) }, value: acc });
    });
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cell.count });
    out.push({ metricName: `${name}_sum`, labels: { ...labels }, value: cell.sum });
    out.push({ metricName: `${name}_count`, labels: { ...labels }, value: cell.count });
  }
  return out;
}

/**
 * prom-client metric objects whose values come from a StatFamily at scrape time, so the
 * registry's text exposition (names, HELP/TYPE, escaping) stays prom-client's own.
 */
class CounterView extends PromCounter<string> {
  constructor(
    private readonly family: StatFamily,
    private readonly beforeScrape: (() => void) | null,
  ) {
    super({
      name: family.def.name,
      help: family.def.help,
      labelNames: [...family.def.labels],
      registers: [],
    });
  }
  override async get() {
    this.beforeScrape?.();
    const base = await super.get();
    base.values = scalarValues(this.family);
    return base;
  }
}

class GaugeView extends PromGauge<string> {
  constructor(
    private readonly family: StatFamily,
    private readonly beforeScrape: (() => void) | null,
  ) {
    super({
      name: family.def.name,
      help: family.def.help,
      labelNames: [...family.def.labels],
      registers: [],
    });
  }
  override async get() {
    this.beforeScrape?.();
    const base = await super.get();
    base.values = scalarValues(this.family);
    return base;
  }
}

type HistogramMetric = Awaited<ReturnType<PromHistogram<string>['get']>>;

class HistogramView extends PromHistogram<string> {
  constructor(
    private readonly family: StatFamily,
    private readonly beforeScrape: (() => void) | null,
  ) {
    super({
      name: family.def.name,
      help: family.def.help,
      labelNames: [...family.def.labels],
      registers: [],
    });
  }
  // prom-client's Histogram.get() calls getForPromString(), so this cannot start from super.get().
  override async get(): Promise<HistogramMetric> {
    this.beforeScrape?.();
    const metric = {
      name: this.family.def.name,
      help: this.family.def.help,
      type: 'histogram',
      aggregator: 'sum',
      values: histogramValues(this.family),
    };
    // The typings declare `type` as a numeric enum; at runtime prom-client uses the string.
    return metric as unknown as HistogramMetric;
  }
  // The registry prefers this (undeclared in prom-client's typings) over get() for text output.
  async getForPromString(): Promise<HistogramMetric> {
    return this.get();
  }
}

/** Registers a scrape-time view of `family` on `registry`. */
export function registerFamily(
  registry: Registry,
  family: StatFamily,
  beforeScrape: (() => void) | null,
): void {
  switch (family.def.type) {
    case 'counter':
      registry.registerMetric(new CounterView(family, beforeScrape));
      return;
    case 'gauge':
      registry.registerMetric(new GaugeView(family, beforeScrape));
      return;
    case 'histogram':
      registry.registerMetric(new HistogramView(family, beforeScrape));
      return;
  }
}
