/**
 * A small typed reader over one raw (parsed YAML/JSON) object. Each read records the field as
 * seen; `finish()` then reports every field nobody read as `unknown field`, unless the caller
 * lists it as accepted-and-ignored or as a known Envoy field that is not supported yet.
 * Problems are recorded as issues with the full field path and reading continues, so one pass
 * reports every problem in a document.
 */
import { parseDuration } from './duration.js';
import type { ConfigIssue } from './errors.js';
import type { TlsFileRefSink } from './tls-files.js';

/** Where the issues of one document go (and, when collected, the certificate files it names). */
export interface IssueSink extends TlsFileRefSink {
  readonly file: string;
  readonly issues: ConfigIssue[];
  readonly warnings: ConfigIssue[];
}

export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string ("${v.length > 40 ? `${v.slice(0, 40)}…` : v}")`;
  if (typeof v === 'number') return `a number (${v})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  return typeof v;
}

export function addIssue(sink: IssueSink, path: string, message: string): void {
  sink.issues.push({ file: sink.file, path, message });
}

export function addWarning(sink: IssueSink, path: string, message: string): void {
  sink.warnings.push({ file: sink.file, path, message });
}

/** What `finish()` tolerates besides the fields that were read. */
export interface FinishRules {
  /** Real Envoy fields Skiff accepts and ignores (listed in docs/config.md). */
  readonly ignored?: readonly string[];
  /** Real Envoy fields Skiff rejects for now; the value is an optional hint. */
  readonly unsupported?: Readonly<Record<string, string>>;
}

const UINT32_MAX = 4_294_967_295;

