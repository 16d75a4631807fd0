/**
 * The identities an upstream TLS connection established, read once per connection so a
 * request only copies two strings (Istio's `destination_principal` / `source_principal`).
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { parseSubjectAltNames } from '../tls/pki/inspect.js';

/** URI SANs of both ends of one upstream connection; "" where there is none. */
export interface UpstreamTlsIdentity {
  /** The server certificate's first SPIFFE (else first) URI SAN, only if the chain was verified. */
  readonly peerUriSan: string;
  /** Our client certificate's first SPIFFE (else first) URI SAN. */
  readonly localUriSan: string;
}

function firstUri(subjectAltName: string | undefined): string {
  const uris = parseSubjectAltNames(subjectAltName).uri;
  return uris.find((u) => u.startsWith('spiffe://')) ?? uris[0] ?? '';
}

/** The identities of a dialled socket; null for plaintext. */
export function upstreamTlsIdentity(socket: Socket): UpstreamTlsIdentity | null {
  if (!(socket instanceof TLSSocket)) return null;
  const peer = socket.authorized ? socket.getPeerCertificate() : null;
  const local = socket.getCertificate();
  return {
    peerUriSan: peer === null ? '' : firstUri(peer.subjectaltname),
    localUriSan: local === null || !('subjectaltname' in local) ? '' : firstUri(local.subjectaltname),
  };
}
