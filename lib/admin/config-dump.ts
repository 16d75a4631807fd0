/**
 * `/config_dump` in Envoy's `admin.v3.ConfigDump` shape: one typed entry each for the bootstrap,
 * the clusters, (with `?include_eds`) the endpoints, the listeners and the route configs, in
 * Envoy's order. Everything is static in Skiff, so only the `static_*` lists are filled and no
 * `version_info`/`last_updated` is given. What Envoy has no field for sits under `skiff`.
 */
import { clusterNames, encodeBootstrap } from '../config/envoy/encode/bootstrap.js';
import { encodeCluster, encodeLoadAssignment } from '../config/envoy/encode/cluster.js';
import { encodeListener } from '../config/envoy/encode/listener.js';
import { encodeRouteConfiguration } from '../config/envoy/encode/route-config.js';
import { TYPE } from '../config/envoy/encode/type-urls.js';
import type { Bootstrap } from '../config/model.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

/** A rejected live reload, as the admin context reports it. */
export interface ReloadError {
  readonly at: string;
  readonly errors: readonly string[];
}

/** Skiff's own facts, kept in their own key next to Envoy's `configs`. */
export interface SkiffDumpExtras {
  /** Files the running config was loaded from. */
  readonly sources: readonly string[];
  /** Present while the last live reload was rejected (the running config is the previous one). */
  readonly lastReloadError?: ReloadError;
}

/** The `/config_dump` body. */
export interface ConfigDump {
  readonly configs: readonly Record<string, unknown>[];
  readonly skiff: SkiffDumpExtras;
}

export function configDump(b: Bootstrap, reloadError: ReloadError | null, includeEds: boolean): ConfigDump {
  const known = clusterNames(b);
  const configs: Record<string, unknown>[] = [
    { '@type': `${ADMIN}BootstrapConfigDump`, bootstrap: encodeBootstrap(b) },
    {
      '@type': `${ADMIN}ClustersConfigDump`,
      static_clusters: b.clusters.map((c) => ({ cluster: { '@type': TYPE.cluster, ...encodeCluster(c) } })),
    },
  ];
  if (includeEds) {
    configs.push({
      '@type': `${ADMIN}EndpointsConfigDump`,
      static_endpoint_configs: b.clusters.map((c) => ({
        endpoint_config: { '@type': TYPE.loadAssignment, ...encodeLoadAssignment(c.name, c.endpoints) },
      })),
    });
  }
  configs.push(
    {
      '@type': `${ADMIN}ListenersConfigDump`,
      static_listeners: b.listeners.map((l) => ({
        listener: { '@type': TYPE.listener, ...encodeListener(l, known) },
      })),
    },
    {
      '@type': `${ADMIN}RoutesConfigDump`,
      static_route_configs: b.listeners.flatMap((l) =>
        l.filterChains.flatMap((c) =>
          c.hcm === undefined
            ? []
            : [
                {
                  route_config: {
                    '@type': TYPE.routeConfiguration,
                    ...encodeRouteConfiguration(c.hcm.routeConfig, known),
                  },
                },
              ],
        ),
      ),
    },
  );
  const skiff: SkiffDumpExtras =
    reloadError === null ? { sources: b.sources } : { sources: b.sources, lastReloadError: reloadError };
  return { configs, skiff };
}
