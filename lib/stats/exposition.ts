import { Counter, Gauge, Histogram } from './cells.js';
import type { StatFamily } from './family.js';

/** Prometheus text exposition format 0.0.4 content type. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values escape `\`, `"` and newlines; HELP text escapes `\` and newlines. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Readonly<Record<string, string>>, le?: string): string {
  let out = '';
  for (const k in labels) out += `${out === '' ? '' : ','}${k}="${escapeLabel(labels[k]!)}"`;
  if (le !== undefined) out += `${out === '' ? '' : ','}le="${le}"`;
  return out === '' ? '' : `{${out}}`;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/**
 * One family's HELP/TYPE block and samples. Histograms print `_bucket` (cumulative, `le` after
 * the stat's own labels as Envoy does), `_sum` and `_count`. A family with no children prints
 * its HELP/TYPE only, as prom-client did.
 */
export function formatFamily(family: StatFamily): string {
  const { name, help, type } = family.def;
  let out = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
  for (const { labels, cell } of family.entries()) {
    if (cell instanceof Histogram) {
      let acc = 0;
      for (let i = 0; i < cell.bounds.length; i++) {
        acc += cell.counts[i]!;
        out += `${name}_bucket${labelText(labels, String(cell.bounds[i]))} ${acc}\n`;
      }
      out += `${name}_bucket${labelText(labels, '+Inf')} ${cell.count}\n`;
      out += `${name}_sum${labelText(labels)} ${num(cell.sum)}\n`;
      out += `${name}_count${labelText(labels)} ${cell.count}\n`;
    } else if (cell instanceof Counter || cell instanceof Gauge) {
      out += `${name}${labelText(labels)} ${num(cell.value)}\n`;
    }
  }
  return out;
}
