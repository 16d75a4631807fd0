import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from './cells.js';
import { newFamily, type StatFamily } from './family.js';
import { registerFamily } from './prom-views.js';
import type { StatDef } from './stat-def.js';

/** The families of one StatsRegistry, by Prometheus name; typed lookups used at bind time only. */
export class Families {
  private readonly byName = new Map<string, StatFamily>();

  constructor(private readonly registry: Registry) {}

  declare(defs: readonly StatDef[], beforeScrape: (() => void) | null = null): void {
    for (const def of defs) {
      const family = newFamily(def);
      this.byName.set(def.name, family);
      registerFamily(this.registry, family, beforeScrape);
    }
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

  removeWhere(defs: readonly StatDef[], label: string, value: string): void {
    for (const def of defs) this.family(def).removeWhere(label, value);
  }

  private family(def: StatDef): StatFamily {
    const f = this.byName.get(def.name);
    if (f === undefined) throw new Error(`stat ${def.name} was not declared`);
    return f;
  }
}
