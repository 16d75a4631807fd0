/**
 * Reads Prometheus text exposition (what `AdminContext.prometheus()` returns) back into samples,
 * so the dashboard works from the same numbers a scrape sees, whichever tag names the mode uses.
 */

/** One sample line: metric name (with `_bucket`/`_sum`/`_count`), labels and value. */
export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/y;

function unescapeLabel(v: string): string {
  return v.indexOf('\\') < 0 ? v : v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(v: string): number {
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

/** One sample line, or null for comments, blanks and lines it cannot read. */
export function parseSampleLine(line: string): ExpositionSample | null {
  if (line === '' || line.startsWith('#')) return null;
  const brace = line.indexOf('{');
  const labels: Record<string, string> = {};
  let name: string;
  let rest: string;
  if (brace < 0) {
    const sp = line.indexOf(' ');
    if (sp < 0) return null;
    name = line.slice(0, sp);
    rest = line.slice(sp + 1);
  } else {
    name = line.slice(0, brace);
    let pos = brace + 1;
    LABEL.lastIndex = pos;
    let m: RegExpExecArray | null;
    while ((m = LABEL.exec(line)) !== null) {
      labels[m[1]!] = unescapeLabel(m[2]!);
      pos = LABEL.lastIndex;
    }
    if (line[pos] !== '}') return null;
    rest = line.slice(pos + 1);
  }
  // A timestamp may follow the value; only the value is used.
  const value = parseValue(rest.trim().split(' ')[0] ?? '');
  return Number.isNaN(value) && !rest.includes('NaN') ? null : { name, labels, value };
}

/** Samples grouped by metric name, only for names `wanted` accepts (skips the rest unparsed). */
export function readExposition(
  text: string,
  wanted: (name: string) => boolean,
): Map<string, ExpositionSample[]> {
  const out = new Map<string, ExpositionSample[]>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(start);
    // Cheap prefilter: read the name before parsing labels of a line nobody wants.
    if (end > start && c !== 35 /* # */) {
      let nameEnd = start;
      while (nameEnd < end && text[nameEnd] !== '{' && text[nameEnd] !== ' ') nameEnd++;
      if (wanted(text.slice(start, nameEnd))) {
        const s = parseSampleLine(text.slice(start, end));
        if (s !== null) {
          let list = out.get(s.name);
          if (list === undefined) out.set(s.name, (list = []));
          list.push(s);
        }
      }
    }
    start = end + 1;
  }
  return out;
}
