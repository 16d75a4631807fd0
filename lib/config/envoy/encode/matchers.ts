/** StringMatcher, HeaderMatcher, query parameter matchers and the `*_headers_to_add/remove` lists. */
import type {
  HeaderMatcherConfig,
  HeaderMutations,
  HeaderValueOption,
  QueryParameterMatcherConfig,
  StringMatcherConfig,
} from '../../model.js';
import { fields, flag, type Json, nonEmpty, unless } from './format.js';

/** `type.matcher.v3.StringMatcher`. */
export function encodeStringMatcher(m: StringMatcherConfig): Json {
  const spec = m.kind === 'safe_regex' ? { safe_regex: { regex: m.regex } } : { [m.kind]: m.value };
  return fields({ ...spec, ignore_case: flag(m.ignoreCase) });
}

/** `config.route.v3.HeaderMatcher`, always through `string_match` (the current spelling). */
export function encodeHeaderMatcher(h: HeaderMatcherConfig): Json {
  const m = h.match;
  const spec =
    m.kind === 'string'
      ? { string_match: encodeStringMatcher(m.matcher) }
      : m.kind === 'present'
        ? { present_match: m.present }
        : { range_match: { start: m.start, end: m.end } };
  return fields({
    name: h.name,
    ...spec,
    invert_match: flag(h.invert),
    treat_missing_header_as_empty: flag(h.treatMissingAsEmpty),
  });
}

export function encodeHeaderMatchers(list: readonly HeaderMatcherConfig[]): Json[] | undefined {
  return list.length === 0 ? undefined : list.map(encodeHeaderMatcher);
}

export function encodeQueryMatchers(list: readonly QueryParameterMatcherConfig[]): Json[] | undefined {
  if (list.length === 0) return undefined;
  return list.map((q) =>
    q.match.kind === 'string'
      ? { name: q.name, string_match: encodeStringMatcher(q.match.matcher) }
      : { name: q.name, present_match: q.match.present },
  );
}

/** `config.core.v3.HeaderValueOption` list; APPEND_IF_EXISTS_OR_ADD is the proto default. */
export function encodeHeaderAdds(list: readonly HeaderValueOption[]): Json[] | undefined {
  if (list.length === 0) return undefined;
  return list.map((h) =>
    fields({
      header: { key: h.key, value: h.value },
      append_action: unless(h.appendAction, 'APPEND_IF_EXISTS_OR_ADD'),
      keep_empty_value: flag(h.keepEmptyValue),
    }),
  );
}

/** The four header-mutation fields, to spread into a route config, vhost, route or weighted cluster. */
export function encodeHeaderMutations(h: HeaderMutations): Json {
  return fields({
    request_headers_to_add: encodeHeaderAdds(h.requestHeadersToAdd),
    request_headers_to_remove: nonEmpty(h.requestHeadersToRemove),
    response_headers_to_add: encodeHeaderAdds(h.responseHeadersToAdd),
    response_headers_to_remove: nonEmpty(h.responseHeadersToRemove),
  });
}

/** `{regex_rewrite: {pattern: {regex}, substitution}}` value, or undefined. */
export function encodeRegexRewrite(
  rr: { readonly regex: string; readonly substitution: string } | null,
): Json | undefined {
  return rr === null ? undefined : { pattern: { regex: rr.regex }, substitution: rr.substitution };
}
