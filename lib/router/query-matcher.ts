import type { QueryParameterMatcherConfig } from '../config/model.js';
import { StringMatcher } from './string-matcher.js';

/**
 * First value of query parameter `name` in `path`, or undefined. Like Envoy's route matching
 * (QueryParamsMulti::parseQueryString) keys and values are compared as sent, not percent-decoded;
 * a key without `=` has the value "". Everything after the first `?` is the query.
 */
export function firstQueryValue(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q === -1) return undefined;
  const len = path.length;
  let start = q + 1;
  while (start < len) {
    let end = path.indexOf('&', start);
    if (end === -1) end = len;
    let eq = path.indexOf('=', start);
    if (eq === -1 || eq > end) eq = end;
    if (eq - start === name.length && path.startsWith(name, start)) {
      return eq === end ? '' : path.slice(eq + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

/** Envoy `QueryParameterMatcher`: `string_match` on the first value, or `present_match`. */
export class CompiledQueryMatcher {
  readonly name: string;
  private readonly matcher: StringMatcher | null;
  private readonly present: boolean;

  constructor(cfg: QueryParameterMatcherConfig, where: string) {
    this.name = cfg.name;
    this.matcher =
      cfg.match.kind === 'string' ? new StringMatcher(cfg.match.matcher, `${where}.string_match`) : null;
    this.present = cfg.match.kind === 'present' ? cfg.match.present : true;
    Object.freeze(this);
  }

  matches(path: string): boolean {
    const value = firstQueryValue(path, this.name);
    if (this.matcher === null) return (value !== undefined) === this.present;
    return value !== undefined && this.matcher.match(value);
  }
}
