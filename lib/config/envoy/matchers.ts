import type {
  HeaderMatchConfig,
  HeaderMatcherConfig,
  QueryParameterMatcherConfig,
  StringMatcherConfig,
} from '../model.js';
import type { FieldReader } from '../reader.js';
import { checkRegex } from '../regex.js';
import {
  HEADER_MATCHER_RULES,
  QUERY_MATCHER_RULES,
  REGEX_MATCHER_RULES,
  STRING_MATCHER_RULES,
} from './field-rules.js';

/** Reads a `RegexMatcher` ({regex, google_re2?}) and checks the regex; "" when missing or invalid. */
export function readRegexMatcher(r: FieldReader): string {
  const regex = r.requiredString('regex');
  const re2 = r.object('google_re2');
  if (re2 !== undefined) {
    re2.int('max_program_size');
    re2.finish();
  }
  r.finish(REGEX_MATCHER_RULES);
  if (regex === '') return '';
  const bad = checkRegex(regex);
  if (bad !== null) {
    r.error('regex', bad);
    return '';
  }
  return regex;
}

/** Reads an Envoy `StringMatcher`. */
export function readStringMatcher(r: FieldReader): StringMatcherConfig | undefined {
  const kind = r.oneOf(['exact', 'prefix', 'suffix', 'contains', 'safe_regex'], true);
  const ignoreCase = r.bool('ignore_case') ?? false;
  let out: StringMatcherConfig | undefined;
  if (kind === 'safe_regex') {
    const re = r.object('safe_regex');
    if (re !== undefined) out = { kind: 'safe_regex', regex: readRegexMatcher(re), ignoreCase };
  } else if (kind !== undefined) {
    const k = kind as 'exact' | 'prefix' | 'suffix' | 'contains';
    const value = r.string(k);
    if (value === '' && k !== 'exact') r.error(k, `an empty ${k} is not allowed (use present_match)`);
    if (value !== undefined) out = { kind: k, value, ignoreCase };
  }
  r.finish(STRING_MATCHER_RULES);
  return out;
}

const DEPRECATED_STRING_MATCHES: Readonly<Record<string, 'exact' | 'prefix' | 'suffix' | 'contains'>> = {
  exact_match: 'exact',
  prefix_match: 'prefix',
  suffix_match: 'suffix',
  contains_match: 'contains',
};

/** Reads an Envoy `HeaderMatcher` (route match headers, retriable_headers). */
export function readHeaderMatcher(r: FieldReader): HeaderMatcherConfig | undefined {
  const name = r.requiredString('name').toLowerCase();
  const which = r.oneOf(
    [
      'string_match',
      'present_match',
      'range_match',
      'exact_match',
      'prefix_match',
      'suffix_match',
      'contains_match',
      'safe_regex_match',
    ],
    false,
  );
  let match: HeaderMatchConfig | undefined;
  if (which === undefined) {
    // No specifier means "header is present", as in Envoy.
    match = { kind: 'present', present: true };
  } else if (which === 'string_match') {
    const sm = r.object('string_match');
    const matcher = sm === undefined ? undefined : readStringMatcher(sm);
    if (matcher !== undefined) match = { kind: 'string', matcher };
  } else if (which === 'present_match') {
    const present = r.bool('present_match');
    if (present !== undefined) match = { kind: 'present', present };
  } else if (which === 'range_match') {
    const rm = r.object('range_match');
    if (rm !== undefined) {
      const start = rm.int('start', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? 0;
      const end = rm.int('end', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? 0;
      rm.finish();
      match = { kind: 'range', start, end };
    }
  } else if (which === 'safe_regex_match') {
    const re = r.object('safe_regex_match');
    if (re !== undefined)
      match = {
        kind: 'string',
        matcher: { kind: 'safe_regex', regex: readRegexMatcher(re), ignoreCase: false },
      };
  } else {
    const kind = DEPRECATED_STRING_MATCHES[which]!;
    const value = r.string(which);
    if (value === '' && kind !== 'exact')
      r.error(which, `an empty ${kind} is not allowed (use present_match)`);
    if (value !== undefined) match = { kind: 'string', matcher: { kind, value, ignoreCase: false } };
  }
  const invert = r.bool('invert_match') ?? false;
  const treatMissingAsEmpty = r.bool('treat_missing_header_as_empty') ?? false;
  r.finish(HEADER_MATCHER_RULES);
  if (match === undefined || name === '') return undefined;
  return { name, match, invert, treatMissingAsEmpty };
}

export function readHeaderMatchers(r: FieldReader, field: string): HeaderMatcherConfig[] {
  const out: HeaderMatcherConfig[] = [];
  for (const h of r.objects(field)) {
    const m = readHeaderMatcher(h);
    if (m !== undefined) out.push(m);
  }
  return out;
}

/** Reads `query_parameters[]`. */
export function readQueryMatchers(r: FieldReader, field: string): QueryParameterMatcherConfig[] {
  const out: QueryParameterMatcherConfig[] = [];
  for (const q of r.objects(field)) {
    const name = q.requiredString('name');
    const which = q.oneOf(['string_match', 'present_match'], false);
    let match: QueryParameterMatcherConfig['match'] | undefined;
    if (which === 'string_match') {
      const sm = q.object('string_match');
      const matcher = sm === undefined ? undefined : readStringMatcher(sm);
      if (matcher !== undefined) match = { kind: 'string', matcher };
    } else if (which === 'present_match') {
      const present = q.bool('present_match');
      if (present !== undefined) match = { kind: 'present', present };
    } else {
      match = { kind: 'present', present: true };
    }
    q.finish(QUERY_MATCHER_RULES);
    if (match !== undefined && name !== '') out.push({ name, match });
  }
  return out;
}
