/**
 * Sidecar `ingress` entries with a TCP port: with `captureMode: NONE` istiod gives each its own
 * listener bound at `bind` (default: the proxy's address) and the port, named `<bind>_<port>`,
 * whose chains (by the port's PeerAuthentication) end in a tcp_proxy to `inbound|<port>||`.
 * Without NONE the port needs iptables capture, which Skiff does not have yet.
 */
import type { ClusterConfig, ListenerConfig, TcpProxyConfig } from '../../model.js';
import type { AuthorizationPolicy } from '../model.js';
import type { SidecarOptions } from '../sidecar-options.js';
import { ofKind, resourceName, type SourcedResource } from '../sourced.js';
import type { WorkloadInfo } from '../workload.js';
import { appliesTo } from './authorization.js';
import { inboundCluster, ingressEndpoint } from './inbound.js';
import { inboundTcpChains } from './inbound-mtls.js';
import { type EffectiveMtls, portMode } from './peer-authentication.js';
import { isSniRoutedProtocol, isTcpProtocol, TCP_IDLE_TIMEOUT_MS } from './port-protocols.js';
import type { SidecarScope } from './sidecar-scope.js';
import { inboundClusterName, type TranslateSink } from './types.js';

const DRY_RUN = 'istio.io/dry-run';

/**
 * The AuthorizationPolicies that would act on this workload's TCP connections (ALLOW, DENY,
 * CUSTOM; AUDIT only marks and dry-run ones only count, so neither changes what is served).
 */
export function enforcingPolicies(
  resources: readonly SourcedResource[],
  workload: WorkloadInfo,
): SourcedResource<AuthorizationPolicy>[] {
  return ofKind(resources, 'AuthorizationPolicy').filter(
    ({ resource: ap }) =>
      appliesTo(ap, workload) &&
      ap.spec.action !== 'AUDIT' &&
      (ap.metadata.annotations[DRY_RUN] ?? '').toLowerCase() !== 'true',
  );
}

/** istiod's inbound tcp_proxy: stat prefix = cluster name, Envoy's idle timeout. */
function inboundTcpProxy(port: number): TcpProxyConfig {
  const cluster = inboundClusterName(port);
  return {
    statPrefix: cluster,
    clusters: [{ name: cluster, weight: 1 }],
    idleTimeoutMs: TCP_IDLE_TIMEOUT_MS,
    maxConnectAttempts: 1,
    maxDownstreamConnectionDurationMs: 0,
    accessLog: [],
  };
}

/** The inbound TCP listeners and their clusters; refused ports are warnings naming the field. */
export function inboundTcpConfig(
  scope: SidecarScope,
  options: SidecarOptions,
  sink: TranslateSink,
  mtls: EffectiveMtls,
  authz: readonly SourcedResource<AuthorizationPolicy>[],
): { listeners: ListenerConfig[]; clusters: ClusterConfig[] } {
  const listeners: ListenerConfig[] = [];
  const clusters: ClusterConfig[] = [];
  const file = scope.sidecar?.file ?? '';
  scope.ingress.forEach((ing, i) => {
    const { number, protocol } = ing.port;
    const warn = (field: string, message: string): void => {
      sink.warnings.push({
        file,
        path: `spec.ingress[${i}]${field}`,
        message: `port ${number} (${protocol}) ${message}`,
      });
    };
    if (isSniRoutedProtocol(protocol)) {
      warn('.port.protocol', 'is not served: TLS/HTTPS ports are routed by SNI, which Skiff does not do yet');
      return;
    }
    if (!isTcpProtocol(protocol)) return;
    if (ing.captureMode !== 'NONE') {
      warn(
        '.captureMode',
        'is not served: a TCP ingress port needs iptables capture unless captureMode is NONE, and Skiff has no iptables capture yet; set captureMode: NONE to have Skiff bind the port',
      );
      return;
    }
    if (authz.length > 0) {
      const names = authz.map((a) => resourceName(a.resource)).join(', ');
      warn(
        '.port',
        `is not served: ${names} applies to this workload and Skiff does not enforce authorization on TCP connections yet, so the port stays closed rather than open to everyone`,
      );
      return;
    }
    const app = ingressEndpoint(ing, i, file, sink);
    if (app === null) return;
    if (ing.bind.startsWith('unix://')) {
      warn('.bind', 'is not served: Skiff binds TCP listeners to IP addresses only');
      return;
    }
    // istiod binds the proxy's own address when `bind` is empty; --bind-address stands for it.
    const bind = ing.bind === '' ? options.bindAddress : ing.bind;
    const name = `${bind}_${number}`;
    listeners.push({
      name,
      address: { address: bind, port: number },
      trafficDirection: 'INBOUND',
      ...inboundTcpChains(portMode(mtls, number), name, inboundTcpProxy(number)),
      perConnectionBufferLimitBytes: 1_048_576,
    });
    clusters.push(inboundCluster(number, app));
  });
  return { listeners, clusters };
}
