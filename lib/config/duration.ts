/**
 * Protobuf-JSON `google.protobuf.Duration`, as Envoy reads it: a string of seconds with up to nine
 * fractional digits and an `s` suffix ("15s", "0.25s", "1.000340s"), or `{seconds, nanos}`.
 * Plain numbers and other units are rejected because Envoy rejects them too.
 */

// Protobuf's Duration range: ±10,000 years in seconds.
const MAX_SECONDS = 315_576_000_000;
const DURATION_RE = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/** Milliseconds (may be fractional) or a reason the value is not a valid duration. */
export function parseDuration(v: unknown): number | string {
  if (typeof v === 'string') return parseDurationString(v);
  if (typeof v === 'number') {
    return `invalid duration ${v}: expected a string of seconds such as "${v}s" (protobuf Duration)`;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v))
    return parseDurationObject(v as Record<string, unknown>);
  return `invalid duration: expected a string such as "15s", got ${v === null ? 'null' : typeof v}`;
}

function parseDurationString(s: string): number | string {
  const m = DURATION_RE.exec(s.trim());
  if (m === null) {
    const unit = /^-?\d+(?:\.\d+)?(ms|us|ns|m|h|d)$/.exec(s.trim());
    if (unit !== null) {
      return `invalid duration "${s}": the unit must be seconds with an "s" suffix (e.g. "0.25s"), not "${unit[1]}"`;
    }
    if (/^-?\d+(?:\.\d+)?$/.test(s.trim()))
      return `invalid duration "${s}": missing the "s" suffix (e.g. "${s.trim()}s")`;
    if (/^-?\d+\.\d{10,}s$/.test(s.trim())) return `invalid duration "${s}": at most 9 fractional digits`;
    return `invalid duration "${s}": expected seconds with an "s" suffix such as "15s" or "0.25s"`;
  }
  if (m[1] === '-') return `invalid duration "${s}": must not be negative`;
  const seconds = Number(m[2]);
  if (seconds > MAX_SECONDS) return `invalid duration "${s}": out of range`;
  const nanos = m[3] === undefined ? 0 : Number(m[3].padEnd(9, '0'));
  return seconds * 1000 + nanos / 1e6;
}

function parseDurationObject(o: Record<string, unknown>): number | string {
  for (const k of Object.keys(o)) {
    if (k !== 'seconds' && k !== 'nanos')
      return `invalid duration: unknown field "${k}" (expected seconds, nanos)`;
  }
  const seconds = toInt(o['seconds'] ?? 0);
  const nanos = toInt(o['nanos'] ?? 0);
  if (seconds === null) return 'invalid duration: seconds must be an integer';
  if (nanos === null) return 'invalid duration: nanos must be an integer';
  if (seconds < 0 || nanos < 0) return 'invalid duration: must not be negative';
  if (nanos > 999_999_999) return 'invalid duration: nanos must be at most 999999999';
  if (seconds > MAX_SECONDS) return 'invalid duration: out of range';
  return seconds * 1000 + nanos / 1e6;
}

function toInt(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return null;
}
