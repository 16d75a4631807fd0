/**
 * `%START_TIME(fmt)%` for header values: the strftime subset Envoy configs use, in UTC, with
 * Envoy's extensions `%s` (epoch seconds), `%f`/`%Nf` (fractional seconds) and `%ENS`
 * (seconds with N fractional digits). Unknown specifiers are kept literally. Without a format the
 * value is Envoy's default `%Y-%m-%dT%H:%M:%E3SZ`, which is exactly Date#toISOString.
 */

type Token = string | ((d: Date, ms: number) => string);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Fraction of the second with `digits` digits; millisecond clock, so digits past 3 are zeros. */
function fraction(ms: number, digits: number): string {
  const milli = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return digits <= 3 ? milli.slice(0, digits) : milli.padEnd(digits, '0');
}

const SPECIFIERS: Readonly<Record<string, (d: Date, ms: number) => string>> = {
  Y: (d) => String(d.getUTCFullYear()),
  m: (d) => pad2(d.getUTCMonth() + 1),
  d: (d) => pad2(d.getUTCDate()),
  H: (d) => pad2(d.getUTCHours()),
  M: (d) => pad2(d.getUTCMinutes()),
  S: (d) => pad2(d.getUTCSeconds()),
  s: (_d, ms) => String(Math.floor(ms / 1000)),
  f: (_d, ms) => fraction(ms, 9),
  T: (d) => `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
  F: (d) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
  z: () => '+0000',
  Z: () => 'UTC',
};

/** Compiles a format once; the returned function formats an epoch-ms start time. */
export function compileStartTimeFormat(format: string | null): (ms: number) => string {
  if (format === null || format === '') return (ms) => new Date(ms).toISOString();
  const tokens: Token[] = [];
  let lit = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%' || i + 1 >= format.length) {
      lit += c;
      continue;
    }
    const rest = format.slice(i + 1);
    const ext = /^(?:E([1-9])S|([1-9])f)/.exec(rest);
    let fn: ((d: Date, ms: number) => string) | undefined;
    let consumed = 1;
    if (ext !== null) {
      consumed = ext[0].length;
      if (ext[1] !== undefined) {
        const n = Number(ext[1]);
        fn = (d, ms) => `${pad2(d.getUTCSeconds())}.${fraction(ms, n)}`;
      } else {
        const n = Number(ext[2]);
        fn = (_d, ms) => fraction(ms, n);
      }
    } else if (rest[0] === '%') {
      lit += '%';
      i++;
      continue;
    } else {
      fn = SPECIFIERS[rest[0]!];
    }
    if (fn === undefined) {
      lit += c;
      continue;
    }
    if (lit !== '') tokens.push(lit);
    lit = '';
    tokens.push(fn);
    i += consumed;
  }
  if (lit !== '') tokens.push(lit);
  return (ms) => {
    const d = new Date(ms);
    let out = '';
    for (const t of tokens) out += typeof t === 'string' ? t : t(d, ms);
    return out;
  };
}
