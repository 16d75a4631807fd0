import type { HeaderMatcherConfig } from '../config/model.js';
import { StringMatcher } from './string-matcher.js';

const STRING = 0;
const PRESENT = 1;
const RANGE = 2;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * absl::SimpleAtoi for int64 as Envoy's range_match uses it: optional surrounding ASCII
 * whitespace, optional sign, base-10 digits; anything else (or overflow) is not an integer.
 */
export function parseInt64(value: string): bigint | number | null {
  let start = 0;
  let end = value.length;
  while (start < end && isSpace(value.charCodeAt(start))) start++;
  while (end > start && isSpace(value.charCodeAt(end - 1))) end--;
  let i = start;
  const sign = value.charCodeAt(i);
  if (sign === 43 /* + */ || sign === 45 /* - */) i++;
  if (i === end) return null;
  for (let j = i; j < end; j++) {
    const c = value.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const text = value.slice(sign === 43 ? start + 1 : start, end);
  // 15 digits always fit a double exactly; longer values need BigInt for int64 bounds.
  if (end - i <= 15) return Number(text);
  const big = BigInt(text);
  return big < INT64_MIN || big > INT64_MAX ? null : big;
}

/**
 * Envoy `HeaderMatcher` (also used for retriable_headers). The caller reads the header (comma-joined)
 * and passes it in, so one matcher serves request and response header lists alike.
 */
export class CompiledHeaderMatcher {
  /** Lower-cased header name (pseudo-headers allowed). */
  readonly name: string;
  private readonly kind: number;
  private readonly matcher: StringMatcher | null;
  private readonly present: boolean;
  private readonly start: number;
  private readonly end: number;
  private readonly invert: boolean;
  private readonly treatMissingAsEmpty: boolean;

  constructor(cfg: HeaderMatcherConfig, where: string) {
    this.name = cfg.name.toLowerCase();
    const m = cfg.match;
    this.kind = m.kind === 'string' ? STRING : m.kind === 'present' ? PRESENT : RANGE;
    this.matcher = m.kind === 'string' ? new StringMatcher(m.matcher, `${where}.string_match`) : null;
    this.present = m.kind === 'present' ? m.present : false;
    this.start = m.kind === 'range' ? m.start : 0;
    this.end = m.kind === 'range' ? m.end : 0;
    this.invert = cfg.invert;
    this.treatMissingAsEmpty = cfg.treatMissingAsEmpty;
    Object.freeze(this);
  }

  /** `value` is the header's comma-joined value, or undefined when the header is absent. */
  matches(value: string | undefined): boolean {
    if (value === undefined) {
      // A missing header fails every matcher, inverted or not, except a presence check.
      if (!this.treatMissingAsEmpty) return this.kind === PRESENT && this.present === this.invert;
      value = '';
    }
    let match: boolean;
    if (this.kind === STRING) match = this.matcher!.match(value);
    else if (this.kind === PRESENT) match = this.present;
    else {
      const n = parseInt64(value);
      match =
        n !== null &&
        (typeof n === 'number'
          ? n >= this.start && n < this.end
          : n >= BigInt(this.start) && n < BigInt(this.end));
    }
    return match !== this.invert;
  }
}
