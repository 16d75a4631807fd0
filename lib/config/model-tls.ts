/**
 * TLS in the internal model (re-exported by model.ts): Envoy's `DownstreamTlsContext` /
 * `UpstreamTlsContext` as Skiff enforces them, and where certificates come from. Istio's
 * PeerAuthentication and DestinationRule `tls` translate to these, as istiod translates them.
 */
import type { StringMatcherConfig } from './model.js';

/** Where a certificate and key come from. */
export type TlsCertificateSource =
  /** `tls_certificates[]{certificate_chain.filename, private_key.filename}`, watched. */
  | { readonly kind: 'files'; readonly certChainPath: string; readonly privateKeyPath: string }
  /** The sidecar's own workload certificate (Istio's SDS secret `default`). */
  | { readonly kind: 'workload' };

/** Where trusted roots come from. */
export type TlsTrustSource =
  /** `validation_context.trusted_ca.filename`. */
  | { readonly kind: 'file'; readonly path: string }
  /** The mesh root bundle that came with the workload certificate (Istio's `ROOTCA`). */
  | { readonly kind: 'workload' }
  /** The system's default roots (SIMPLE without caCertificates). */
  | { readonly kind: 'system' };

/** `match_typed_subject_alt_names[]` entry. */
export interface SanMatcherConfig {
  readonly sanType: 'URI' | 'DNS' | 'EMAIL' | 'IP_ADDRESS';
  readonly matcher: StringMatcherConfig;
}

/** `CertificateValidationContext`. */
export interface CertificateValidationConfig {
  readonly trust: TlsTrustSource;
  /** Any one must match the peer's certificate; empty = any SAN. */
  readonly subjectAltNames: readonly SanMatcherConfig[];
  /** `trust_chain_verification: ACCEPT_UNTRUSTED` (Istio `insecureSkipVerify`). */
  readonly acceptUntrusted: boolean;
}

export type TlsVersion = 'TLSv1_2' | 'TLSv1_3';

/** A cluster's `transport_socket` `UpstreamTlsContext`. */
export interface UpstreamTlsConfig {
  /** SNI sent; "" = none. */
  readonly sni: string;
  /** Client certificate presented; null = none. */
  readonly certificate: TlsCertificateSource | null;
  /** Server verification; null = no verification (Envoy's default without a validation context). */
  readonly validation: CertificateValidationConfig | null;
  readonly alpnProtocols: readonly string[];
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
}

/**
 * `transport_socket_matches[]` of a cluster: the first entry whose `match` labels are all on an
 * endpoint (its `labels`, from `filter_metadata`) gives that endpoint's transport; null = plaintext.
 * Istio's auto mTLS is `{tlsMode: istio} → ISTIO_MUTUAL`, else plaintext.
 */
export interface TransportSocketMatchConfig {
  readonly name: string;
  readonly match: Readonly<Record<string, string>>;
  readonly tls: UpstreamTlsConfig | null;
}

/** A filter chain's `transport_socket` `DownstreamTlsContext`. */
export interface DownstreamTlsConfig {
  readonly certificate: TlsCertificateSource;
  /** Client verification; null = client certificates are not requested. */
  readonly validation: CertificateValidationConfig | null;
  /** `require_client_certificate`. */
  readonly requireClientCertificate: boolean;
  /** Offered ALPN, in preference order (Istio: `h2`, `http/1.1`, and accepts `istio-*`). */
  readonly alpnProtocols: readonly string[];
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
}

/** `filter_chain_match` fields Skiff selects on. */
export interface FilterChainMatchConfig {
  /** `transport_protocol`: `tls` (a ClientHello was sniffed), `raw_buffer`, or null = any. */
  readonly transportProtocol: 'tls' | 'raw_buffer' | null;
}
