import type { FieldReader } from '../reader.js';

/** One file-based xDS source named by `dynamic_resources` (Envoy's filesystem subscription). */
export interface DynamicFile {
  readonly kind: 'lds' | 'cds';
  readonly path: string;
  /** Where the path was given, for messages about the file. */
  readonly file: string;
  readonly fieldPath: string;
}

const NO_SERVER = 'an xDS server is not supported yet; give path_config_source {path} (a watched file)';

/**
 * `dynamic_resources.{lds,cds}_config` with `path_config_source` (or the legacy `path`): listeners
 * and clusters come from DiscoveryResponse files, read with the rest of the config and watched by
 * the live reload. gRPC/ADS sources are errors until Skiff speaks xDS.
 */
export function readDynamicResources(r: FieldReader): DynamicFile[] {
  const out: DynamicFile[] = [];
  for (const [field, kind] of [
    ['lds_config', 'lds'],
    ['cds_config', 'cds'],
  ] as const) {
    const src = r.object(field);
    if (src === undefined) continue;
    let path: string | undefined;
    const pcs = src.object('path_config_source');
    if (pcs !== undefined) {
      path = pcs.requiredString('path');
      pcs.skip('watched_directory');
      pcs.finish();
    }
    const legacy = src.string('path');
    if (legacy !== undefined) {
      if (path !== undefined) src.error('path', 'give either path or path_config_source, not both');
      path = legacy;
    }
    for (const server of ['ads', 'api_config_source']) {
      if (src.has(server)) {
        src.skip(server);
        src.error(server, NO_SERVER);
      }
    }
    src.skip('resource_api_version', 'initial_fetch_timeout', 'authorities');
    src.finish();
    if (path !== undefined && path !== '') {
      out.push({ kind, path, file: r.sink.file, fieldPath: src.path });
    }
  }
  if (r.has('ads_config')) {
    r.skip('ads_config');
    r.error('ads_config', NO_SERVER);
  }
  r.finish({ unsupported: { lds_resources_locator: '', cds_resources_locator: '' } });
  return out;
}
