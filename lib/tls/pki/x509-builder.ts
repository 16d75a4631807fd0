import { createPrivateKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import { type IssuerParts, keyIdentifier, parseDer, spkiDer, toDer } from './cert-der.js';

const { asn1 } = forge;
const { Class, Type } = asn1;

/** A certificate to sign: subject, issuer, validity, key and extensions. */
export interface CertificateFields {
  readonly subject: readonly forge.pki.CertificateField[];
  /** The signing CA's name and key identifier (`issuerParts`), or `'self'` for a self-signed root. */
  readonly issuer: IssuerParts | 'self';
  /** The certified key, any type node:crypto reads (RSA, EC). */
  readonly publicKeyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /**
   * forge extension descriptions. `{ name: 'subjectKeyIdentifier' }` and
   * `{ name: 'authorityKeyIdentifier' }` get their key identifiers filled in here.
   */
  readonly extensions: readonly object[];
}

// forge exports this encoder, its typings do not.
const encodeExtensions = (
  forge.pki as unknown as { certificateExtensionsToAsn1(e: unknown[]): forge.asn1.Asn1 }
).certificateExtensionsToAsn1;

/**
 * A positive 128-bit serial (RFC 5280 allows up to 20 octets); the top bit is cleared so the
 * DER INTEGER stays positive without a padding byte, and the first byte is non-zero so its length is fixed.
 */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString('hex');
}

const node = (type: forge.asn1.Type, value: string | forge.asn1.Asn1[]): forge.asn1.Asn1 =>
  asn1.create(Class.UNIVERSAL, type, Array.isArray(value), value);

/**
 * The AlgorithmIdentifier for SHA-256 with the signer's key type: RSA PKCS#1 v1.5 carries NULL
 * parameters (RFC 4055), ECDSA none at all (RFC 5758).
 */
function signatureAlgorithm(signer: KeyObject): forge.asn1.Asn1 {
  const oid = (dotted: string): forge.asn1.Asn1 => node(Type.OID, asn1.oidToDer(dotted).getBytes());
  switch (signer.asymmetricKeyType) {
    case 'rsa':
      return node(Type.SEQUENCE, [oid('1.2.840.113549.1.1.11'), node(Type.NULL, '')]);
    case 'ec':
      return node(Type.SEQUENCE, [oid('1.2.840.10045.4.3.2')]);
    default:
      throw new Error(
        `a ${signer.asymmetricKeyType ?? 'secret'} CA key cannot sign certificates (rsa or ec only)`,
      );
  }
}

// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
const time = (d: Date): forge.asn1.Asn1 =>
  d.getUTCFullYear() < 2050
    ? node(Type.UTCTIME, asn1.dateToUtcTime(d))
    : node(Type.GENERALIZEDTIME, asn1.dateToGeneralizedTime(d));

/** A Name from attributes given by short name or type; forge fills in OIDs and string types. */
function nameAsn1(attributes: readonly forge.pki.CertificateField[]): forge.asn1.Asn1 {
  const scratch = forge.pki.createCertificate();
  scratch.setSubject([...attributes]);
  return forge.pki.distinguishedNameToAsn1(scratch.subject);
}

/** Fills in the key identifiers and lets forge encode the rest of the extensions. */
function extensionsAsn1(fields: CertificateFields, subjectKeyId: Buffer): forge.asn1.Asn1 {
  const authorityKeyId = fields.issuer === 'self' ? subjectKeyId : fields.issuer.keyId;
  const exts = fields.extensions.map((e) => {
    const name = (e as { name?: unknown }).name;
    if (name === 'subjectKeyIdentifier') {
      return { ...e, value: node(Type.OCTETSTRING, subjectKeyId.toString('binary')) };
    }
    if (name === 'authorityKeyIdentifier') return { ...e, keyIdentifier: authorityKeyId.toString('binary') };
    return { ...e };
  });
  // A scratch forge certificate: setExtensions fills in ids and values (SANs, usages, ...).
  const scratch = forge.pki.createCertificate();
  scratch.setExtensions(exts);
  return encodeExtensions(scratch.extensions);
}

/**
 * Builds and signs (SHA-256) a certificate with any RSA or EC subject and signer key; returns PEM.
 * forge encodes names and extensions; the key, algorithm and signature are the key type's own.
 */
export function signCertificate(fields: CertificateFields, signerKeyPem: string): string {
  const signer = createPrivateKey(signerKeyPem);
  const algorithm = signatureAlgorithm(signer);
  const spki = spkiDer(fields.publicKeyPem);
  const subject = nameAsn1(fields.subject);
  const tbs = node(Type.SEQUENCE, [
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [node(Type.INTEGER, asn1.integerToDer(2).getBytes())]),
    node(Type.INTEGER, forge.util.hexToBytes(randomSerialHex())),
    algorithm,
    fields.issuer === 'self' ? subject : fields.issuer.name,
    node(Type.SEQUENCE, [time(fields.notBefore), time(fields.notAfter)]),
    subject,
    parseDer(spki),
    ...(fields.extensions.length > 0 ? [extensionsAsn1(fields, keyIdentifier(spki))] : []),
  ]);
  // node:crypto picks the scheme from the key: RSA PKCS#1 v1.5, or ECDSA as a DER Ecdsa-Sig-Value.
  const signature = sign('sha256', toDer(tbs), signer);
  const cert = node(Type.SEQUENCE, [
    tbs,
    algorithm,
    node(Type.BITSTRING, `\0${signature.toString('binary')}`),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(cert).getBytes() });
}
