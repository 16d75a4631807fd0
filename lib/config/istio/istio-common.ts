/**
 * Readers shared by the Istio decoders: durations as istiod parses them, StringMatch, label
 * maps and selectors, ports, percentages, destinations and `exportTo`. Checks mirror istiod's
 * `pkg/config/validation` so a resource Skiff accepts is one `kubectl apply` would accept.
 */
import { addIssue, describe, type FieldReader, isPlainObject } from '../reader.js';
import { checkRegex } from '../regex.js';
import type { IstioDestination, Percent, StringMatch, WorkloadSelector } from './model.js';
import { isDns1123Label, isWildcardDomain } from './names.js';

export const INT32_MAX = 2_147_483_647;

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Istio durations: istiod decodes YAML with the legacy protobuf JSON reader, which parses Go
 * durations ("10s", "0.5s", "1m", "1h30m", "250ms"). Milliseconds, or the reason it is invalid.
 */
export function parseIstioDuration(v: unknown): number | string {
  if (typeof v !== 'string') {
    return `invalid duration: expected a string such as "10s" or "500ms", got ${describe(v)}`;
  }
  const s = v.trim();
  if (s.startsWith('-')) return `invalid duration "${v}": must not be negative`;
  if (s === '0') return 0;
  if (/^\d+(\.\d+)?$/.test(s)) return `invalid duration "${v}": missing a unit (e.g. "${s}s")`;
  let ms = 0;
  let at = s.startsWith('+') ? 1 : 0;
  if (at === s.length) return `invalid duration "${v}"`;
  while (at < s.length) {
    DURATION_PART.lastIndex = at;
    const m = DURATION_PART.exec(s);
    if (m === null) {
      return `invalid duration "${v}": expected a number and a unit (h, m, s, ms, us, ns) such as "10s" or "1m30s"`;
    }
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = DURATION_PART.lastIndex;
  }
  return ms;
}

/**
 * A duration field; null when absent. `positive` applies istiod's `ValidateDuration`: at least
 * 1 ms, whole milliseconds.
 */
export function durationField(r: FieldReader, name: string, positive = true): number | null {
  const v = r.raw(name);
  if (v === undefined) return null;
  const ms = parseIstioDuration(v);
  if (typeof ms === 'string') {
    r.error(name, ms);
    return null;
  }
  if (positive && ms < 1) {
    r.error(name, `duration must be at least 1ms, got "${String(v)}"`);
    return null;
  }
  const rounded = Math.round(ms * 1e6) / 1e6;
  if (positive && !Number.isInteger(rounded)) {
    r.error(name, `only millisecond precision is supported, got "${String(v)}"`);
    return null;
  }
  return rounded;
}

/** `Percent {value}` (0, or 0.0001–100); null when absent. */
export function percentField(r: FieldReader, name: string): Percent | null {
  const p = r.object(name);
  if (p === undefined) return null;
  const value = p.number('value', 0, 100) ?? 0;
  if (value > 0 && value < 0.0001) p.error('value', `${value} is neither 0 nor in the range 0.0001–100`);
  p.finish();
  return value;
}

/** protobuf `BoolValue` (a plain boolean in YAML); null when absent. */
export function boolValue(r: FieldReader, name: string): boolean | null {
  return r.bool(name) ?? null;
}

/** protobuf `UInt32Value`; null when absent. */
export function uint32Value(r: FieldReader, name: string): number | null {
  return r.int(name) ?? null;
}

/** A non-negative int32 (istiod rejects negatives); 0 when absent. */
export function int32Field(r: FieldReader, name: string, min = 0): number {
  return r.int(name, min, INT32_MAX) ?? 0;
}

/** A port number 1–65535; 0 when absent (or invalid, with an issue). */
export function portField(r: FieldReader, name: string): number {
  return r.int(name, 1, 65_535) ?? 0;
}

export type StringMatchWhere = 'uri' | 'other' | 'withoutHeaders';

/**
 * One `StringMatch` object. A prefix may be empty only for `uri`; a regex must be RE2 and at
 * most 1024 characters; `withoutHeaders` also takes regex `*` (presence).
 */
export function readStringMatch(r: FieldReader, where: StringMatchWhere = 'other'): StringMatch | null {
  const several = ['exact', 'prefix', 'regex'].filter((n) => r.has(n)).length > 1;
  const which = r.oneOf(['exact', 'prefix', 'regex'], false);
  r.skip('exact', 'prefix', 'regex');
  let out: StringMatch | null = several ? null : { type: 'any', value: '' };
  if (which !== undefined) {
    const value = r.string(which);
    out = value === undefined ? null : { type: which as StringMatch['type'], value };
    if (out !== null && which === 'prefix' && value === '' && where !== 'uri') {
      r.error(which, 'a prefix match must not be empty');
      out = null;
    }
    if (out !== null && which === 'regex' && !(where === 'withoutHeaders' && value === '*')) {
      const reason = value === '' ? 'a regex match must not be empty' : regexProblem(value ?? '');
      if (reason !== null) {
        r.error(which, reason);
        out = null;
      }
    }
  }
  r.finish();
  return out;
}

function regexProblem(re: string): string | null {
  if (re.length > 1024) return 'regex is too large; at most 1024 characters';
  return checkRegex(re);
}

/** A `StringMatch` field; null when absent. */
export function stringMatchField(
  r: FieldReader,
  name: string,
  where: StringMatchWhere = 'other',
): StringMatch | null {
  const m = r.object(name);
  return m === undefined ? null : readStringMatch(m, where);
}

