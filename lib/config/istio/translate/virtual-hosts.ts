import { NO_HEADER_MUTATIONS } from '../../envoy/header-mutations.js';
/**
 * The outbound route table: one virtual host per visible HTTP service port, named by every Host
 * form a caller may use, holding the routes of the VirtualService for that host (or istiod's
 * default route), then the catch-all `allow_any` (PassthroughCluster) or `block_all` (502).
 */

import type { RouteConfig, RouteConfiguration, VirtualHostConfig } from '../../model.js';
import { hostAliases, hostMatches, resolveHostname } from '../hosts.js';
import type { VirtualService } from '../model.js';
import type { RegistryService } from '../registry.js';
import { ofKind, resourceName, type SourcedResource, visibleFrom } from '../sourced.js';
import { envoyRoute, plainVirtualHost } from './envoy-defaults.js';
import { istioDefaultRetryPolicy } from './http-retry.js';
import { translateHttpRoutes } from './http-routes.js';
import { isHttpPort } from './outbound-clusters.js';
import { type ClusterRef, PASSTHROUGH_CLUSTER, type RouteTranslateContext } from './types.js';

/** The VirtualServices bound to `mesh` that a proxy in `namespace` sees, by resolved host. */
export interface MeshVirtualServices {
  /** Resolved host (FQDN or wildcard) → the VirtualService that owns it (istiod: the oldest). */
  readonly byHost: ReadonlyMap<string, SourcedResource<VirtualService>>;
}

function boundToMesh(vs: VirtualService): boolean {
  return vs.spec.gateways.length === 0 || vs.spec.gateways.includes('mesh');
}

/** Picks one VirtualService per host as istiod does for sidecars; later duplicates are ignored. */
export function meshVirtualServices(
  resources: readonly SourcedResource[],
  namespace: string,
  warn: (vs: SourcedResource<VirtualService>, path: string, message: string) => void,
): MeshVirtualServices {
  const byHost = new Map<string, SourcedResource<VirtualService>>();
  for (const vs of ofKind(resources, 'VirtualService')) {
    const { spec, metadata } = vs.resource;
    if (spec.hosts.length === 0 || !boundToMesh(vs.resource)) continue;
    if (!visibleFrom(spec.exportTo, metadata.namespace, namespace)) continue;
    spec.hosts.forEach((h, i) => {
      const host = resolveHostname(h, metadata.namespace);
      const owner = byHost.get(host);
      if (owner === undefined) byHost.set(host, vs);
      else if (owner !== vs) {
        warn(
          vs,
          `spec.hosts[${i}]`,
          `host ${host} is already routed by ${resourceName(owner.resource)}, which comes first in istiod's order (oldest creationTimestamp, then name, then namespace) and wins; this VirtualService's rules for it are ignored (IST0109)`,
        );
      }
    });
  }
  return { byHost };
}

/** The VirtualService for a service host: exact host first, else the most specific wildcard. */
export function virtualServiceFor(
  vss: MeshVirtualServices,
  hostname: string,
): SourcedResource<VirtualService> | undefined {
  const exact = vss.byHost.get(hostname);
  if (exact !== undefined) return exact;
  let best: [string, SourcedResource<VirtualService>] | undefined;
  for (const [h, vs] of vss.byHost) {
    if (h.startsWith('*') && hostMatches(hostname, h) && (best === undefined || h.length > best[0].length)) {
      best = [h, vs];
    }
  }
  return best?.[1];
}

/** Istio's route for a service without a VirtualService: everything to the service, default retries, no timeout. */
export function defaultRoute(ref: ClusterRef): RouteConfig {
  const route = envoyRoute({
    name: 'default',
    match: { prefix: '/' },
    route: { cluster: ref.name, timeout: '0s' },
  });
  if (route.action.kind !== 'forward') return route;
  const retryPolicy = istioDefaultRetryPolicy(ref.previousHostsAllowed);
  const hash = ref.hashPolicy === undefined ? {} : { hashPolicy: ref.hashPolicy };
  return { ...route, action: { ...route.action, retryPolicy, ...hash } };
}

/** Callers' port-less Host means port 80; a service without an HTTP port 80 takes it on its first HTTP port. */
function defaultPortOf(service: RegistryService): number | undefined {
  const http = service.ports.filter(isHttpPort);
  return (http.find((p) => p.number === 80) ?? http[0])?.number;
}

export interface OutboundRouteInputs {
  readonly services: readonly RegistryService[];
  readonly vss: MeshVirtualServices;
  readonly namespace: string;
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  readonly ctx: RouteTranslateContext;
}

/** The outbound listener's route configuration. */
export function outboundRouteConfig(inputs: OutboundRouteInputs): RouteConfiguration {
  const { services, vss, namespace, ctx } = inputs;
  const vhosts: VirtualHostConfig[] = [];
  const covered = new Set<string>();
  for (const svc of services) {
    const vs = virtualServiceFor(vss, svc.hostname);
    const defaultPort = defaultPortOf(svc);
    for (const port of svc.ports.filter(isHttpPort)) {
      const aliases = hostAliases(svc.hostname, namespace);
      const domains = aliases.map((a) => `${a}:${port.number}`);
      if (port.number === defaultPort) domains.push(...aliases);
      const routes =
        vs === undefined
          ? [
              defaultRoute(
                ctx.resolve({ host: svc.hostname, subset: '', port: port.number }, namespace, port.number),
              ),
            ]
          : translateHttpRoutes(vs, port.number, ctx);
      vhosts.push(plainVirtualHost(`${svc.hostname}:${port.number}`, domains, routes));
    }
    covered.add(svc.hostname);
  }
  // VirtualService hosts that name no service still route (istiod builds them on port 80).
  for (const [host, vs] of vss.byHost) {
    if (covered.has(host) || services.some((s) => hostMatches(s.hostname, host))) continue;
    vhosts.push(plainVirtualHost(`${host}:80`, [host, `${host}:80`], translateHttpRoutes(vs, 80, ctx)));
  }
  vhosts.push(catchAll(inputs.outboundTrafficPolicy));
  return {
    name: 'outbound',
    virtualHosts: vhosts,
    headers: NO_HEADER_MUTATIONS,
    ignorePortInHostMatching: false,
  };
}

/** `allow_any` → PassthroughCluster by Host; `block_all` → 502 (istiod's BlackHole virtual host). */
function catchAll(policy: 'ALLOW_ANY' | 'REGISTRY_ONLY'): VirtualHostConfig {
  if (policy === 'REGISTRY_ONLY') {
    return plainVirtualHost(
      'block_all',
      ['*'],
      [envoyRoute({ name: 'block_all', match: { prefix: '/' }, direct_response: { status: 502 } })],
    );
  }
  return plainVirtualHost(
    'allow_any',
    ['*'],
    [
      envoyRoute({
        name: 'allow_any',
        match: { prefix: '/' },
        route: { cluster: PASSTHROUGH_CLUSTER, timeout: '0s' },
      }),
    ],
  );
}
