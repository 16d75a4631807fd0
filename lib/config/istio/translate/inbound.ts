/**
 * The inbound side of a sidecar: `virtualInbound` on 15006 forwarding to the app through
 * `inbound|<port>||` clusters, ports taken from the Sidecar's `ingress` (defaultEndpoint) or
 * `--app-port`. Without iptables there is no original destination port, so a Host header
 * naming an ingress port picks it and everything else goes to the first.
 */

import { NO_HEADER_MUTATIONS } from '../../envoy/header-mutations.js';
import type {
  ClusterConfig,
  HttpConnectionManagerConfig,
  HttpFilterConfig,
  ListenerConfig,
  RouteConfig,
  VirtualHostConfig,
} from '../../model.js';
import type { SidecarIngress } from '../model.js';
import type { SidecarOptions } from '../sidecar-options.js';
import { envoyDefaultHcm, envoyRoute, istioCluster, plainVirtualHost } from './envoy-defaults.js';
import { allows, ISTIO_INBOUND_XFCC, inboundChains, listenerMode } from './inbound-mtls.js';
import { type EffectiveMtls, portMode } from './peer-authentication.js';
import { isSniRoutedProtocol, isTcpProtocol } from './port-protocols.js';
import type { SidecarScope } from './sidecar-scope.js';
import { inboundClusterName, type TranslateSink } from './types.js';

interface InboundPort {
  /** The port callers reach the workload on (the service's target port). */
  readonly port: number;
  /** Where the app listens. */
  readonly app: { readonly address: string; readonly port: number };
}

/** `IP:port` of a Sidecar `defaultEndpoint` (0.0.0.0 = loopback); null for anything else. */
export function parseEndpoint(ep: string): { address: string; port: number } | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(ep);
  if (m === null) return null;
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  // Istio's 0.0.0.0 means "the pod IP"; for a sidecar next to the app that is loopback.
  return { address: host === '0.0.0.0' ? '127.0.0.1' : host, port: Number(m[2]) };
}

/** Where ingress entry `i` forwards to (its defaultEndpoint, else loopback:port); null after an error. */
export function ingressEndpoint(
  ing: SidecarIngress,
  i: number,
  file: string,
  sink: TranslateSink,
): { address: string; port: number } | null {
  const ep = ing.defaultEndpoint === '' ? `127.0.0.1:${ing.port.number}` : ing.defaultEndpoint;
  const app = parseEndpoint(ep);
  if (app === null) {
    sink.issues.push({
      file,
      path: `spec.ingress[${i}].defaultEndpoint`,
      message: `"${ep}" is not supported: Skiff forwards inbound traffic to IP:port endpoints only`,
    });
  }
  return app;
}

function inboundPorts(scope: SidecarScope, options: SidecarOptions, sink: TranslateSink): InboundPort[] {
  const out: InboundPort[] = [];
  scope.ingress.forEach((ing, i) => {
    // TCP/TLS ports are not HTTP: inbound-tcp.ts serves (or refuses) them.
    if (isTcpProtocol(ing.port.protocol) || isSniRoutedProtocol(ing.port.protocol)) return;
    const app = ingressEndpoint(ing, i, scope.sidecar?.file ?? '', sink);
    if (app === null) return;
    out.push({ port: ing.port.number, app });
  });
  if (out.length === 0 && options.appPort !== null) {
    out.push({ port: options.appPort, app: { address: '127.0.0.1', port: options.appPort } });
  }
  return out;
}

/** `inbound|<port>||`: the app at `app`, one static endpoint. */
export function inboundCluster(port: number, app: { address: string; port: number }): ClusterConfig {
  return istioCluster({
    name: inboundClusterName(port),
    type: 'STATIC',
    load_assignment: {
      cluster_name: inboundClusterName(port),
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: app.address, port_value: app.port } } } },
          ],
        },
      ],
    },
  });
}

/** Istio's inbound route: everything to the app, no timeout, retried only if never sent. */
function inboundRoute(cluster: string): RouteConfig {
  return envoyRoute({
    name: 'default',
    match: { prefix: '/' },
    route: { cluster, timeout: '0s', retry_policy: { retry_on: 'reset-before-request', num_retries: 2 } },
  });
}

function vhost(p: InboundPort, first: boolean): VirtualHostConfig {
  return plainVirtualHost(`inbound|http|${p.port}`, first ? ['*'] : [`*:${p.port}`], [
    inboundRoute(inboundClusterName(p.port)),
  ]);
}

/** The inbound listener and its clusters; none when nothing says where the app listens. */
export function inboundConfig(
  scope: SidecarScope,
  options: SidecarOptions,
  sink: TranslateSink,
  authz: readonly HttpFilterConfig[] = [],
  mtls: EffectiveMtls = { mode: 'PERMISSIVE', ports: {} },
): { listener: ListenerConfig | null; clusters: ClusterConfig[] } {
  const port = options.inboundPort;
  const ports = port === null ? [] : inboundPorts(scope, options, sink);
  if (port === null || ports.length === 0) return { listener: null, clusters: [] };
  const clusters = ports.map((p) => inboundCluster(p.port, p.app));
  const mode = listenerMode(
    mtls,
    ports.map((p) => p.port),
  );
  // Per transport, only the ports it may reach (they differ when portLevelMtls mixes modes).
  const hcmFor = (transport: 'tls' | 'raw_buffer'): HttpConnectionManagerConfig => {
    // Envoy's domain rules put `*` last, so the first port's catch-all never hides `*:<port>`.
    const virtualHosts = ports
      .filter((p) => allows(portMode(mtls, p.port), transport))
      .map((p) => vhost(p, p === ports[0]));
    const hcm = envoyDefaultHcm(`inbound_${options.bindAddress}_${port}`, {
      name: 'inbound',
      virtualHosts,
      headers: NO_HEADER_MUTATIONS,
      ignorePortInHostMatching: false,
    });
    return {
      ...hcm,
      // Istio's default path normalisation (BASE): RBAC and routing see the RFC 3986 path.
      normalizePath: true,
      // envoyDefaultHcm's filters are the router alone; authorization runs before it.
      httpFilters: [...authz, ...hcm.httpFilters],
      ...ISTIO_INBOUND_XFCC,
    };
  };
  const listener: ListenerConfig = {
    name: 'virtualInbound',
    address: { address: options.bindAddress, port },
    trafficDirection: 'INBOUND',
    ...inboundChains(mode, hcmFor),
    perConnectionBufferLimitBytes: 1_048_576,
  };
  return { listener, clusters };
}
