import type { PathMatchConfig } from '../config/model.js';
import { asciiLower, pathEnd, regionEqualsLower } from './path-util.js';
import { compileRe2 } from './re2.js';

const PREFIX = 0;
const PATH = 1;
const REGEX = 2;
const SEPARATED = 3;

/**
 * A route's path specifier. Like Envoy's Matchers::PathMatcher every kind compares against the
 * path with query string and fragment removed; for `prefix` that is the same as comparing the
 * whole `:path` unless the prefix itself holds `?` or `#` (then it never matches, as in Envoy).
 * `case_sensitive: false` folds ASCII case; it does not apply to `safe_regex`.
 */
export class PathMatcher {
  private readonly kind: number;
  /** Prefix/path as configured (lower-cased when case-insensitive). */
  private readonly value: string;
  private readonly caseSensitive: boolean;
  private readonly regex: RegExp | null;

  constructor(cfg: PathMatchConfig, caseSensitive: boolean, where: string) {
    if (cfg.kind === 'safe_regex') {
      this.kind = REGEX;
      this.value = '';
      this.caseSensitive = true;
      this.regex = compileRe2(cfg.regex, `${where}.safe_regex`, { anchored: true });
    } else {
      this.kind = cfg.kind === 'prefix' ? PREFIX : cfg.kind === 'path' ? PATH : SEPARATED;
      this.caseSensitive = caseSensitive;
      this.value = caseSensitive ? cfg.value : asciiLower(cfg.value);
      this.regex = null;
    }
    Object.freeze(this);
  }

  /** `end` is `pathEnd(path)`, computed once per request by the caller. */
  matches(path: string, end: number = pathEnd(path)): boolean {
    const v = this.value;
    switch (this.kind) {
      case PREFIX:
        return v.length <= end && this.startsWith(path);
      case PATH:
        return v.length === end && this.startsWith(path);
      case SEPARATED:
        return (
          v.length <= end && this.startsWith(path) && (v.length === end || path.charCodeAt(v.length) === 47)
        );
      default:
        return this.regex!.test(end === path.length ? path : path.slice(0, end));
    }
  }

  /**
   * Length of the leading part of `path` that `prefix_rewrite` replaces: the configured prefix
   * or path, or for a regex match the whole path without query (Envoy's matched_path).
   */
  matchedLength(path: string): number {
    return this.kind === REGEX ? pathEnd(path) : this.value.length;
  }

  private startsWith(path: string): boolean {
    return this.caseSensitive ? path.startsWith(this.value) : regionEqualsLower(path, 0, this.value);
  }
}
