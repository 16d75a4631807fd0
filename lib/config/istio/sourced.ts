/** Istio resources together with the file they came from, in istiod's precedence order. */
import type { IstioResource } from './model.js';

/** A decoded resource and the file it was read from (for findings and error messages). */
export interface SourcedResource<R extends IstioResource = IstioResource> {
  readonly resource: R;
  readonly file: string;
}

/** `Kind namespace/name`, how findings and messages name a resource. */
export function resourceName(r: IstioResource): string {
  return `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`;
}

/**
 * istiod's order for resources that conflict or merge (`sortConfigByCreationTime`): oldest
 * `creationTimestamp` first (a resource without one counts as oldest, as files applied together
 * have none), then name, then namespace.
 */
export function istioOrder(a: IstioResource, b: IstioResource): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return Date.parse(ta || '1970-01-01T00:00:00Z') - Date.parse(tb || '1970-01-01T00:00:00Z');
  if (a.metadata.name !== b.metadata.name) return a.metadata.name < b.metadata.name ? -1 : 1;
  if (a.metadata.namespace !== b.metadata.namespace)
    return a.metadata.namespace < b.metadata.namespace ? -1 : 1;
  return 0;
}

/** The resources of one kind, in istiod's order. */
export function ofKind<K extends IstioResource['kind']>(
  all: readonly SourcedResource[],
  kind: K,
): SourcedResource<Extract<IstioResource, { kind: K }>>[] {
  return all
    .filter((s): s is SourcedResource<Extract<IstioResource, { kind: K }>> => s.resource.kind === kind)
    .sort((a, b) => istioOrder(a.resource, b.resource));
}

/** True when a resource exported with `exportTo` is visible from `namespace` (empty = all). */
export function visibleFrom(exportTo: readonly string[], ownNamespace: string, namespace: string): boolean {
  if (exportTo.length === 0) return true;
  for (const e of exportTo) {
    if (e === '*' || e === namespace || (e === '.' && ownNamespace === namespace)) return true;
  }
  return false;
}
