/**
 * Istio resources → one bootstrap part for one sidecar, as istiod builds a proxy's config:
 * an outbound listener routing by Host to `outbound|port|subset|fqdn` clusters, an inbound
 * listener to the app, and the Passthrough/BlackHole clusters for unknown hosts.
 */
import type { BootstrapPart } from '../../envoy/bootstrap.js';
import type { SidecarOptions } from '../sidecar-options.js';
import type { SourcedResource } from '../sourced.js';
import type { TranslateSink } from './types.js';

export function translateIstio(
  resources: readonly SourcedResource[],
  _options: SidecarOptions,
  sink: TranslateSink,
): BootstrapPart {
  const first = resources[0];
  sink.warnings.push({
    file: first?.file ?? '',
    path: 'kind',
    message: 'Istio resources decode but are not served yet: translation is in progress',
  });
  return {
    node: null,
    admin: null,
    listeners: [],
    clusters: [],
    clusterRefs: [],
    assignments: [],
    dynamicFiles: [],
  };
}
