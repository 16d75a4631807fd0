/**
 * Sidecar `egress` entries with a TCP port and `captureMode: NONE`: istiod binds each at `bind`
 * (default 127.0.0.1) and the port, names it `<bind>_<port>`, and ends its one chain in a
 * tcp_proxy to the service its hosts import on that port (the oldest when several do), routed by
 * the service's VirtualService `tcp[]` when a rule applies. The clusters it names are created
 * with the DestinationRule's policy, as for HTTP ports.
 */
import type { ClusterConfig, ListenerConfig, TcpProxyConfig } from '../../model.js';
import { resolveHostname } from '../hosts.js';
import type { IstioDestination, SidecarEgress, VirtualService } from '../model.js';
import type { RegistryService, ServiceRegistry } from '../registry.js';
import type { SidecarOptions } from '../sidecar-options.js';
import type { SourcedResource } from '../sourced.js';
import type { DestinationRuleIndex } from './destination-rules.js';
import { clustersForServicePort, isHttpPort } from './outbound-clusters.js';
import { isSniRoutedProtocol, isTcpProtocol, TCP_IDLE_TIMEOUT_MS } from './port-protocols.js';
import type { SidecarScope } from './sidecar-scope.js';
import { egressAdmits } from './sidecar-scope.js';
import { tcpRouteFor } from './tcp-routes.js';
import { outboundClusterName, type TranslateSink } from './types.js';
import { type MeshVirtualServices, virtualServiceFor } from './virtual-hosts.js';

/** What the outbound TCP translation needs from the orchestrator. */
export interface OutboundTcpInputs {
  readonly scope: SidecarScope;
  readonly registry: ServiceRegistry;
  /** The services this proxy sees, in istiod's order. */
  readonly services: readonly RegistryService[];
  readonly rules: DestinationRuleIndex;
  readonly vss: MeshVirtualServices;
  readonly options: SidecarOptions;
  readonly sink: TranslateSink;
  /** Clusters the HTTP inventory already has (TCP clusters are added only when missing). */
  readonly existingClusters: ReadonlySet<string>;
}

/** The outbound TCP listeners, the clusters they add, and what they serve (for "not served" warnings). */
export interface OutboundTcp {
  readonly listeners: ListenerConfig[];
  readonly clusters: ClusterConfig[];
  /** `<hostname>|<port>` of every service port a listener serves. */
  readonly servedPorts: ReadonlySet<string>;
  /** The VirtualServices whose `tcp[]` a listener used. */
  readonly routedVirtualServices: ReadonlySet<SourcedResource<VirtualService>>;
}

interface Target {
  readonly name: string;
  readonly service: RegistryService | undefined;
  readonly port: number;
}

/** Where a destination goes, named as routeContext.resolve names it. */
function target(
  dest: IstioDestination,
  namespace: string,
  listenerPort: number,
  inputs: OutboundTcpInputs,
): Target {
  const fqdn = resolveHostname(dest.host, namespace);
  const service = inputs.registry.find(fqdn, inputs.options.workload.namespace);
  const only = service !== undefined && service.ports.length === 1 ? service.ports[0]?.number : undefined;
  const port = dest.port ?? only ?? listenerPort;
  return { name: outboundClusterName(port, dest.subset, service?.hostname ?? fqdn), service, port };
}

/** Conflicts in the port's services: the first (istiod's order) wins; the rest are named. */
function pickService(
  entry: SidecarEgress,
  i: number,
  inputs: OutboundTcpInputs,
  own: string,
): RegistryService | undefined {
  const port = entry.port?.number ?? 0;
  const file = inputs.scope.sidecar?.file ?? '';
  const on = inputs.services.filter(
    (s) =>
      entry.hosts.some((h) => egressAdmits(h, s.hostname, s.namespace, own)) &&
      s.ports.some((p) => p.number === port),
  );
  const [first, ...rest] = on;
  if (first === undefined) {
    inputs.sink.warnings.push({
      file,
      path: `spec.egress[${i}].port`,
      message: `port ${port} is not served: no service imported by hosts [${entry.hosts.join(', ')}] has port ${port}`,
    });
  } else if (rest.length > 0) {
    inputs.sink.warnings.push({
      file,
      path: `spec.egress[${i}].port`,
      message: `services ${on.map((s) => s.hostname).join(', ')} all have port ${port}; one TCP listener serves one service, so ${first.hostname} (the oldest ServiceEntry in istiod's order) is used and the others are not reachable on it (SKF0005)`,
    });
  }
  return first;
}

