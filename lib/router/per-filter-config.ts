import type { HttpFilterPerRouteConfig, TypedPerFilterConfig } from '../config/model.js';

/** Filter name → its most specific per-route config at one level of the route table. */
export type PerFilterConfigMap = ReadonlyMap<string, HttpFilterPerRouteConfig>;

/**
 * Overlays one level's `typed_per_filter_config` on the levels above it (route configuration →
 * virtual host → route → weighted cluster; the more specific entry wins per filter name, as
 * Envoy's resolveMostSpecificPerFilterConfig does). Done at compile time, so a filter's lookup
 * is one Map.get; levels that add nothing share their parent's map, and null means "none".
 */
export function overlayPerFilterConfig(
  base: PerFilterConfigMap | null,
  own: TypedPerFilterConfig | undefined,
): PerFilterConfigMap | null {
  if (own === undefined) return base;
  const names = Object.keys(own);
  if (names.length === 0) return base;
  const merged = new Map(base ?? []);
  for (const name of names) merged.set(name, own[name]!);
  return merged;
}
