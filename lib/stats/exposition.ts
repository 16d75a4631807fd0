import { Counter, Gauge, Histogram } from './cells.js';
import type { StatFamily } from './family.js';
import { type ExposedShape, envoyStatName, exposedShape, type StatNaming } from './naming.js';

/** Prometheus text exposition format 0.0.4 content type. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What a scrape asks for: the naming, and Envoy's `?filter=` / `?usedonly` selection. */
export interface ExpositionQuery {
  /** Default `envoy`. */
  readonly naming?: StatNaming;
  /** Kept when it matches (anywhere) the Envoy stat name, as `/stats/prometheus?filter=` does. */
  readonly filter?: RegExp | null;
  /** Only stats that moved from zero (Skiff keeps no separate "used" bit). */
  readonly usedOnly?: boolean;
}

/** Label values escape `\`, `"` and newlines; HELP text escapes `\` and newlines. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(shape: ExposedShape, values: readonly string[], le?: string): string {
  let out = '';
  for (let i = 0; i < shape.labels.length; i++) {
    out += `${out === '' ? '' : ','}${shape.labels[i]}="${escapeLabel(values[i]! + shape.valueSuffix[i])}"`;
  }
  if (le !== undefined) out += `${out === '' ? '' : ','}le="${le}"`;
  return out === '' ? '' : `{${out}}`;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/** Envoy's "used" approximated as "moved from zero": cells carry no written bit. */
export function isUsed(cell: Counter | Gauge | Histogram): boolean {
  return cell instanceof Histogram ? cell.count > 0 : cell.value !== 0;
}

/**
 * One family's samples. Histograms print `_bucket` (cumulative, `le` after the stat's own labels
 * as Envoy does), `_sum` and `_count`.
 */
function samples(family: StatFamily, shape: ExposedShape, q: ExpositionQuery): string {
  const name = shape.name;
  let out = '';
  for (const { values, cell } of family.entries()) {
    if (q.usedOnly === true && !isUsed(cell)) continue;
    if (q.filter != null && !q.filter.test(envoyStatName(family.def, values))) continue;
    if (cell instanceof Histogram) {
      let acc = 0;
      for (let i = 0; i < cell.bounds.length; i++) {
        acc += cell.counts[i]!;
        out += `${name}_bucket${labelText(shape, values, String(cell.bounds[i]))} ${acc}\n`;
      }
      out += `${name}_bucket${labelText(shape, values, '+Inf')} ${cell.count}\n`;
      out += `${name}_sum${labelText(shape, values)} ${num(cell.sum)}\n`;
      out += `${name}_count${labelText(shape, values)} ${cell.count}\n`;
    } else if (cell instanceof Counter || cell instanceof Gauge) {
      out += `${name}${labelText(shape, values)} ${num(cell.value)}\n`;
    }
  }
  return out;
}

interface Block {
  readonly type: string;
  readonly help: string;
  body: string;
}

/**
 * The text of all families, in declaration order. Families that one naming maps onto the same
 * series name (Istio's `upstream_rq_200` and `upstream_rq_2xx`) share one HELP/TYPE block, as a
 * second TYPE line for a name is a parse error. Without a selection every family prints its
 * HELP/TYPE even with no children (as prom-client did); with `filter`/`usedOnly` empty ones are
 * left out, as Envoy does.
 */
export function writeExposition(families: Iterable<StatFamily>, q: ExpositionQuery = {}): string {
  const naming = q.naming ?? 'envoy';
  const blocks = new Map<string, Block>();
  for (const family of families) {
    const shape = exposedShape(family.def, naming);
    let b = blocks.get(shape.name);
    if (b === undefined) {
      b = { type: family.def.type, help: family.def.help, body: '' };
      blocks.set(shape.name, b);
    } else if (b.type !== family.def.type) {
      throw new Error(`${shape.name}: ${family.def.name} is a ${family.def.type}, not a ${b.type}`);
    }
    b.body += samples(family, shape, q);
  }
  const selective = q.usedOnly === true || q.filter != null;
  let out = '';
  for (const [name, b] of blocks) {
    if (selective && b.body === '') continue;
    out += `# HELP ${name} ${escapeHelp(b.help)}\n# TYPE ${name} ${b.type}\n${b.body}\n`;
  }
  return out;
}
