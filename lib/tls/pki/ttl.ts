const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A lifetime such as `24h`, `90m`, `1h30m`, `7d` (Go's duration units, as Istio's `SECRET_TTL`,
 * plus `d`); returns milliseconds or a reason.
 */
export function parseTtl(raw: string): number | string {
  const s = raw.trim();
  if (!/^(\d+(ms|s|m|h|d))+$/.test(s)) {
    return `invalid ttl "${raw}": expected a duration such as 24h, 90m, 1h30m or 7d`;
  }
  let ms = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms <= 0) return `invalid ttl "${raw}": must be longer than zero`;
  if (!Number.isSafeInteger(ms)) return `invalid ttl "${raw}": too long`;
  return ms;
}
