/**
 * Upstream TLS failures in Envoy's words: a failed handshake or a rejected peer identity is a
 * connection failure (`UF`) whose transport failure reason reads like BoringSSL's error queue.
 */

/** Node's X509 verification codes (and its hostname check): all are BoringSSL's verify failure. */
const VERIFY_FAILED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** `%UPSTREAM_TRANSPORT_FAILURE_REASON%` for an error raised while the handshake ran. */
export function tlsFailureReason(err: Error): string {
  const code = (err as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : '';
  let detail: string;
  if (VERIFY_FAILED.has(c)) detail = '268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED';
  else if (c.startsWith('ERR_SSL_')) detail = `SSL routines:OPENSSL_internal:${c.slice(8)}`;
  else if (c === 'ECONNRESET') detail = '33554536:system library:OPENSSL_internal:Connection reset by peer';
  else detail = `SSL routines:OPENSSL_internal:${c === '' ? err.message : c}`;
  return `TLS_error:|${detail}:TLS_error_end`;
}

/** A TLS handshake or peer verification failed (or no certificate was available to present). */
export class UpstreamTlsError extends Error {
  readonly code = 'SKIFF_UPSTREAM_TLS';
  readonly transportFailureReason: string;
  constructor(transportFailureReason: string, cause?: Error) {
    super(cause === undefined ? transportFailureReason : `TLS handshake failed: ${cause.message}`);
    this.transportFailureReason = transportFailureReason;
    if (cause !== undefined) this.cause = cause;
  }
}

/** The connect timeout covered TCP and the handshake (undici's code, so it classifies the same). */
export class TlsConnectTimeoutError extends Error {
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';
  constructor(ms: number) {
    super(`connect timeout (TLS, ${ms} ms)`);
  }
}
