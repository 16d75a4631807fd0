import { parseFormat } from './format-parser.js';
import { compileLine } from './line-compiler.js';
import type { AccessLogRecord } from './record.js';

/** Envoy's default access-log format (used when an access log names no format). */
export const DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  '%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

export type LineFormatter = (r: AccessLogRecord) => string;

/** Error reason for a text format (e.g. `unknown command operator %FOO%`), or null if valid. */
export function validateTextFormat(format: string): string | null {
  const parts = parseFormat(format);
  return typeof parts === 'string' ? parts : null;
}

/** Compiles once into one straight-line function per format. Throws on an invalid format. */
export function compileTextFormat(format: string): LineFormatter {
  const parts = parseFormat(format);
  if (typeof parts === 'string') throw new Error(parts);
  return compileLine(parts);
}

// ─── JSON ────────────────────────────────────────────────────────────────────────────────

type JsonValue = (r: AccessLogRecord) => string;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Compiles one json_format value to a function returning its JSON text. */
function compileValue(v: unknown, path: string): JsonValue | string {
  if (typeof v === 'string') {
    const parts = parseFormat(v);
    if (typeof parts === 'string') return `${path}: ${parts}`;
    if (parts.length === 0) return () => '""';
    const only = parts[0]!;
    // A value that is exactly one operator is typed, as Envoy does: numbers stay numbers and
    // an unset value is null; mixed text renders unset operators as `-`.
    if (parts.length === 1 && typeof only !== 'string') {
      const { op, maxLen } = only;
      if (op.num !== null && maxLen === null) {
        const num = op.num;
        return (r) => {
          const n = num(r);
          return n === null ? 'null' : String(n);
        };
      }
      return (r) => {
        const t = op.text(r);
        if (t === null) return 'null';
        return JSON.stringify(maxLen !== null && t.length > maxLen ? t.slice(0, maxLen) : t);
      };
    }
    const line = compileLine(parts);
    return (r) => JSON.stringify(line(r));
  }
  if (isPlainObject(v)) return compileObject(v, path);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) {
    const lit = JSON.stringify(v);
    return () => lit;
  }
  return `${path}: json_format values must be strings, numbers, booleans or objects`;
}

function compileObject(fmt: Readonly<Record<string, unknown>>, path: string): JsonValue | string {
  const keys: string[] = [];
  const values: JsonValue[] = [];
  for (const [k, v] of Object.entries(fmt)) {
    const compiled = compileValue(v, path === '' ? k : `${path}.${k}`);
    if (typeof compiled === 'string') return compiled;
    keys.push(`${keys.length === 0 ? '{' : ','}${JSON.stringify(k)}:`);
    values.push(compiled);
  }
  if (keys.length === 0) return () => '{}';
  return (r) => {
    let s = '';
    for (let i = 0; i < keys.length; i++) s += keys[i]! + values[i]!(r);
    return `${s}}`;
  };
}

/** Error reason (prefixed with the key path) for a json_format, or null if valid. */
export function validateJsonFormat(fmt: Readonly<Record<string, unknown>>): string | null {
  const c = compileObject(fmt, '');
  return typeof c === 'string' ? c : null;
}

/** One JSON object per line (newline-terminated). Throws on an invalid format. */
export function compileJsonFormat(fmt: Readonly<Record<string, unknown>>): LineFormatter {
  const c = compileObject(fmt, '');
  if (typeof c === 'string') throw new Error(c);
  return (r) => `${c(r)}\n`;
}
