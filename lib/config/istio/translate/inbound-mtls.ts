/**
 * The inbound listener's filter chains for the workload's PeerAuthentication, as istiod builds
 * them: STRICT = one `tls` chain terminating mTLS with the workload certificate; PERMISSIVE =
 * that chain plus a `raw_buffer` plaintext one (tls_inspector decides); DISABLE = plaintext only.
 */
import type {
  DownstreamTlsConfig,
  FilterChainConfig,
  HttpConnectionManagerConfig,
  ListenerConfig,
  TcpProxyConfig,
} from '../../model.js';
import { type EffectiveMtls, type EffectiveMtlsMode, portMode } from './peer-authentication.js';

/** Istio's inbound DownstreamTlsContext (ISTIO_MUTUAL server side). */
export const ISTIO_INBOUND_TLS: DownstreamTlsConfig = {
  certificate: { kind: 'workload' },
  validation: { trust: { kind: 'workload' }, subjectAltNames: [], acceptUntrusted: false },
  requireClientCertificate: true,
  alpnProtocols: ['h2', 'http/1.1', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2', 'istio'],
  minVersion: 'TLSv1_2',
  maxVersion: 'TLSv1_3',
};

/** What Istio's inbound HCM does with XFCC: append this hop with subject, URI and DNS. */
export const ISTIO_INBOUND_XFCC: Pick<
  HttpConnectionManagerConfig,
  'forwardClientCertDetails' | 'setCurrentClientCertDetails'
> = {
  forwardClientCertDetails: 'APPEND_FORWARD',
  setCurrentClientCertDetails: { subject: true, cert: false, chain: false, dns: true, uri: true },
};

/** Which transports may reach a port in `mode`. */
export function allows(mode: EffectiveMtlsMode, transport: 'tls' | 'raw_buffer'): boolean {
  return transport === 'tls' ? mode !== 'DISABLE' : mode !== 'STRICT';
}

/**
 * The listener's mode. Skiff serves every inbound port on one socket (no original destination),
 * so when ports differ the listener sniffs (PERMISSIVE) and each chain's route table holds only
 * the ports its transport may reach (`inboundChains`): plaintext to a STRICT port finds no route.
 */
export function listenerMode(eff: EffectiveMtls, ports: readonly number[]): EffectiveMtlsMode {
  const modes = new Set(ports.map((p) => portMode(eff, p)));
  if (modes.size === 0) return eff.mode;
  if (modes.size === 1) return [...modes][0] as EffectiveMtlsMode;
  return 'PERMISSIVE';
}

/** The listener's chains and listener filters for `mode`; `hcmFor` gives each transport's HCM. */
export function inboundChains(
  mode: EffectiveMtlsMode,
  hcmFor: (transport: 'tls' | 'raw_buffer') => HttpConnectionManagerConfig,
): Pick<ListenerConfig, 'filterChains' | 'listenerFilters'> {
  const plain: FilterChainConfig = { name: 'virtualInbound-http', hcm: hcmFor('raw_buffer') };
  if (mode === 'DISABLE') return { filterChains: [plain] };
  const mtls: FilterChainConfig = {
    name: 'virtualInbound-mtls',
    match: { transportProtocol: 'tls' },
    tls: ISTIO_INBOUND_TLS,
    hcm: hcmFor('tls'),
  };
  const raw: FilterChainConfig = { ...plain, match: { transportProtocol: 'raw_buffer' } };
  return {
    filterChains: mode === 'STRICT' ? [mtls] : [mtls, raw],
    listenerFilters: ['tls_inspector'],
  };
}

/**
 * The inbound TLS context of a TCP port: Istio's TCP ALPNs first (Node picks by the server's
 * order, and `istio-peer-exchange` is what turns on TCP metadata exchange), the HTTP ones after.
 */
export const ISTIO_INBOUND_TCP_TLS: DownstreamTlsConfig = {
  ...ISTIO_INBOUND_TLS,
  alpnProtocols: [
    'istio-peer-exchange',
    'istio',
    'h2',
    'http/1.1',
    'istio-http/1.0',
    'istio-http/1.1',
    'istio-h2',
  ],
};

/** The chains of a listener ending in `tcpProxy`, for one port's mTLS `mode` (as `inboundChains`). */
export function inboundTcpChains(
  mode: EffectiveMtlsMode,
  name: string,
  tcpProxy: TcpProxyConfig,
): Pick<ListenerConfig, 'filterChains' | 'listenerFilters'> {
  const plain: FilterChainConfig = { name, tcpProxy };
  if (mode === 'DISABLE') return { filterChains: [plain] };
  const mtls: FilterChainConfig = {
    name,
    match: { transportProtocol: 'tls' },
    tls: ISTIO_INBOUND_TCP_TLS,
    tcpProxy,
  };
  const raw: FilterChainConfig = { ...plain, match: { transportProtocol: 'raw_buffer' } };
  return {
    filterChains: mode === 'STRICT' ? [mtls] : [mtls, raw],
    listenerFilters: ['tls_inspector'],
  };
}
