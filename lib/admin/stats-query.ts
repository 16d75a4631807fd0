import { checkRegex } from '../config/regex.js';
import { compileRe2 } from '../router/re2.js';

/** Envoy's stats selection query: `?filter=<regex>`, `?usedonly`, `?type=`. */
export interface StatsQuery {
  /** Matches anywhere in the Envoy stat name (RE2 partial match), or null for all. */
  readonly filter: RegExp | null;
  readonly usedOnly: boolean;
  /** `?type=Counters|Gauges|Histograms`; null (or `All`) for every type. */
  readonly type: 'counter' | 'gauge' | 'histogram' | null;
}

const TYPES: Readonly<Record<string, StatsQuery['type']>> = {
  All: null,
  Counters: 'counter',
  Gauges: 'gauge',
  Histograms: 'histogram',
};

/** The query, or the 400 message for a bad regex or type. */
export function parseStatsQuery(q: URLSearchParams): StatsQuery | { readonly error: string } {
  const f = q.get('filter');
  let filter: RegExp | null = null;
  if (f !== null && f !== '') {
    // RE2 semantics, as Envoy compiles the filter with RE2: lookaround and backreferences fail.
    const bad = checkRegex(f);
    if (bad !== null) return { error: `Invalid re2 regex: ${bad}` };
    filter = compileRe2(f, 'filter', { anchored: false });
  }
  const t = q.get('type');
  if (t !== null && !(t in TYPES)) {
    return { error: `invalid type: ${t}; expected one of ${Object.keys(TYPES).join(', ')}` };
  }
  return { filter, usedOnly: q.has('usedonly'), type: t === null ? null : TYPES[t]! };
}
