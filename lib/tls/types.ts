/**
 * Identity contracts shared by the TLS pieces: the workload certificate a sidecar presents
 * (issued, or mounted as files), and what a TLS connection proved about its peer.
 */

/** One certificate with its key and the roots to trust, in PEM. */
export interface WorkloadCertificate {
  /** Leaf first, then intermediates. */
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  /** The mesh root bundle (one or more certificates). */
  readonly rootCertPem: string;
  /** The leaf's SPIFFE URI SAN (`spiffe://td/ns/x/sa/y`), or null. */
  readonly spiffeId: string | null;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * The sidecar's current workload certificate. Rotation replaces `current()`; TLS code reads it
 * per handshake (new handshakes use the new certificate, open connections keep theirs).
 */
export interface CertificateProvider {
  current(): WorkloadCertificate | null;
  /** Called after a new certificate is in place; returns an unsubscribe function. */
  onRotate(listener: () => void): () => void;
  close(): void;
}

/** What a downstream TLS handshake established; null on plaintext connections. */
export interface DownstreamTlsInfo {
  /** The peer certificate's URI SANs (`spiffe://…`); empty without a client certificate. */
  readonly peerUriSans: readonly string[];
  /** Istio's principal: the first SPIFFE SAN without `spiffe://` (`td/ns/x/sa/y`), or "". */
  readonly peerPrincipal: string;
  /** SHA-256 of the peer certificate (DER), lower-case hex, "" without one (XFCC `Hash=`). */
  readonly peerCertSha256: string;
  /** Our certificate's first URI SAN (XFCC `By=`), or "". */
  readonly localUriSan: string;
  /** Negotiated ALPN, or "". */
  readonly alpn: string;
  /** `TLSv1.2` / `TLSv1.3`. */
  readonly version: string;
}
