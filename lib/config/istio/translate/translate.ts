/**
 * Istio resources → one bootstrap part for one sidecar, as istiod builds a proxy's config:
 * `virtualOutbound` routing by Host to `outbound|port|subset|fqdn` clusters (absolute-form
 * proxy requests too), `virtualInbound` to the app, the Sidecar's TCP listeners (`captureMode:
 * NONE`), and the Passthrough/BlackHole clusters for hosts outside the registry.
 */
import type { BootstrapPart, Located } from '../../envoy/bootstrap.js';
import { EMPTY_FAULT } from '../../envoy/fault.js';
import type { ClusterConfig, FaultFilterConfig, ListenerConfig } from '../../model.js';
import { resolveHostname } from '../hosts.js';
import { type RegistryService, ServiceRegistry } from '../registry.js';
import type { SidecarOptions } from '../sidecar-options.js';
import { ofKind, type SourcedResource } from '../sourced.js';
import { withAccessLog } from './access-log.js';
import { authorizationFilters } from './authorization.js';
import { networkRbacFilters } from './authorization-tcp.js';
import { routeHashPolicy, usesConsistentHash } from './cluster-policy.js';
import { DestinationRuleIndex } from './destination-rules.js';
import { envoyCluster, envoyDefaultHcm, istioCluster } from './envoy-defaults.js';
import { inboundConfig } from './inbound.js';
import { inboundTcpConfig } from './inbound-tcp.js';
import { clustersForServicePort, isHttpPort } from './outbound-clusters.js';
import { type OutboundTcp, outboundTcpConfig } from './outbound-tcp.js';
import { effectiveMtls } from './peer-authentication.js';
import { isTcpProtocol } from './port-protocols.js';
import { type SidecarScope, sidecarScope } from './sidecar-scope.js';
import {
  BLACKHOLE_CLUSTER,
  type ClusterRef,
  FILTER_NAMES,
  outboundClusterName,
  PASSTHROUGH_CLUSTER,
  type RouteTranslateContext,
  type TranslateSink,
} from './types.js';
import { meshVirtualServices, outboundRouteConfig } from './virtual-hosts.js';

// Where translated objects say they came from in merge messages (duplicate names, addresses).
const ORIGIN = '(sidecar mode)';

// Istio's listener-level fault filter: empty, so only per-route configs act.
const NO_FAULT: FaultFilterConfig = { kind: 'fault', name: FILTER_NAMES.fault, fault: EMPTY_FAULT };

function located<T>(value: T, path: string): Located<T> {
  return { value, file: ORIGIN, path };
}

/** Istio's PassthroughCluster (by Host, as Skiff has no original destination yet) and BlackHoleCluster. */
function specialClusters(): ClusterConfig[] {
  return [
    istioCluster({
      name: PASSTHROUGH_CLUSTER,
      type: 'ORIGINAL_DST',
      lb_policy: 'CLUSTER_PROVIDED',
      original_dst_lb_config: { use_http_header: true, http_header_name: ':authority' },
    }),
    envoyCluster({ name: BLACKHOLE_CLUSTER, type: 'STATIC', connect_timeout: '10s' }),
  ];
}

function outboundListener(
  port: number,
  options: SidecarOptions,
  ctx: RouteTranslateContext,
  inputs: Omit<Parameters<typeof outboundRouteConfig>[0], 'ctx'>,
): ListenerConfig {
  const hcm = envoyDefaultHcm(
    `outbound_${options.bindAddress}_${port}`,
    outboundRouteConfig({ ...inputs, ctx }),
  );
  return {
    name: 'virtualOutbound',
    address: { address: options.bindAddress, port },
    trafficDirection: 'OUTBOUND',
    filterChains: [
      {
        name: 'virtualOutbound-http',
        hcm: {
          ...hcm,
          // Apps may talk to the sidecar as an HTTP proxy (`curl -x`): absolute-form targets.
          allowAbsoluteUrl: true,
          normalizePath: true,
          httpFilters: [
            NO_FAULT,
            { kind: 'cors', name: FILTER_NAMES.cors },
            { kind: 'router', name: FILTER_NAMES.router, suppressEnvoyHeaders: false, startChildSpan: false },
          ],
        },
      },
    ],
    perConnectionBufferLimitBytes: 1_048_576,
  };
}

function routeContext(
  resources: readonly SourcedResource[],
  registry: ServiceRegistry,
  rules: DestinationRuleIndex,
  options: SidecarOptions,
  sink: TranslateSink,
): RouteTranslateContext {
  const vss = ofKind(resources, 'VirtualService');
  return {
    workload: options.workload,
    sink,
    resolve(dest, namespace, listenerPort): ClusterRef {
      const fqdn = resolveHostname(dest.host, namespace);
      const svc = registry.find(fqdn, options.workload.namespace);
      const host = svc?.hostname ?? fqdn;
      const only = svc !== undefined && svc.ports.length === 1 ? svc.ports[0]?.number : undefined;
      const port = dest.port ?? only ?? (listenerPort > 0 ? listenerPort : 80);
      const rule = rules.forHost(host, svc?.namespace);
      const hashPolicy = routeHashPolicy(rule, dest.subset, port);
      return {
        name: outboundClusterName(port, dest.subset, host),
        ...(hashPolicy === undefined ? {} : { hashPolicy }),
        previousHostsAllowed: !usesConsistentHash(rule, dest.subset, port),
      };
    },
    delegate: (name, namespace) =>
      vss.find((v) => v.resource.metadata.name === name && v.resource.metadata.namespace === namespace),
  };
}

