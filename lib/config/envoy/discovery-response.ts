import type { FieldReader } from '../reader.js';

/** xDS type URLs of the resources Skiff reads from DiscoveryResponse files. */
export const TYPE_URL = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  loadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const;

/**
 * Walks a DiscoveryResponse (the file form of LDS, CDS and EDS): `resources[]` must each carry
 * `@type` `typeUrl` (else an error on that resource, with `hint` appended), and `each` decodes the
 * rest of each matching resource. The response's own bookkeeping fields are accepted and ignored.
 */
export function readDiscoveryResources(
  r: FieldReader,
  typeUrl: string,
  hint: string,
  each: (resource: FieldReader) => void,
): void {
  r.string('version_info');
  r.skip('type_url', 'nonce', 'canary', 'control_plane');
  for (const res of r.objects('resources')) {
    if (res.string('@type') !== typeUrl) {
      res.skip(...res.names());
      res.error('@type', `expected ${typeUrl}${hint}`);
      continue;
    }
    each(res);
  }
  r.finish();
}
