/** Records the certificate files a TLS context names, with their field paths (lib/config/tls-files.ts checks them). */
import type { FieldReader } from '../reader.js';

/** `tls_certificates[i]`: the chain and key paths read from `r`. */
export function noteKeyPair(r: FieldReader, certChain: string, privateKey: string): void {
  r.sink.tlsFiles?.push({
    kind: 'key-pair',
    file: r.sink.file,
    certPath: `${r.at('certificate_chain')}.filename`,
    keyPath: `${r.at('private_key')}.filename`,
    certChain,
    privateKey,
  });
}

/** `validation_context.trusted_ca` read from `r`. */
export function noteCa(r: FieldReader, ca: string): void {
  r.sink.tlsFiles?.push({ kind: 'ca', file: r.sink.file, path: `${r.at('trusted_ca')}.filename`, ca });
}
