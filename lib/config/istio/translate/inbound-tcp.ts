/**
 * Sidecar `ingress` entries with a TCP port: with `captureMode: NONE` istiod gives each its own
 * listener bound at `bind` (default: the proxy's address) and the port, named `<bind>_<port>`,
 * whose chains (by the port's PeerAuthentication) end in a tcp_proxy to `inbound|<port>||`.
 * Without NONE the port needs iptables capture, which Skiff does not have yet. AuthorizationPolicies
 * become network RBAC filters before the tcp_proxy of every chain (`authorization-tcp.ts`).
 */
import type {
  ClusterConfig,
  FilterChainConfig,
  ListenerConfig,
  NetworkRbacConfig,
  TcpProxyConfig,
} from '../../model.js';
import type { SidecarOptions } from '../sidecar-options.js';
import { inboundCluster, ingressEndpoint } from './inbound.js';
import { inboundTcpChains } from './inbound-mtls.js';
import { type EffectiveMtls, portMode } from './peer-authentication.js';
import { isSniRoutedProtocol, isTcpProtocol, TCP_IDLE_TIMEOUT_MS } from './port-protocols.js';
import type { SidecarScope } from './sidecar-scope.js';
import { inboundClusterName, type TranslateSink } from './types.js';

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

/** Puts the AuthorizationPolicy filters before the tcp_proxy of every chain, TLS and plaintext. */
function withNetworkRbac<T extends { filterChains: readonly FilterChainConfig[] }>(
  chains: T,
  networkRbac: readonly NetworkRbacConfig[],
): T {
  if (networkRbac.length === 0) return chains;
  const filterChains = chains.filterChains.map((c) => (c.hcm === undefined ? { ...c, networkRbac } : c));
  return { ...chains, filterChains };
}

/** The inbound TCP listeners and their clusters; refused ports are warnings naming the field. */
export function inboundTcpConfig(
  scope: SidecarScope,
  options: SidecarOptions,
  sink: TranslateSink,
  mtls: EffectiveMtls,
  networkRbac: readonly NetworkRbacConfig[],
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
      ...withNetworkRbac(
        inboundTcpChains(portMode(mtls, number), name, inboundTcpProxy(number)),
        networkRbac,
      ),
      perConnectionBufferLimitBytes: 1_048_576,
    });
    clusters.push(inboundCluster(number, app));
  });
  return { listeners, clusters };
}