// protobuf JSON accepts lowerCamelCase names as well as the proto (snake_case) names.
function toSnake(key: string): string {
  return key.startsWith('@') ? key : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function toCamel(key: string): string {
  return key.startsWith('@') ? key : key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The spelling callers use for field names: Envoy decoders read proto names (snake_case), Istio
 * decoders read JSON names (lowerCamelCase, as Istio's YAML is written). Both spellings are
 * accepted in the input either way; the canonical one appears in messages.
 */
export type FieldNaming = 'snake' | 'camel';

/** Typed field access over one raw object with issue recording and unknown-field detection. */
export class FieldReader {
  readonly sink: IssueSink;
  readonly path: string;
  private readonly obj: Record<string, unknown>;
  /** snake_case name → key as written. */
  private readonly keys = new Map<string, string>();
  private readonly used = new Set<string>();
  /** Naming of this reader's children (a map reader's values are still messages). */
  readonly naming: FieldNaming;

  /** `verbatimKeys` for protobuf maps, whose keys are data rather than field names. */
  constructor(
    sink: IssueSink,
    path: string,
    obj: Record<string, unknown>,
    verbatimKeys = false,
    naming: FieldNaming = 'snake',
  ) {
    this.sink = sink;
    this.path = path;
    this.obj = obj;
    this.naming = naming;
    const normalize = naming === 'camel' ? toCamel : toSnake;
    for (const key of Object.keys(obj)) {
      const name = verbatimKeys ? key : normalize(key);
      const prev = this.keys.get(name);
      if (prev !== undefined)
        addIssue(sink, path, `field "${name}" is given twice (as "${prev}" and "${key}")`);
      else this.keys.set(name, key);
    }
  }

  /** A reader over `value`, or null (with an issue) when it is not an object. */
  static of(
    sink: IssueSink,
    path: string,
    value: unknown,
    naming: FieldNaming = 'snake',
  ): FieldReader | null {
    if (!isPlainObject(value)) {
      addIssue(sink, path, `expected an object, got ${describe(value)}`);
      return null;
    }
    return new FieldReader(sink, path, value, false, naming);
  }

  /** True when the field is present and not null (protobuf JSON treats null as unset). */
  has(name: string): boolean {
    const key = this.keys.get(name);
    return key !== undefined && this.obj[key] !== null && this.obj[key] !== undefined;
  }

  /** Path of a field, using the key as written when present. */
  at(name: string): string {
    return childPath(this.path, this.keys.get(name) ?? name);
  }

  error(name: string | null, message: string): void {
    addIssue(this.sink, name === null ? this.path : this.at(name), message);
  }

  warn(name: string | null, message: string): void {
    addWarning(this.sink, name === null ? this.path : this.at(name), message);
  }

  /** snake_case names of every field present (including null ones). */
  names(): string[] {
    return [...this.keys.keys()];
  }

  /** Marks fields as read without looking at them. */
  skip(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  /** The raw value (undefined when absent or null), marking the field as read. */
  raw(name: string): unknown {
    this.used.add(name);
    const key = this.keys.get(name);
    if (key === undefined) return undefined;
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  private wrongType(name: string, expected: string, v: unknown): undefined {
    this.error(name, `expected ${expected}, got ${describe(v)}`);
    return undefined;
  }

  string(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || typeof v === 'string') return v;
    return this.wrongType(name, 'a string', v);
  }

  /** A required, non-empty string; `""` (with an issue) when missing. */
  requiredString(name: string): string {
    if (!this.has(name)) {
      this.used.add(name);
      this.error(null, `missing required field "${name}"`);
      return '';
    }
    const v = this.string(name);
    if (v === '') this.error(name, 'must not be empty');
    return v ?? '';
  }

  bool(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined || typeof v === 'boolean') return v;
    return this.wrongType(name, 'a boolean', v);
  }

  /** An integer (numeric strings accepted, as protobuf JSON does) within [min, max]. */
  int(name: string, min = 0, max = UINT32_MAX): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) return this.wrongType(name, 'an integer', v);
    if (n < min || n > max) {
      this.error(
        name,
        `${n} is out of range; must be ${max === UINT32_MAX ? `at least ${min}` : `${min}–${max}`}`,
      );
      return undefined;
    }
    return n;
  }

  number(name: string, min: number, max: number): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.wrongType(name, 'a number', v);
    if (v < min || v > max) {
      this.error(name, `${v} is out of range; must be ${min}–${max}`);
      return undefined;
    }
    return v;
  }

  /** Milliseconds. */
  duration(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (typeof ms === 'string') {
      this.error(name, ms);
      return undefined;
    }
    return ms;
  }

  /** A protobuf enum by name; `unsupported` names are real values Skiff does not implement yet. */
  enumValue<T extends string>(
    name: string,
    allowed: readonly T[],
    unsupported: readonly string[] = [],
  ): T | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.wrongType(name, `one of ${allowed.join(', ')}`, v);
    if ((allowed as readonly string[]).includes(v)) return v as T;
    if (unsupported.includes(v)) this.error(name, `${v} is not supported yet`);
    else this.error(name, `unknown value "${v}"; expected one of ${allowed.join(', ')}`);
    return undefined;
  }

  object(name: string): FieldReader | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    return FieldReader.of(this.sink, this.at(name), v, this.naming) ?? undefined;
  }

  /** A protobuf map field: a reader whose keys are taken as written. */
  map(name: string): FieldReader | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (!isPlainObject(v)) {
      this.wrongType(name, 'an object', v);
      return undefined;
    }
    return new FieldReader(this.sink, this.at(name), v, true, this.naming);
  }

  /** A required object; missing → issue and undefined. */
  requiredObject(name: string): FieldReader | undefined {
    if (!this.has(name)) {
      this.used.add(name);
      this.error(null, `missing required field "${name}"`);
      return undefined;
    }
    return this.object(name);
  }

  /** Elements of a list with their paths; absent → []. */
  list(name: string): { value: unknown; path: string }[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.wrongType(name, 'a list', v);
      return [];
    }
    const base = this.at(name);
    return v.map((value, i) => ({ value, path: indexPath(base, i) }));
  }

  /** A list of objects; elements that are not objects are reported and dropped. */
  objects(name: string): FieldReader[] {
    const out: FieldReader[] = [];
    for (const e of this.list(name)) {
      const r = FieldReader.of(this.sink, e.path, e.value, this.naming);
      if (r !== null) out.push(r);
    }
    return out;
  }

  strings(name: string): string[] {
    const out: string[] = [];
    for (const e of this.list(name)) {
      if (typeof e.value === 'string') out.push(e.value);
      else addIssue(this.sink, e.path, `expected a string, got ${describe(e.value)}`);
    }
    return out;
  }

  /** Which one of a protobuf `oneof` is set; more than one (or none when required) is an issue. */
  oneOf(names: readonly string[], required: boolean): string | undefined {
    const set = names.filter((n) => this.has(n));
    if (set.length > 1) {
      this.skip(...set);
      this.error(null, `only one of ${names.join(', ')} may be set (found ${set.join(' and ')})`);
      return undefined;
    }
    if (set.length === 0) {
      if (required) this.error(null, `exactly one of ${names.join(', ')} is required`);
      return undefined;
    }
    return set[0];
  }

  /** Reports every field not read and not allowed by `rules`. Call once, after all reads. */
  finish(rules: FinishRules = {}): void {
    for (const [name, key] of this.keys) {
      if (this.used.has(name) || rules.ignored?.includes(name)) continue;
      const hint = rules.unsupported?.[name];
      if (hint !== undefined) {
        if (this.obj[key] !== null) {
          this.error(name, `${name} is not supported yet${hint === '' ? '' : ` (${hint})`}`);
        }
      } else {
        this.error(null, `unknown field "${key}"`);
      }
    }
  }
}
