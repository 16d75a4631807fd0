/**
 * What a terminated downstream TLS connection proved: the `DownstreamTlsInfo` every stream on it
 * shares, plus the peer certificate facts only XFCC needs (computed on first use).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { parseSubjectAltNames } from '../tls/pki/inspect.js';
import type { DownstreamTlsInfo } from '../tls/types.js';

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

/** One TLS connection's identity facts (implements the shared `DownstreamTlsInfo`). */
export class TlsConnectionDetails implements DownstreamTlsInfo {
  readonly peerUriSans: readonly string[];
  readonly peerPrincipal: string;
  readonly peerCertSha256: string;
  readonly localUriSan: string;
  readonly alpn: string;
  readonly version: string;
  /** The peer's DNS SANs. */
  readonly peerDnsSans: readonly string[];
  /** The peer's certificate says CA:TRUE (a leaf must not). */
  readonly peerIsCa: boolean;
  private readonly peerDer: Buffer | null;
  private readonly socket: TLSSocket;
  private subjectText: string | null = null;
  /** This hop's XFCC element and the `set_current_client_cert_details` it was built for (null = none yet). */
  xfccFor: object | undefined | null = null;
  xfccValue = '';

  constructor(socket: TLSSocket, localUriSan: string) {
    this.socket = socket;
    const peer = socket.getPeerCertificate();
    const der = peer !== null && peer.raw !== undefined && peer.raw.length > 0 ? peer.raw : null;
    this.peerDer = der;
    const sans = parseSubjectAltNames(der === null ? undefined : peer.subjectaltname);
    this.peerUriSans = sans.uri;
    this.peerDnsSans = sans.dns;
    this.peerIsCa = der !== null && peer.ca === true;
    const spiffe = sans.uri.find((u) => u.startsWith('spiffe://'));
    this.peerPrincipal = spiffe === undefined ? '' : spiffe.slice('spiffe://'.length);
    this.peerCertSha256 = der === null ? '' : createHash('sha256').update(der).digest('hex');
    this.localUriSan = localUriSan;
    const alpn = socket.alpnProtocol;
    this.alpn = typeof alpn === 'string' ? alpn : '';
    this.version = socket.getProtocol() ?? '';
  }

  /** True when the client presented a certificate. */
  get peerCertificatePresented(): boolean {
    return this.peerDer !== null;
  }

  /** The peer subject as RFC 2253 text (Envoy's `Subject=`), "" without one. */
  get peerSubject(): string {
    if (this.subjectText === null) {
      const subject = this.peerDer === null ? '' : new X509Certificate(this.peerDer).subject;
      this.subjectText = subject === '' ? '' : subject.split('\n').reverse().join(',');
    }
    return this.subjectText;
  }

  /** The peer certificate in PEM, "" without one. */
  peerCertPem(): string {
    return this.peerDer === null ? '' : toPem(this.peerDer);
  }

  /** The peer certificate and the chain it sent, in PEM. */
  peerChainPem(): string {
    if (this.peerDer === null) return '';
    let cert = this.socket.getPeerCertificate(true);
    let out = '';
    const seen = new Set<Buffer>();
    while (cert?.raw !== undefined && !seen.has(cert.raw)) {
      seen.add(cert.raw);
      out += toPem(cert.raw);
      if (cert.issuerCertificate === undefined || cert.issuerCertificate === cert) break;
      cert = cert.issuerCertificate;
    }
    return out;
  }
}

/** Where the listener leaves a TLS socket's details for the connection manager to pick up. */
export const kTlsDetails = Symbol('skiff.tlsDetails');

/** A socket that may carry TLS details. */
export type TlsTaggedSocket = { [kTlsDetails]?: TlsConnectionDetails };
