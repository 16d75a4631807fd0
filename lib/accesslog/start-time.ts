/**
 * `%START_TIME%` rendering. The default is ISO-8601 in UTC with milliseconds
 * (`2016-04-15T20:17:00.310Z`); a custom `%START_TIME(fmt)%` supports this strftime subset, all
 * in UTC: %Y %m %d %H %M %S %F %T %s (epoch seconds) %z (+0000) %Z (UTC) %f / %1f..%9f and
 * %E1S..%E9S (fractional seconds; precision is milliseconds, extra digits are 0) and %%.
 */
export type TimeRenderer = (epochMs: number) => string;

type Piece = string | ((d: Date, ms: number) => string);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function fraction(ms: number, digits: number): string {
  const frac = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return digits <= 3 ? frac.slice(0, digits) : frac.padEnd(digits, '0');
}

const SIMPLE: Readonly<Record<string, (d: Date, ms: number) => string>> = {
  Y: (d) => String(d.getUTCFullYear()),
  m: (d) => pad2(d.getUTCMonth() + 1),
  d: (d) => pad2(d.getUTCDate()),
  H: (d) => pad2(d.getUTCHours()),
  M: (d) => pad2(d.getUTCMinutes()),
  S: (d) => pad2(d.getUTCSeconds()),
  F: (d) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
  T: (d) => `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
  s: (_d, ms) => String(Math.floor(ms / 1000)),
  z: () => '+0000',
  Z: () => 'UTC',
};

/** Parses a custom START_TIME format; returns an error reason for unsupported specifiers. */
function parsePieces(fmt: string): Piece[] | string {
  const out: Piece[] = [];
  let text = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== '%') {
      text += ch;
      continue;
    }
    const rest = fmt.slice(i + 1);
    let m: RegExpExecArray | null;
    let piece: Piece | null = null;
    let used = 1;
    if (rest.startsWith('%')) {
      text += '%';
      i++;
      continue;
    } else if ((m = /^([1-9])?f/.exec(rest)) !== null) {
      const digits = m[1] === undefined ? 9 : Number(m[1]);
      piece = (_d, ms) => fraction(ms, digits);
      used = m[0].length;
    } else if ((m = /^E([1-9])S/.exec(rest)) !== null) {
      const digits = Number(m[1]);
      piece = (d, ms) => `${pad2(d.getUTCSeconds())}.${fraction(ms, digits)}`;
      used = m[0].length;
    } else if (rest.length > 0 && SIMPLE[rest[0]!] !== undefined) {
      piece = SIMPLE[rest[0]!]!;
    } else {
      return `unsupported START_TIME specifier %${rest.slice(0, 1)}`;
    }
    if (text !== '') out.push(text);
    text = '';
    out.push(piece);
    i += used;
  }
  if (text !== '') out.push(text);
  return out;
}

/** Error reason for a custom format, or null when it is supported. */
export function validateTimeFormat(fmt: string): string | null {
  const p = parsePieces(fmt);
  return typeof p === 'string' ? p : null;
}

/** Renderer for `fmt` (null = Envoy's default). Caches the last rendered millisecond. */
export function compileTimeFormat(fmt: string | null): TimeRenderer {
  let lastMs = Number.NaN;
  let last = '';
  if (fmt === null || fmt === '') {
    return (ms) => {
      if (ms !== lastMs) {
        lastMs = ms;
        last = new Date(ms).toISOString();
      }
      return last;
    };
  }
  const pieces = parsePieces(fmt);
  if (typeof pieces === 'string') throw new Error(pieces);
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      const d = new Date(ms);
      let s = '';
      for (const p of pieces) s += typeof p === 'string' ? p : p(d, ms);
      last = s;
    }
    return last;
  };
}
