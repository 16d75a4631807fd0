import { Counter, DEFAULT_BUCKETS, Gauge, Histogram } from './cells.js';
import type { StatDef } from './stat-def.js';

interface Child<C> {
  readonly labels: Readonly<Record<string, string>>;
  /** The label values in `def.labels` order. */
  readonly values: readonly string[];
  readonly cell: C;
}

/**
 * All label children of one declared stat. Children are created once at bind time and handed
 * to the data path; the family only enumerates them when Prometheus scrapes.
 */
export class StatFamily<C extends Counter | Gauge | Histogram = Counter | Gauge | Histogram> {
  private readonly children = new Map<string, Child<C>>();

  constructor(
    readonly def: StatDef,
    private readonly make: () => C,
  ) {}

  /** The cell for these label values (in `def.labels` order), created on first use. */
  child(values: readonly string[]): C {
    if (values.length !== this.def.labels.length) {
      throw new Error(`${this.def.name} takes ${this.def.labels.length} label values, got ${values.length}`);
    }
    const key = values.join('\u0000');
    let c = this.children.get(key);
    if (c === undefined) {
      const labels: Record<string, string> = {};
      this.def.labels.forEach((n, i) => {
        labels[n] = values[i]!;
      });
      c = { labels, values: [...values], cell: this.make() };
      this.children.set(key, c);
    }
    return c.cell;
  }

  /** Drops every child whose `label` equals `value` (a removed cluster's series). */
  removeWhere(label: string, value: string): void {
    for (const [key, c] of this.children) {
      if (c.labels[label] === value) this.children.delete(key);
    }
  }

  entries(): IterableIterator<Child<C>> {
    return this.children.values();
  }
}

export function newFamily(def: StatDef): StatFamily {
  switch (def.type) {
    case 'counter':
      return new StatFamily<Counter>(def, () => new Counter());
    case 'gauge':
      return new StatFamily<Gauge>(def, () => new Gauge());
    case 'histogram':
      return new StatFamily<Histogram>(def, () => new Histogram(DEFAULT_BUCKETS));
  }
}
