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
} from '../../model.js';
import { type EffectiveMtls, type EffectiveMtlsMode, portMode } from './peer-authentication.js';
import type { TranslateSink } from './types.js';

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

/**
 * One mode for the listener: Skiff's inbound listener serves every port on one socket (no
 * original destination), so the connection cannot tell which port it is for. When ports differ,
 * any STRICT port makes it STRICT (failing closed), else PERMISSIVE; a warning says so.
 */
export function listenerMode(
  eff: EffectiveMtls,
  ports: readonly number[],
  sink: TranslateSink,
): EffectiveMtlsMode {
  const modes = new Set(ports.map((p) => portMode(eff, p)));
  if (modes.size === 0) modes.add(eff.mode);
  if (modes.size === 1) return [...modes][0] as EffectiveMtlsMode;
  const mode: EffectiveMtlsMode = modes.has('STRICT') ? 'STRICT' : 'PERMISSIVE';
  sink.warnings.push({
    file: '(sidecar mode)',
    path: 'PeerAuthentication.portLevelMtls',
    message: `inbound ports use different mTLS modes (${ports.map((p) => `${p}: ${portMode(eff, p)}`).join(', ')}); Skiff serves all inbound ports on one listener and applies ${mode} to every one`,
  });
  return mode;
}

/** The listener's chains and listener filters for `mode`. */
export function inboundChains(
  mode: EffectiveMtlsMode,
  hcm: HttpConnectionManagerConfig,
): Pick<ListenerConfig, 'filterChains' | 'listenerFilters'> {
  const plain: FilterChainConfig = { name: 'virtualInbound-http', hcm };
  if (mode === 'DISABLE') return { filterChains: [plain] };
  const mtls: FilterChainConfig = {
    name: 'virtualInbound-mtls',
    match: { transportProtocol: 'tls' },
    tls: ISTIO_INBOUND_TLS,
    hcm,
  };
  const raw: FilterChainConfig = { ...plain, match: { transportProtocol: 'raw_buffer' } };
  return {
    filterChains: mode === 'STRICT' ? [mtls] : [mtls, raw],
    listenerFilters: ['tls_inspector'],
  };
}
