import type { FieldReader } from '../reader.js';

/**
 * Fields Skiff decodes (so an existing envoy.yaml loads) but does not act on yet. Each one gets a
 * warning naming the field path and the work that will enforce it, so nobody mistakes an
 * accepted field for a working feature. Remove an entry when its feature lands.
 */
export function warnNotEnforced(r: FieldReader, field: string, comingWith: string): void {
  if (r.has(field)) r.warn(field, `decoded but not enforced yet (coming with ${comingWith})`);
}
