import type { EdsFileConfig } from '../model.js';
import type { FieldReader } from '../reader.js';

/**
 * `eds_cluster_config`: Skiff reads endpoints from a file (`eds_config.path_config_source.path`,
 * or the legacy `eds_config.path`), as Envoy's filesystem subscription does. Without a file the
 * endpoints come from a ClusterLoadAssignment document loaded alongside (or, later, from xDS).
 */
export function readEdsConfig(r: FieldReader, clusterName: string): EdsFileConfig | null {
  const eds = r.object('eds_cluster_config');
  if (eds === undefined) return null;
  const serviceName = eds.string('service_name') ?? '';
  const src = eds.object('eds_config');
  let path: string | undefined;
  if (src !== undefined) {
    const pcs = src.object('path_config_source');
    if (pcs !== undefined) {
      path = pcs.requiredString('path');
      // Envoy watches the file's directory itself; a watched_directory only changes the trigger.
      pcs.skip('watched_directory');
      pcs.finish();
    }
    const legacy = src.string('path');
    if (legacy !== undefined) {
      if (path !== undefined) src.error('path', 'give either path or path_config_source, not both');
      path = legacy;
    }
    src.skip(
      'api_config_source',
      'ads',
      'resource_api_version',
      'initial_fetch_timeout',
      'authorities',
      'self',
    );
    src.finish();
  }
  eds.finish();
  // No file: endpoints come from a ClusterLoadAssignment document, or (later) xDS; see merge.
  if (path === undefined || path === '') return null;
  return { path, serviceName: serviceName === '' ? clusterName : serviceName };
}
