/**
 * Whether one HTTP match request catches every request another one does (fields are ANDed, so
 * a match with fewer or looser conditions covers one with more). Used to find rules that an
 * earlier rule shadows.
 */
import type { HttpMatchRequest, StringMatch } from '../istio/model.js';

function sameString(a: StringMatch, b: StringMatch): boolean {
  return a.type === b.type && a.value === b.value;
}

function coversString(outer: StringMatch | null, inner: StringMatch | null): boolean {
  if (outer === null || outer.type === 'any') return true;
  return inner !== null && sameString(outer, inner);
}

function coversMap(
  outer: Readonly<Record<string, StringMatch>>,
  inner: Readonly<Record<string, StringMatch>>,
): boolean {
  for (const [k, v] of Object.entries(outer)) {
    const w = inner[k];
    if (w === undefined || !sameString(v, w)) return false;
  }
  return true;
}

function coversLabels(
  outer: Readonly<Record<string, string>>,
  inner: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(outer)) if (inner[k] !== v) return false;
  return true;
}

function coversUri(outer: HttpMatchRequest, inner: HttpMatchRequest): boolean {
  const o = outer.uri;
  if (o === null || o.type === 'any') return true;
  const i = inner.uri;
  if (i === null || outer.ignoreUriCase !== inner.ignoreUriCase) return false;
  if (sameString(o, i)) return true;
  // A prefix is a plain string prefix in Envoy: `/api` also takes `/api/v1` and `/apis`.
  return o.type === 'prefix' && (i.type === 'prefix' || i.type === 'exact') && i.value.startsWith(o.value);
}

/** True when every request `inner` matches is also matched by `outer`. */
export function matchCovers(outer: HttpMatchRequest, inner: HttpMatchRequest): boolean {
  return (
    coversUri(outer, inner) &&
    coversString(outer.scheme, inner.scheme) &&
    coversString(outer.method, inner.method) &&
    coversString(outer.authority, inner.authority) &&
    coversMap(outer.headers, inner.headers) &&
    coversMap(outer.withoutHeaders, inner.withoutHeaders) &&
    coversMap(outer.queryParams, inner.queryParams) &&
    (outer.port === 0 || outer.port === inner.port) &&
    coversLabels(outer.sourceLabels, inner.sourceLabels) &&
    (outer.sourceNamespace === '' || outer.sourceNamespace === inner.sourceNamespace) &&
    (outer.gateways.length === 0 ||
      (inner.gateways.length > 0 && inner.gateways.every((g) => outer.gateways.includes(g))))
  );
}

/** Deterministic key for an L4 match (TCP/TLS matches are only compared for equality). */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