/** What Skiff does not serve: said once, with the field. TCP ports are served only by Sidecar listeners. */
function notServedYet(
  resources: readonly SourcedResource[],
  services: readonly RegistryService[],
  tcp: Pick<OutboundTcp, 'servedPorts' | 'routedVirtualServices'>,
  sink: TranslateSink,
): void {
  for (const svc of services) {
    if (svc.hostIndex !== 0) continue;
    svc.entry.resource.spec.ports.forEach((p, i) => {
      if (isHttpPort(p) || tcp.servedPorts.has(`${svc.hostname}|${p.number}`)) return;
      sink.warnings.push({
        file: svc.entry.file,
        path: `spec.ports[${i}]`,
        message: isTcpProtocol(p.protocol)
          ? `port ${p.number} (${p.protocol}) is not served: Skiff proxies TCP ports only on a Sidecar egress listener with captureMode NONE for this port (no iptables capture yet)`
          : `port ${p.number} (${p.protocol}) is not served yet: Skiff does not route TLS/HTTPS ports by SNI yet`,
      });
    });
  }
  for (const vs of ofKind(resources, 'VirtualService')) {
    if (vs.resource.spec.tcp.length > 0 && !tcp.routedVirtualServices.has(vs)) {
      sink.warnings.push({
        file: vs.file,
        path: 'spec.tcp',
        message:
          'tcp routes are not served here: Skiff applies them only on a Sidecar egress listener with captureMode NONE whose port a rule matches',
      });
    }
    if (vs.resource.spec.tls.length > 0) {
      sink.warnings.push({
        file: vs.file,
        path: 'spec.tls',
        message: 'tls routes are not served yet: Skiff does not route by SNI yet',
      });
    }
  }
}

export function translateIstio(
  resources: readonly SourcedResource[],
  options: SidecarOptions,
  sink: TranslateSink,
): BootstrapPart {
  const ns = options.workload.namespace;
  const registry = ServiceRegistry.build(resources);
  const scope: SidecarScope = sidecarScope(resources, options);
  const services = registry.visibleFrom(ns).filter((s) => scope.isVisible(s.hostname, s.namespace));
  const rules = DestinationRuleIndex.build(ofKind(resources, 'DestinationRule'), options.workload);
  const vss = meshVirtualServices(resources, ns, (vs, path, message) =>
    sink.warnings.push({ file: vs.file, path, message }),
  );
  const ctx = routeContext(resources, registry, rules, options, sink);

  const clusters: ClusterConfig[] = [];
  for (const svc of services) {
    for (const port of svc.ports.filter(isHttpPort))
      clusters.push(...clustersForServicePort(svc, port, rules, sink, options.workload.trustDomain));
  }
  const tcp = outboundTcpConfig({
    scope,
    registry,
    services,
    rules,
    vss,
    options,
    sink,
    existingClusters: new Set(clusters.map((c) => c.name)),
  });
  clusters.push(...tcp.clusters);
  notServedYet(resources, services, tcp, sink);
  const listeners: ListenerConfig[] = [];
  if (options.outboundPort !== null) {
    listeners.push(
      outboundListener(options.outboundPort, options, ctx, {
        services,
        vss,
        namespace: ns,
        outboundTrafficPolicy: scope.outboundTrafficPolicy,
      }),
    );
  }
  const mtls = effectiveMtls(ofKind(resources, 'PeerAuthentication'), options.workload);
  const inbound = inboundConfig(
    scope,
    options,
    sink,
    authorizationFilters(resources, options.workload, sink),
    mtls,
  );
  if (inbound.listener !== null) listeners.push(inbound.listener);
  const inboundTcp = inboundTcpConfig(
    scope,
    options,
    sink,
    mtls,
    networkRbacFilters(resources, options.workload, sink),
  );
  listeners.push(...tcp.listeners, ...inboundTcp.listeners);
  const accessLog = options.accessLog ?? null;
  if (accessLog !== null) {
    for (let i = 0; i < listeners.length; i++) listeners[i] = withAccessLog(listeners[i]!, accessLog);
  }
  const inboundNames = new Set(inbound.clusters.map((c) => c.name));
  clusters.push(
    ...inbound.clusters,
    ...inboundTcp.clusters.filter((c) => !inboundNames.has(c.name)),
    ...specialClusters(),
  );
  return {
    node: located(
      {
        id: `sidecar~${options.workload.name || 'skiff'}.${ns}~${ns}.svc.cluster.local`,
        cluster: options.workload.name || 'skiff',
      },
      'node',
    ),
    admin: null,
    listeners: listeners.map((l, i) => located(l, `listeners[${i}]`)),
    clusters: clusters.map((c) => located(c, `clusters[${c.name}]`)),
    clusterRefs: [],
    assignments: [],
    dynamicFiles: [],
  };
}
