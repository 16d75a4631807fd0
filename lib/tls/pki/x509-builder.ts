import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A certificate forge will sign: subject, validity, key and extensions filled in. */
export interface CertificateFields {
  readonly subject: readonly forge.pki.CertificateField[];
  readonly issuer: readonly forge.pki.CertificateField[];
  readonly publicKeyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly object[];
}

/**
 * A positive 128-bit serial (RFC 5280 allows up to 20 octets); the top bit is cleared so the
 * DER INTEGER stays positive without a padding byte, and the first byte is non-zero so its length is fixed.
 */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString('hex');
}

/** Builds and signs (SHA-256) a certificate; returns it as PEM. */
export function signCertificate(fields: CertificateFields, signerKeyPem: string): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(fields.publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = fields.notBefore;
  cert.validity.notAfter = fields.notAfter;
  cert.setSubject([...fields.subject]);
  cert.setIssuer([...fields.issuer]);
  cert.setExtensions([...fields.extensions]);
  const key = forge.pki.privateKeyFromPem(signerKeyPem);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** The subject key identifier of a certificate (SHA-1 of its public key, RFC 5280 method 1), as forge bytes. */
export function subjectKeyIdBytes(certPem: string): string {
  return forge.pki.certificateFromPem(certPem).generateSubjectKeyIdentifier().getBytes();
}

/** The subject attributes of a certificate, to copy into the issuer field of the ones it signs. */
export function subjectOf(certPem: string): forge.pki.CertificateField[] {
  return forge.pki
    .certificateFromPem(certPem)
    .subject.attributes.map((a) => ({ type: a.type, value: a.value }) as forge.pki.CertificateField);
}