function tcpProxyFor(
  svc: RegistryService,
  port: number,
  inputs: OutboundTcpInputs,
  onVs: (vs: SourcedResource<VirtualService>) => void,
): { tcpProxy: TcpProxyConfig; targets: Target[] } {
  const ns = inputs.options.workload.namespace;
  const vs = virtualServiceFor(inputs.vss, svc.hostname);
  const namer = (d: IstioDestination, n: string): string => target(d, n, port, inputs).name;
  const route =
    vs === undefined || vs.resource.spec.tcp.length === 0
      ? null
      : tcpRouteFor(vs, port, inputs.options.workload, namer, inputs.sink);
  if (route !== null && vs !== undefined) onVs(vs);
  const destinations = route?.destinations ?? [{ host: svc.hostname, subset: '', port }];
  const targets = destinations.map((d) => target(d, vs?.resource.metadata.namespace ?? ns, port, inputs));
  const first = targets[0]?.service ?? svc;
  // istiod reads the timeouts from the first destination's rule, top-level policy only.
  const tcp =
    inputs.rules.forHost(first.hostname, first.namespace)?.trafficPolicy?.connectionPool?.tcp ?? null;
  const single = outboundClusterName(port, '', svc.hostname);
  return {
    tcpProxy: {
      statPrefix: route?.statPrefix ?? single,
      clusters: route?.clusters ?? [{ name: single, weight: 1 }],
      idleTimeoutMs: tcp?.idleTimeoutMs ?? TCP_IDLE_TIMEOUT_MS,
      maxConnectAttempts: 1,
      maxDownstreamConnectionDurationMs: tcp?.maxConnectionDurationMs ?? 0,
      accessLog: [],
    },
    targets,
  };
}

/** The clusters a target needs that the inventory lacks (its service port and DR subsets). */
function clustersFor(t: Target, inputs: OutboundTcpInputs, have: Set<string>): ClusterConfig[] {
  const port = t.service?.ports.find((p) => p.number === t.port);
  if (t.service === undefined || port === undefined || isHttpPort(port)) return [];
  const out: ClusterConfig[] = [];
  const built = clustersForServicePort(
    t.service,
    port,
    inputs.rules,
    inputs.sink,
    inputs.options.workload.trustDomain,
  );
  for (const c of built) {
    if (have.has(c.name)) continue;
    have.add(c.name);
    out.push(c);
  }
  return out;
}

/** Every outbound TCP listener of the proxy's Sidecar. */
export function outboundTcpConfig(inputs: OutboundTcpInputs): OutboundTcp {
  const sidecar = inputs.scope.sidecar;
  const out = {
    listeners: [] as ListenerConfig[],
    clusters: [] as ClusterConfig[],
    servedPorts: new Set<string>(),
    routedVirtualServices: new Set<SourcedResource<VirtualService>>(),
  };
  if (sidecar === null) return out;
  const own = sidecar.resource.metadata.namespace;
  const have = new Set(inputs.existingClusters);
  const warn = (path: string, message: string): void => {
    inputs.sink.warnings.push({ file: sidecar.file, path, message });
  };
  sidecar.resource.spec.egress.forEach((entry, i) => {
    const p = entry.port;
    if (p === null || p.number === 0) return;
    const what = `port ${p.number} (${p.protocol})`;
    if (isSniRoutedProtocol(p.protocol)) {
      warn(
        `spec.egress[${i}].port.protocol`,
        `${what} is not served: TLS/HTTPS ports are routed by SNI, which Skiff does not do yet`,
      );
      return;
    }
    if (!isTcpProtocol(p.protocol)) return;
    if (entry.captureMode !== 'NONE') {
      warn(
        `spec.egress[${i}].captureMode`,
        `${what} is not served: a TCP egress port needs iptables capture unless captureMode is NONE, and Skiff has no iptables capture yet; set captureMode: NONE to have Skiff bind it`,
      );
      return;
    }
    if (entry.bind.startsWith('unix://')) {
      warn(`spec.egress[${i}].bind`, `${what} is not served: Skiff binds TCP listeners to IP addresses only`);
      return;
    }
    const svc = pickService(entry, i, inputs, own);
    if (svc === undefined) return;
    const { tcpProxy, targets } = tcpProxyFor(svc, p.number, inputs, (vs) =>
      out.routedVirtualServices.add(vs),
    );
    for (const t of targets) {
      const added = clustersFor(t, inputs, have);
      out.clusters.push(...added);
      for (const c of added) {
        if (c.lbPolicy !== 'RING_HASH' && c.lbPolicy !== 'MAGLEV') continue;
        // istiod would set the tcp_proxy's hash_policy (useSourceIp); without one the hash is absent.
        warn(
          `spec.egress[${i}]`,
          `${what}: the consistentHash load balancer of ${c.name} has no hash on TCP (tcp_proxy hash_policy is not supported yet), so connections are spread at random`,
        );
      }
      if (t.service !== undefined) out.servedPorts.add(`${t.service.hostname}|${t.port}`);
      if (!have.has(t.name)) {
        warn(
          `spec.egress[${i}]`,
          `${what}: cluster ${t.name} does not exist (no such service, port or subset), so connections routed to it fail`,
        );
      }
    }
    const bind = entry.bind === '' ? '127.0.0.1' : entry.bind;
    const name = `${bind}_${p.number}`;
    out.listeners.push({
      name,
      address: { address: bind, port: p.number },
      trafficDirection: 'OUTBOUND',
      filterChains: [{ name, tcpProxy }],
      perConnectionBufferLimitBytes: 1_048_576,
    });
  });
  return out;
}
