import type { PathMatchConfig, RouteMatchConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { ROUTE_MATCH_RULES } from './field-rules.js';
import { readHeaderMatchers, readQueryMatchers, readRegexMatcher } from './matchers.js';

const PATH_SPECIFIERS = ['prefix', 'path', 'safe_regex', 'path_separated_prefix'] as const;

/** Decodes a `RouteMatch`; undefined when the path specifier is missing or invalid. */
export function readRouteMatch(r: FieldReader): RouteMatchConfig | undefined {
  const which = r.oneOf(PATH_SPECIFIERS, true);
  let path: PathMatchConfig | undefined;
  if (which === 'safe_regex') {
    const re = r.object('safe_regex');
    const regex = re === undefined ? '' : readRegexMatcher(re);
    if (regex !== '') path = { kind: 'safe_regex', regex };
  } else if (which === 'path_separated_prefix') {
    const value = r.string(which);
    if (value !== undefined) {
      if (value === '' || value.endsWith('/') || /[?#]/.test(value)) {
        r.error(
          which,
          `"${value}" is not a valid path_separated_prefix: it must not be empty, end in "/" or contain "?" or "#"`,
        );
      } else {
        path = { kind: 'path_separated_prefix', value };
      }
    }
  } else if (which !== undefined) {
    const value = r.string(which);
    if (value !== undefined) path = { kind: which === 'path' ? 'path' : 'prefix', value };
  }
  const caseSensitive = r.bool('case_sensitive') ?? true;
  const headers = readHeaderMatchers(r, 'headers');
  const queryParameters = readQueryMatchers(r, 'query_parameters');
  const grpcOpts = r.object('grpc');
  grpcOpts?.finish();
  r.finish(ROUTE_MATCH_RULES);
  if (path === undefined) return undefined;
  return { path, caseSensitive, headers, queryParameters, grpc: grpcOpts !== undefined };
}
