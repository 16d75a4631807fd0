/**
 * Istio `Headers` → Envoy header mutations, as istiod's `TranslateHeadersOperations`: `set`
 * overwrites, `add` appends, each sorted by name; `:authority`/`host` become a host rewrite
 * instead of a header; pseudo-headers and `host` are never removed.
 */
import type { HeaderAppendAction, HeaderMutations, HeaderValueOption } from '../../model.js';
import type { HeadersPolicy } from '../model.js';

/** The mutations of one `Headers` and the authority it sets ("" = none). */
export interface TranslatedHeaders {
  readonly mutations: HeaderMutations;
  readonly authority: string;
}

export const NO_MUTATIONS: HeaderMutations = {
  requestHeadersToAdd: [],
  requestHeadersToRemove: [],
  responseHeadersToAdd: [],
  responseHeadersToRemove: [],
};

function isAuthority(key: string): boolean {
  const k = key.toLowerCase();
  return k === ':authority' || k === 'host';
}

function isInternal(key: string): boolean {
  return key.startsWith(':') || key.toLowerCase() === 'host';
}

function options(
  map: Readonly<Record<string, string>>,
  appendAction: HeaderAppendAction,
): { list: HeaderValueOption[]; authority: string } {
  let authority = '';
  const list: HeaderValueOption[] = [];
  for (const key of Object.keys(map).sort()) {
    const value = map[key] ?? '';
    if (isAuthority(key)) authority = value;
    if (isInternal(key)) continue;
    list.push({ key: key.toLowerCase(), value, appendAction, keepEmptyValue: false });
  }
  return { list, authority };
}

function removals(keys: readonly string[]): string[] {
  return keys.filter((k) => !isInternal(k)).map((k) => k.toLowerCase());
}

/** One `Headers` message (null = nothing). */
export function translateHeaders(h: HeadersPolicy | null): TranslatedHeaders {
  if (h === null) return { mutations: NO_MUTATIONS, authority: '' };
  const reqSet = options(h.request.set, 'OVERWRITE_IF_EXISTS_OR_ADD');
  const reqAdd = options(h.request.add, 'APPEND_IF_EXISTS_OR_ADD');
  const respSet = options(h.response.set, 'OVERWRITE_IF_EXISTS_OR_ADD');
  const respAdd = options(h.response.add, 'APPEND_IF_EXISTS_OR_ADD');
  return {
    mutations: {
      requestHeadersToAdd: [...reqSet.list, ...reqAdd.list],
      requestHeadersToRemove: removals(h.request.remove),
      responseHeadersToAdd: [...respSet.list, ...respAdd.list],
      responseHeadersToRemove: removals(h.response.remove),
    },
    // A `set` authority wins over an `add` one.
    authority: reqSet.authority !== '' ? reqSet.authority : reqAdd.authority,
  };
}

/** `a` then `b` (a single destination's headers follow the route's, as istiod appends them). */
export function concatMutations(a: HeaderMutations, b: HeaderMutations): HeaderMutations {
  if (b === NO_MUTATIONS) return a;
  if (a === NO_MUTATIONS) return b;
  return {
    requestHeadersToAdd: [...a.requestHeadersToAdd, ...b.requestHeadersToAdd],
    requestHeadersToRemove: [...a.requestHeadersToRemove, ...b.requestHeadersToRemove],
    responseHeadersToAdd: [...a.responseHeadersToAdd, ...b.responseHeadersToAdd],
    responseHeadersToRemove: [...a.responseHeadersToRemove, ...b.responseHeadersToRemove],
  };
}
