import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { issuerParts } from './cert-der.js';
import { generateKeyPair, type KeyPairPem, type KeyType } from './key-pair.js';
import { type CertificateAuthority, SKEW_MS } from './root-ca.js';
import { parseSpiffeId } from './spiffe-id.js';
import { signCertificate } from './x509-builder.js';

/** Options of `issueWorkloadCertificate`. */
export interface IssueOptions {
  readonly ca: CertificateAuthority;
  /** `spiffe://td/ns/NS/sa/SA`. */
  readonly spiffeId: string;
  /** Lifetime from now (Istio's default 24 h). */
  readonly ttlMs: number;
  readonly keyType?: KeyType;
  /** A key generated beforehand (asynchronously, by a renewing provider); default: a new one of `keyType`. */
  readonly keys?: KeyPairPem;
  /** Wall-clock epoch ms used as "now" (tests); default Date.now(). */
  readonly now?: number;
}

/** An issued X.509 SVID with its key, in the files Istio mounts. */
export interface IssuedCertificate {
  /** The leaf, then the issuing CA (`cert-chain.pem`). */
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  /** The issuing CA's certificate (`root-cert.pem`). */
  readonly rootCertPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * Issues an X.509 SVID: URI SAN only, CA:FALSE, keyUsage digitalSignature + keyEncipherment
 * (critical), extKeyUsage serverAuth + clientAuth, subject O=<trust domain>, back-dated a minute.
 */
export function issueWorkloadCertificate(o: IssueOptions): IssuedCertificate {
  const id = parseSpiffeId(o.spiffeId);
  if (typeof id === 'string') throw new Error(id);
  if (!Number.isFinite(o.ttlMs) || o.ttlMs <= 0) throw new Error(`ttl must be positive, got ${o.ttlMs} ms`);
  const caCert = new X509Certificate(o.ca.certPem);
  if (!caCert.ca) throw new Error('the CA certificate is not a CA (basicConstraints CA:FALSE or missing)');
  if (!caCert.checkPrivateKey(toKeyObject(o.ca.keyPem))) {
    throw new Error('the CA key does not match the CA certificate');
  }
  const now = o.now ?? Date.now();
  const notBefore = new Date(now - SKEW_MS);
  const notAfter = new Date(now + o.ttlMs);
  const caNotAfter = new Date(caCert.validTo);
  // A leaf outliving its issuer fails path validation the day the CA expires; say so now.
  if (notAfter > caNotAfter) {
    throw new Error(`the certificate would outlive its CA (CA expires ${caNotAfter.toISOString()})`);
  }
  if (caNotAfter.getTime() <= now) throw new Error(`the CA expired on ${caNotAfter.toISOString()}`);
  const keys = o.keys ?? generateKeyPair(o.keyType ?? 'rsa');
  const leafPem = signCertificate(
    {
      subject: [{ shortName: 'O', value: id.trustDomain }],
      issuer: issuerParts(o.ca.certPem),
      publicKeyPem: keys.publicKeyPem,
      notBefore,
      notAfter,
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 6, value: o.spiffeId }] },
        { name: 'authorityKeyIdentifier' },
      ],
    },
    o.ca.keyPem,
  );
  // Read the dates back: X.509 keeps whole seconds.
  const leaf = new X509Certificate(leafPem);
  return {
    certChainPem: `${leafPem.trimEnd()}\n${(o.ca.chainPem ?? o.ca.certPem).trimEnd()}\n`,
    privateKeyPem: keys.privateKeyPem,
    rootCertPem: `${(o.ca.rootCertPem ?? o.ca.certPem).trimEnd()}\n`,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
  };
}

function toKeyObject(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new Error(`the CA key is not a readable PEM private key: ${(err as Error).message}`);
  }
}
