import { Counter, Gauge, Histogram } from './cells.js';
import { type ExpositionQuery, writeExposition } from './exposition.js';
import { newFamily, type StatFamily } from './family.js';
import type { StatDef } from './stat-def.js';

/** The cell type a declared stat binds to. */
export type CellOf<D extends StatDef> = D['type'] extends 'counter'
  ? Counter
  : D['type'] extends 'gauge'
    ? Gauge
    : Histogram;

/** One cell per row of a stat table, all bound to the same label values. */
export type BoundTable<T extends Record<string, StatDef>> = { readonly [K in keyof T]: CellOf<T[K]> };

/** The families of one StatsRegistry, by Prometheus name; typed lookups used at bind time only. */
export class Families {
  private readonly byName = new Map<string, StatFamily>();
  /** Hooks that refresh scrape-time values (server gauges) before the text is written. */
  private readonly beforeScrape: Array<() => void> = [];

  declare(defs: readonly StatDef[], beforeScrape: (() => void) | null = null): void {
    for (const def of defs) this.byName.set(def.name, newFamily(def));
    if (beforeScrape !== null) this.beforeScrape.push(beforeScrape);
  }

  /** The whole registry in Prometheus text format, families in declaration order. */
  exposition(q: ExpositionQuery = {}): string {
    return writeExposition(this.scrape(), q);
  }

  /** Every family in declaration order, after the scrape-time hooks refreshed their values. */
  scrape(): IterableIterator<StatFamily> {
    for (const hook of this.beforeScrape) hook();
    return this.byName.values();
  }

  counter(def: StatDef, values: readonly string[]): Counter {
    const c = this.family(def).child(values);
    if (!(c instanceof Counter)) throw new Error(`${def.name} is not a counter`);
    return c;
  }

  gauge(def: StatDef, values: readonly string[]): Gauge {
    const c = this.family(def).child(values);
    if (!(c instanceof Gauge)) throw new Error(`${def.name} is not a gauge`);
    return c;
  }

  histogram(def: StatDef, values: readonly string[]): Histogram {
    const c = this.family(def).child(values);
    if (!(c instanceof Histogram)) throw new Error(`${def.name} is not a histogram`);
    return c;
  }

  /** Every stat of `table` bound to `values` (each table row sharing the same labels). */
  bindTable<T extends Record<string, StatDef>>(table: T, values: readonly string[]): BoundTable<T> {
    const out: Record<string, Counter | Gauge | Histogram> = {};
    for (const [key, def] of Object.entries(table)) out[key] = this.family(def).child(values);
    return out as BoundTable<T>;
  }

  removeWhere(defs: readonly StatDef[], label: string, value: string): void {
    for (const def of defs) this.family(def).removeWhere(label, value);
  }

  private family(def: StatDef): StatFamily {
    const f = this.byName.get(def.name);
    if (f === undefined) throw new Error(`stat ${def.name} was not declared`);
    return f;
  }
}
