/**
 * Which Istio port protocols Skiff proxies as opaque TCP. istiod runs Mongo/MySQL/Redis ports
 * through tcp_proxy unless their protocol filters are switched on (off by default), so they are
 * TCP here too; TLS/HTTPS ports are routed by SNI, which Skiff does not do yet.
 */

const OPAQUE_TCP = new Set(['TCP', 'MONGO', 'MYSQL', 'REDIS']);
const SNI_ROUTED = new Set(['TLS', 'HTTPS']);

/** True for the protocols a tcp_proxy chain serves (TCP, MONGO, MYSQL, REDIS). */
export function isTcpProtocol(protocol: string): boolean {
  return OPAQUE_TCP.has(protocol.toUpperCase());
}

/** True for TLS/HTTPS ports, which istiod routes by SNI (not served by Skiff yet). */
export function isSniRoutedProtocol(protocol: string): boolean {
  return SNI_ROUTED.has(protocol.toUpperCase());
}

/** The ALPN an Istio client sidecar offers on TCP (the `istio.alpn` values; MX first). */
export const ISTIO_TCP_ALPN = ['istio-peer-exchange', 'istio'] as const;

/** Envoy's tcp_proxy `idle_timeout` default, which istiod leaves in place (1 h). */
export const TCP_IDLE_TIMEOUT_MS = 3_600_000;
