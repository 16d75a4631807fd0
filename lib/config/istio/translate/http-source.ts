/**
 * Where each part of an `http[]` rule was written. A rule inlined from a delegate VirtualService
 * mixes two resources (the delegate's own fields and those inherited from the root rule), so
 * warnings and short-name resolution need the origin of each field, not just of the rule.
 */
import type { HttpMatchRequest, HttpRoute } from '../model.js';
import type { TranslateSink } from './types.js';

/** A field's origin: the file, the Istio field path in it, and the namespace of its resource. */
export interface FieldSource {
  readonly file: string;
  /** e.g. `spec.http[2]`. */
  readonly path: string;
  /** Short destination hosts written there resolve in this namespace. */
  readonly namespace: string;
}

/** One match of a rule with its origin (`spec.http[i].match[j]`). */
export interface SourcedMatch {
  readonly match: HttpMatchRequest;
  readonly source: FieldSource;
}

/** One `http[]` rule ready to translate (after delegate merging), with the origin of its parts. */
export interface SourcedHttpRoute {
  readonly route: HttpRoute;
  /** The rule's own origin; for an inlined delegate rule, the delegate's `spec.http[j]`. */
  readonly own: FieldSource;
  /** The delegating root rule, or null for a plain rule. */
  readonly root: FieldSource | null;
  /** Fields copied from the root rule (istiod's `mergeHTTPRoute`), whose origin is `root`. */
  readonly inherited: ReadonlySet<keyof HttpRoute>;
  /** Parallel to `route.match`. */
  readonly matches: readonly SourcedMatch[];
}

/** The origin of one field of a rule. */
export function sourceOf(r: SourcedHttpRoute, field: keyof HttpRoute): FieldSource {
  return r.root !== null && r.inherited.has(field) ? r.root : r.own;
}

/** A plain rule `spec.http[index]` of a VirtualService. */
export function plainRoute(
  route: HttpRoute,
  file: string,
  index: number,
  namespace: string,
): SourcedHttpRoute {
  const own: FieldSource = { file, path: `spec.http[${index}]`, namespace };
  return {
    route,
    own,
    root: null,
    inherited: new Set(),
    matches: route.match.map((match, j) => ({ match, source: { ...own, path: `${own.path}.match[${j}]` } })),
  };
}

/** Records a translation warning at `<source.path>.<sub>` (no sub = the source itself). */
export function warnAt(sink: TranslateSink, source: FieldSource, sub: string, message: string): void {
  sink.warnings.push({
    file: source.file,
    path: sub === '' ? source.path : `${source.path}.${sub}`,
    message,
  });
}
