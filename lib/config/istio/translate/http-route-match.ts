/**
 * `HTTPMatchRequest` → Envoy `RouteMatch`, as istiod's `TranslateRouteMatch` and
 * `translateHeaderMatch` build it (pilot/pkg/networking/core/route/route.go), plus the
 * config-time selectors (`port`, `sourceLabels`, `sourceNamespace`, `gateways`) that decide
 * whether a match is emitted for this proxy at all (`translateRoute`, `sourceMatchHTTP`).
 */
import type {
  HeaderMatchConfig,
  HeaderMatcherConfig,
  QueryParameterMatcherConfig,
  RouteMatchConfig,
  StringMatcherConfig,
} from '../../model.js';
import type { HttpMatchRequest, StringMatch } from '../model.js';
import { isJwtClaimKey } from '../names.js';
import { selects, type WorkloadInfo } from '../workload.js';
import { type SourcedMatch, warnAt } from './http-source.js';
import type { TranslateSink } from './types.js';

/** The reserved gateway name that stands for every sidecar. */
export const MESH_GATEWAY = 'mesh';

/**
 * True when istiod emits this match on the route table of `listenerPort` for `workload`: the
 * match port (when set) equals the listener port; match `gateways`, when listed, include `mesh`
 * (and then source labels are not checked, as in `sourceMatchHTTP`); otherwise the source labels
 * select the workload and the source namespace (when set) is the workload's.
 */
export function matchAppliesTo(m: HttpMatchRequest, listenerPort: number, workload: WorkloadInfo): boolean {
  if (m.port !== 0 && listenerPort !== 0 && m.port !== listenerPort) return false;
  if (m.gateways.length > 0) return m.gateways.includes(MESH_GATEWAY);
  if (!selects(m.sourceLabels, workload.labels)) return false;
  return m.sourceNamespace === '' || m.sourceNamespace === workload.namespace;
}

/** istiod's `canBeConvertedToPresentMatch`: `{}` and regex `*` mean "present". */
export function isPresenceMatch(s: StringMatch): boolean {
  return s.type === 'any' || (s.type === 'regex' && s.value === '*');
}

/** `ConvertToEnvoyMatch`; null for a presence match. */
export function stringMatcher(s: StringMatch): StringMatcherConfig | null {
  switch (s.type) {
    case 'exact':
    case 'prefix':
      return { kind: s.type, value: s.value, ignoreCase: false };
    case 'regex':
      return s.value === '*' ? null : { kind: 'safe_regex', regex: s.value, ignoreCase: false };
    default:
      return null;
  }
}

function headerMatch(s: StringMatch): HeaderMatchConfig {
  const m = stringMatcher(s);
  return m === null ? { kind: 'present', present: true } : { kind: 'string', matcher: m };
}

function headerMatcher(name: string, s: StringMatch, invert: boolean): HeaderMatcherConfig {
  return {
    name: name.toLowerCase(),
    match: headerMatch(s),
    invert,
    // treat_missing_header_as_empty conflicts with present_match, so istiod sets it only on
    // inverted string matches: a missing header then counts as "" and is usually not excluded.
    treatMissingAsEmpty: invert && !isPresenceMatch(s),
  };
}

function queryMatcher(name: string, s: StringMatch): QueryParameterMatcherConfig {
  const m = stringMatcher(s);
  return { name, match: m === null ? { kind: 'present', present: true } : { kind: 'string', matcher: m } };
}

/** The catch-all `prefix: /` match of a rule without matches. */
export const CATCH_ALL_MATCH: RouteMatchConfig = {
  path: { kind: 'prefix', value: '/' },
  caseSensitive: true,
  headers: [],
  queryParameters: [],
  grpc: false,
};

/**
 * The Envoy match of one Istio match; null (with a warning) when it cannot be represented:
 * JWT claim matches (`@request.auth.claims.*`) become dynamic-metadata matchers in istiod,
 * which Skiff has no filter to fill. Dropping the whole match keeps the route from matching
 * more than the user asked.
 */
export function translateMatch(sm: SourcedMatch, sink: TranslateSink): RouteMatchConfig | null {
  const m = sm.match;
  for (const [field, map] of [
    ['headers', m.headers],
    ['withoutHeaders', m.withoutHeaders],
  ] as const) {
    const claim = Object.keys(map).find(isJwtClaimKey);
    if (claim !== undefined) {
      warnAt(
        sink,
        sm.source,
        `${field}.${claim}`,
        'JWT claim matches need request authentication; match dropped',
      );
      return null;
    }
  }
  if (m.statPrefix !== '')
    warnAt(sink, sm.source, 'statPrefix', 'per-route stats are not supported; statPrefix is ignored');
  const headers: HeaderMatcherConfig[] = [];
  for (const [name, s] of Object.entries(m.headers)) headers.push(headerMatcher(name, s, false));
  for (const [name, s] of Object.entries(m.withoutHeaders)) headers.push(headerMatcher(name, s, true));
  // istiod sorts header matchers by name before adding the pseudo-header ones.
  headers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (m.method !== null) headers.push(headerMatcher(':method', m.method, false));
  if (m.authority !== null) headers.push(headerMatcher(':authority', m.authority, false));
  if (m.scheme !== null) headers.push(headerMatcher(':scheme', m.scheme, false));
  return {
    path: pathMatch(m.uri),
    caseSensitive: !m.ignoreUriCase,
    headers,
    queryParameters: Object.entries(m.queryParams).map(([name, s]) => queryMatcher(name, s)),
    grpc: false,
  };
}

function pathMatch(uri: StringMatch | null): RouteMatchConfig['path'] {
  if (uri === null) return CATCH_ALL_MATCH.path;
  switch (uri.type) {
    case 'exact':
      return { kind: 'path', value: uri.value };
    case 'prefix':
      return { kind: 'prefix', value: uri.value };
    case 'regex':
      return { kind: 'safe_regex', regex: uri.value };
    default:
      return CATCH_ALL_MATCH.path;
  }
}

/** istiod's `IsCatchAllRoute`: later routes of the VirtualService are never reached. */
export function isCatchAll(m: RouteMatchConfig): boolean {
  const p = m.path;
  const all = (p.kind === 'prefix' && p.value === '/') || (p.kind === 'safe_regex' && p.regex === '.*');
  return all && m.headers.length === 0 && m.queryParameters.length === 0;
}
