import type { StringMatcherConfig } from '../config/model.js';
import { asciiLower, containsLower, regionEqualsLower } from './path-util.js';
import { compileRe2 } from './re2.js';

const EXACT = 0;
const PREFIX = 1;
const SUFFIX = 2;
const CONTAINS = 3;
const REGEX = 4;

/**
 * Envoy `StringMatcher`, compiled once. With `ignore_case` the pattern is lower-cased here and the
 * request value is folded character by character, so matching never allocates. `ignore_case`
 * has no effect on `safe_regex` (Envoy documents the same). Regexes must match the whole value.
 */
export class StringMatcher {
  private readonly kind: number;
  private readonly ignoreCase: boolean;
  private readonly pattern: string;
  private readonly regex: RegExp | null;

  constructor(cfg: StringMatcherConfig, where: string) {
    if (cfg.kind === 'safe_regex') {
      this.kind = REGEX;
      this.ignoreCase = false;
      this.pattern = cfg.regex;
      this.regex = compileRe2(cfg.regex, where, { anchored: true });
    } else {
      this.kind =
        cfg.kind === 'exact'
          ? EXACT
          : cfg.kind === 'prefix'
            ? PREFIX
            : cfg.kind === 'suffix'
              ? SUFFIX
              : CONTAINS;
      this.ignoreCase = cfg.ignoreCase;
      this.pattern = cfg.ignoreCase ? asciiLower(cfg.value) : cfg.value;
      this.regex = null;
    }
    Object.freeze(this);
  }

  match(value: string): boolean {
    const p = this.pattern;
    switch (this.kind) {
      case EXACT:
        return this.ignoreCase ? value.length === p.length && regionEqualsLower(value, 0, p) : value === p;
      case PREFIX:
        return this.ignoreCase ? regionEqualsLower(value, 0, p) : value.startsWith(p);
      case SUFFIX:
        return this.ignoreCase ? regionEqualsLower(value, value.length - p.length, p) : value.endsWith(p);
      case CONTAINS:
        return this.ignoreCase ? containsLower(value, p) : value.includes(p);
      default:
        return this.regex!.test(value);
    }
  }
}
