/**
 * TLS termination for one filter chain: a never-listening `tls.Server` that raw sockets are
 * handed to, so Node's server-side handshake (client certificate request, verification, ALPN,
 * `setSecureContext` for rotation) applies unchanged. After the handshake the chain's own checks
 * run (a required certificate present, trusted, SAN allowed); failures close the connection with
 * no application bytes, which is what a TLS 1.3 client observes as the rejection.
 */
import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import type { DownstreamTlsConfig } from '../config/model.js';
import type { SubjectAltName } from '../tls/subject-alt-names.js';
import type { CertificateProvider } from '../tls/types.js';
import { SanMatchers } from '../upstream/san-check.js';
import type { Logger } from '../util/logger.js';
import { TlsContextSource } from './tls-context-source.js';
import { TlsConnectionDetails } from './tls-details.js';

// Skiff serves HTTP/1.1 only, so it never agrees to h2; Istio's client sidecars offer these.
const SERVABLE_ALPN = ['http/1.1', 'istio-http/1.1', 'istio-http/1.0', 'istio', 'http/1.0'];
const ISTIO_ALPN = ['istio-http/1.1', 'istio-http/1.0', 'istio'];

/** How long a started handshake may take (Node's default is 120 s). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** One chain's TLS server side. */
export class TlsTerminator {
  private readonly server: Server;
  private readonly source: TlsContextSource;
  /** The chain's `match_typed_subject_alt_names`; null = any SAN. */
  private readonly sans: SanMatchers | null;
  private readonly alpn: readonly string[];

  constructor(
    private readonly cfg: DownstreamTlsConfig,
    provider: CertificateProvider | null,
    private readonly log: Logger,
    private readonly onSecure: (socket: TLSSocket, details: TlsConnectionDetails) => void,
    /** The chain proxies opaque bytes (tcp_proxy): every configured ALPN may be agreed. */
    opaque = false,
  ) {
    const sanList = cfg.validation?.subjectAltNames ?? [];
    this.sans = sanList.length === 0 ? null : new SanMatchers(sanList);
    const offered = cfg.alpnProtocols.filter((p) => opaque || SERVABLE_ALPN.includes(p));
    // Istio lists h2 and http/1.1; its clients offer istio-* names, which serve HTTP/1.1 here too.
    // A tcp_proxy chain agrees to any configured name (istio-peer-exchange starts the metadata exchange).
    this.alpn =
      cfg.alpnProtocols.length === 0 || opaque
        ? offered
        : [...offered, ...ISTIO_ALPN.filter((p) => !offered.includes(p))];
    this.source = new TlsContextSource(cfg, provider, (err) =>
      log.warn(`TLS certificate reload failed, keeping the previous one: ${err.message}`),
    );
    this.server = createServer(this.serverOptions());
    this.source.onChange(() => {
      const m = this.source.current();
      if (m !== null) this.server.setSecureContext(this.contextOptions());
    });
    this.server.on('secureConnection', (s: TLSSocket) => this.accept(s));
    this.server.on('tlsClientError', (err: Error & { code?: string }) => {
      log.debug(`TLS handshake failed: ${err.code ?? err.message}`);
    });
  }

  /** Starts the handshake on a raw socket whose first bytes were put back. */
  handle(socket: Socket): void {
    if (this.source.current() === null) {
      socket.destroy();
      return;
    }
    this.server.emit('connection', socket);
  }

  close(): void {
    this.source.close();
  }

  private contextOptions(): TlsOptions {
    const m = this.source.current();
    return {
      ...(m === null ? {} : { cert: m.cert, key: m.key }),
      ...(m?.ca == null ? {} : { ca: m.ca }),
      minVersion: this.cfg.minVersion === 'TLSv1_3' ? 'TLSv1.3' : 'TLSv1.2',
      maxVersion: this.cfg.maxVersion === 'TLSv1_2' ? 'TLSv1.2' : 'TLSv1.3',
    };
  }

  private serverOptions(): TlsOptions {
    const v = this.cfg.validation;
    return {
      ...this.contextOptions(),
      requestCert: v !== null,
      // Untrusted or missing certificates are refused after the handshake (see accept()) unless
      // both are required up front, which lets TLS 1.2 clients see the alert.
      rejectUnauthorized: v !== null && this.cfg.requireClientCertificate && !v.acceptUntrusted,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      ...(this.alpn.length === 0 ? {} : { ALPNCallback: this.pickAlpn }),
    };
  }

  private readonly pickAlpn = ({ protocols }: { protocols: string[] }): string | undefined => {
    for (const p of this.alpn) if (protocols.includes(p)) return p;
    return undefined;
  };

  private accept(socket: TLSSocket): void {
    const m = this.source.current();
    const details = new TlsConnectionDetails(socket, m?.localUriSan ?? '');
    const reason = this.refusal(socket, details);
    if (reason !== null) {
      this.log.debug(`TLS connection refused: ${reason}`);
      socket.destroy();
      return;
    }
    this.onSecure(socket, details);
  }

  /** Why this peer may not proceed, or null. */
  private refusal(socket: TLSSocket, d: TlsConnectionDetails): string | null {
    const v = this.cfg.validation;
    if (v === null) return null;
    if (!d.peerCertificatePresented)
      return this.cfg.requireClientCertificate ? 'no client certificate' : null;
    if (!socket.authorized && !v.acceptUntrusted)
      return `untrusted client certificate (${String(socket.authorizationError)})`;
    if (v.trust.kind === 'workload') {
      const svid = svidProblem(d);
      if (svid !== null) return svid;
    }
    if (this.sans === null) return null;
    // Only the URI and DNS SANs count here (EMAIL and IP_ADDRESS entries match nothing).
    const sans: SubjectAltName[] = [];
    for (const value of d.peerUriSans) sans.push({ type: 'URI', value });
    for (const value of d.peerDnsSans) sans.push({ type: 'DNS', value });
    return this.sans.matches(sans) ? null : 'client certificate SAN not allowed';
  }
}

/**
 * A mesh peer must present an X.509 SVID (SPIFFE X509-SVID §4–5): a leaf (CA:FALSE) with exactly
 * one URI SAN, a `spiffe://` ID. A CA certificate or several identities in one certificate would
 * let its holder speak for others.
 */
function svidProblem(d: TlsConnectionDetails): string | null {
  if (d.peerIsCa) return 'client certificate is a CA certificate, not an SVID (CA:TRUE)';
  if (d.peerUriSans.length !== 1 || d.peerUriSans[0]?.startsWith('spiffe://') !== true)
    return `client certificate is not an SVID: ${d.peerUriSans.length} URI SANs, exactly one spiffe:// ID is required`;
  return null;
}