/** A `map<string, StringMatch>`; keys pass `checkKey` (null = fine, else the reason). */
export function stringMatchMap(
  r: FieldReader,
  name: string,
  where: StringMatchWhere,
  checkKey: (key: string) => string | null,
): Readonly<Record<string, StringMatch>> {
  const m = r.map(name);
  const out: Record<string, StringMatch> = {};
  if (m === undefined) return out;
  for (const key of m.names()) {
    const reason = checkKey(key);
    if (reason !== null) m.error(key, reason);
    const v = m.raw(key);
    if (v === undefined) {
      m.error(key, 'expected a StringMatch object, got null');
      continue;
    }
    const sm = m.object(key);
    const match = sm === undefined ? null : readStringMatch(sm, where);
    if (match !== null && reason === null) out[key] = match;
  }
  return out;
}

/** A `map<string, string>`; `checkEntry` validates each pair. */
export function stringMap(
  r: FieldReader,
  name: string,
  checkEntry?: (key: string, value: string) => string | null,
): Readonly<Record<string, string>> {
  const m = r.map(name);
  const out: Record<string, string> = {};
  if (m === undefined) return out;
  for (const key of m.names()) {
    const v = m.raw(key);
    if (typeof v !== 'string') {
      m.error(
        key,
        `expected a string, got ${describe(v ?? null)}${typeof v === 'number' ? ' (quote it)' : ''}`,
      );
      continue;
    }
    const reason = checkEntry?.(key, v) ?? null;
    if (reason !== null) m.error(key, reason);
    else out[key] = v;
  }
  return out;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes label rules: `[prefix/]name` keys, values of at most 63 characters. */
export function checkLabel(key: string, value: string): string | null {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (key === '') return 'empty label key is not supported';
  if (key.includes('*') || value.includes('*'))
    return `wildcard is not supported in labels ("${key}=${value}")`;
  if (!LABEL_NAME.test(name) || (slash >= 0 && !isWildcardDomain(prefix, false))) {
    return `invalid label key "${key}"`;
  }
  if (value !== '' && !LABEL_NAME.test(value)) return `invalid label value "${value}" for key "${key}"`;
  return null;
}

/** A label map (`labels`, `sourceLabels`, `matchLabels`). */
export function labelsField(r: FieldReader, name: string): Readonly<Record<string, string>> {
  return stringMap(r, name, checkLabel);
}

/** `WorkloadSelector`; `field` is `matchLabels` (security, type.v1beta1) or `labels` (networking). */
export function workloadSelectorField(
  r: FieldReader,
  name: string,
  field: 'matchLabels' | 'labels',
): WorkloadSelector | null {
  const s = r.object(name);
  if (s === undefined) return null;
  const labels = labelsField(s, field);
  if (Object.keys(labels).length === 0 && !s.has(field)) {
    s.warn(null, 'workload selector without labels selects every workload in the namespace');
  }
  s.finish();
  return { labels };
}

/** `Destination {host, subset, port {number}}`. */
export function readDestination(r: FieldReader): IstioDestination {
  const host = r.requiredString('host');
  if (host === '*') r.error('host', 'invalid destination host "*"');
  else if (host !== '' && !isWildcardDomain(host, true)) r.error('host', `invalid host "${host}"`);
  const subset = r.string('subset') ?? '';
  if (r.has('subset') && !isDns1123Label(subset)) r.error('subset', `invalid subset name "${subset}"`);
  const port = portSelector(r, 'port');
  r.finish();
  return { host, subset, port };
}

/** A required `Destination` field. */
export function destinationField(r: FieldReader, name: string): IstioDestination | null {
  const d = r.requiredObject(name);
  return d === undefined ? null : readDestination(d);
}

/** `PortSelector {number}`; null when absent. */
export function portSelector(r: FieldReader, name: string): number | null {
  const p = r.object(name);
  if (p === undefined) return null;
  if (!p.has('number')) p.error(null, 'missing required field "number"');
  const n = portField(p, 'number');
  p.finish();
  return n === 0 ? null : n;
}

/** `exportTo`: `.`, `*`, namespaces (and `~` for ServiceEntry), without duplicates or mixes. */
export function exportToField(r: FieldReader, namespace: string, allowNone: boolean): string[] {
  const list = r.strings('exportTo');
  const seen = new Set<string>();
  for (const e of list) {
    const key = e === '.' ? namespace : e;
    if (seen.has(key)) {
      r.error(
        'exportTo',
        e === key ? `duplicate entry "${e}"` : `"." and "${namespace}" are the same namespace`,
      );
    } else if (!(e === '.' || e === '*' || (e === '~' && allowNone) || isDns1123Label(e))) {
      r.error(
        'exportTo',
        `invalid entry "${e}": expected ".", "*"${allowNone ? ', "~"' : ''} or a namespace`,
      );
    }
    seen.add(key);
  }
  if (seen.has('*') && list.length > 1) r.error('exportTo', 'cannot mix "*" with other entries');
  if (seen.has('~') && list.length > 1) r.error('exportTo', 'cannot mix "~" (no one) with other entries');
  return list;
}

/** Reports a field that must hold a non-empty list; returns it. */
export function nonEmptyStrings(r: FieldReader, name: string, what: string): string[] {
  const list = r.strings(name);
  if (list.length === 0) r.error(r.has(name) ? name : null, `${what} must contain at least one entry`);
  return list;
}

/** Reports each empty string of a list field. */
export function noEmptyValues(r: FieldReader, name: string, list: readonly string[]): void {
  list.forEach((v, i) => {
    if (v === '') addIssue(r.sink, `${r.at(name)}[${i}]`, 'must not be empty');
  });
}

/** True when `v` is an object with no fields (`{}`), which Istio treats as absent in places. */
export function isEmptyObject(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length === 0;
}
