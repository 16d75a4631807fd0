/**
 * `x-forwarded-client-cert` as Envoy's connection manager edits it: removed on connections
 * without a client certificate (unless ALWAYS_FORWARD_ONLY), kept by the FORWARD modes, and
 * `By=…;Hash=…` plus the configured details set or appended by SANITIZE_SET / APPEND_FORWARD.
 */
import type { ClientCertDetailsConfig, HttpConnectionManagerConfig } from '../config/model.js';
import type { TlsConnectionDetails } from '../listener/tls-details.js';
import type { HeaderMap } from './header-map.js';

const XFCC = 'x-forwarded-client-cert';

/** Applies the HCM's XFCC policy to one request's headers. */
export function mutateXfcc(
  h: HeaderMap,
  cfg: HttpConnectionManagerConfig,
  tls: TlsConnectionDetails | null,
): void {
  const mode = cfg.forwardClientCertDetails ?? 'SANITIZE';
  if (tls === null || !tls.peerCertificatePresented) {
    if (mode !== 'ALWAYS_FORWARD_ONLY') h.remove(XFCC);
    return;
  }
  if (mode === 'FORWARD_ONLY' || mode === 'ALWAYS_FORWARD_ONLY') return;
  if (mode === 'SANITIZE') {
    h.remove(XFCC);
    return;
  }
  // The element depends only on the connection and the config: built once per connection.
  const d = cfg.setCurrentClientCertDetails;
  if (tls.xfccFor !== d) {
    tls.xfccValue = currentDetails(tls, d);
    tls.xfccFor = d;
  }
  const value = tls.xfccValue;
  const prev = mode === 'APPEND_FORWARD' ? h.get(XFCC) : undefined;
  h.set(XFCC, prev === undefined || prev === '' ? value : `${prev},${value}`);
}

/** This hop's element: By, Hash, then Subject, Cert, Chain, URI, DNS in Envoy's order. */
export function currentDetails(tls: TlsConnectionDetails, d: ClientCertDetailsConfig | undefined): string {
  const parts: string[] = [];
  if (tls.localUriSan !== '') parts.push(`By=${tls.localUriSan}`);
  if (tls.peerCertSha256 !== '') parts.push(`Hash=${tls.peerCertSha256}`);
  if (d !== undefined) {
    // Subject and URI keys appear even when empty, as in Envoy; DNS only for each DNS SAN
    // (an SVID has none, and Istio asks for DNS: a bare `DNS=` would not match Envoy's header).
    if (d.subject) parts.push(`Subject="${escapeQuoted(tls.peerSubject)}"`);
    if (d.cert) parts.push(`Cert="${encodeURIComponent(tls.peerCertPem())}"`);
    if (d.chain) parts.push(`Chain="${encodeURIComponent(tls.peerChainPem())}"`);
    if (d.uri) {
      if (tls.peerUriSans.length === 0) parts.push('URI=');
      for (const u of tls.peerUriSans) parts.push(`URI=${u}`);
    }
    if (d.dns) for (const n of tls.peerDnsSans) parts.push(`DNS=${n}`);
  }
  return parts.join(';');
}

function escapeQuoted(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
