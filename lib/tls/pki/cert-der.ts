/**
 * The parts of an X.509 certificate or key that Skiff copies into the certificates it signs, read
 * at the DER level with forge's ASN.1 codec, so they work for any key type (forge's certificate
 * object only understands RSA keys).
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const OID_SUBJECT_KEY_ID = '2.5.29.14';

// The options argument exists in forge but not in its typings. BIT STRINGs stay raw bytes: forge
// would otherwise try to parse them as ASN.1, which an EC point can happen to look like.
const fromDer = asn1.fromDer as unknown as (
  bytes: string,
  options: { decodeBitStrings: boolean },
) => forge.asn1.Asn1;

/** Parses DER (a Buffer) into forge's ASN.1 tree. */
export function parseDer(der: Buffer): forge.asn1.Asn1 {
  return fromDer(der.toString('binary'), { decodeBitStrings: false });
}

/** Encodes forge's ASN.1 tree as DER. */
export function toDer(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

function children(node: forge.asn1.Asn1 | undefined, what: string): forge.asn1.Asn1[] {
  if (node === undefined || !Array.isArray(node.value)) throw new Error(`malformed ${what}`);
  return node.value;
}

function bytes(node: forge.asn1.Asn1 | undefined, what: string): string {
  if (node === undefined || typeof node.value !== 'string') throw new Error(`malformed ${what}`);
  return node.value;
}

/** The DER SubjectPublicKeyInfo of a PEM public key (any type node:crypto reads). */
export function spkiDer(publicKeyPem: string): Buffer {
  return createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
}

/**
 * RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's contents (without tag,
 * length and unused-bits octet). For RSA this is the hash of the RSAPublicKey, as forge computed it.
 */
export function keyIdentifier(spki: Buffer): Buffer {
  const bits = bytes(children(parseDer(spki), 'SubjectPublicKeyInfo')[1], 'subjectPublicKey');
  return createHash('sha1')
    .update(Buffer.from(bits.slice(1), 'binary'))
    .digest();
}

/** What a CA certificate lends to the certificates it signs. */
export interface IssuerParts {
  /** The subject Name as forge ASN.1, copied as-is so the issuer field matches it byte for byte. */
  readonly name: forge.asn1.Asn1;
  /** Its subjectKeyIdentifier extension, or one computed from its key when it has none. */
  readonly keyId: Buffer;
}

/** Reads the subject Name and key identifier of a PEM certificate. */
export function issuerParts(certPem: string): IssuerParts {
  const cert = new X509Certificate(certPem);
  const tbs = children(children(parseDer(cert.raw), 'Certificate')[0], 'TBSCertificate');
  // version [0] is optional (absent for v1), and every later field shifts with it.
  const first = tbs[0];
  const at =
    first !== undefined && first.tagClass === asn1.Class.CONTEXT_SPECIFIC && first.type === 0 ? 1 : 0;
  const name = tbs[at + 4];
  if (name === undefined) throw new Error('malformed TBSCertificate');
  const keyId =
    subjectKeyIdExtension(tbs) ?? keyIdentifier(cert.publicKey.export({ type: 'spki', format: 'der' }));
  return { name, keyId };
}

function subjectKeyIdExtension(tbs: forge.asn1.Asn1[]): Buffer | undefined {
  const exts = tbs.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  if (exts === undefined) return undefined;
  for (const ext of children(children(exts, 'extensions')[0], 'extensions')) {
    const parts = children(ext, 'extension');
    if (asn1.derToOid(bytes(parts[0], 'extnID')) !== OID_SUBJECT_KEY_ID) continue;
    const octets = parseDer(Buffer.from(bytes(parts[parts.length - 1], 'extnValue'), 'binary'));
    return Buffer.from(bytes(octets, 'subjectKeyIdentifier'), 'binary');
  }
  return undefined;
}
