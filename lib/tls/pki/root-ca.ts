import { generateKeyPair, type KeyType } from './key-pair.js';
import { trustDomainProblem } from './spiffe-id.js';
import { signCertificate } from './x509-builder.js';

/** A signing CA: its certificate and private key (PEM). */
export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA's certificate and those above it (Istio's `cert-chain.pem`); default the CA certificate. */
  readonly chainPem?: string;
  /** The trust anchor (Istio's `root-cert.pem`); default the CA certificate. */
  readonly rootCertPem?: string;
}

/** Options of `createRootCa`. */
export interface RootCaOptions {
  readonly trustDomain: string;
  /** Default 3650 (10 years, as istiod's self-signed root). */
  readonly ttlDays?: number;
  readonly keyType?: KeyType;
  /** Wall-clock epoch ms used as "now" (tests); default Date.now(). */
  readonly now?: number;
}

const DAY_MS = 86_400_000;
// A minute of back-dating so a peer whose clock runs slightly behind still accepts the certificate.
export const SKEW_MS = 60_000;

/** A self-signed mesh root (CA:TRUE critical, keyCertSign + cRLSign, O=<trust domain>, CN=Skiff root CA). */
export function createRootCa(o: RootCaOptions): CertificateAuthority {
  const problem = trustDomainProblem(o.trustDomain);
  if (problem !== null) throw new Error(problem);
  const ttlDays = o.ttlDays ?? 3650;
  if (!Number.isFinite(ttlDays) || ttlDays <= 0) throw new Error(`ttlDays must be positive, got ${ttlDays}`);
  const keys = generateKeyPair(o.keyType ?? 'rsa');
  const now = o.now ?? Date.now();
  const name = [
    { shortName: 'O', value: o.trustDomain },
    { shortName: 'CN', value: 'Skiff root CA' },
  ];
  const certPem = signCertificate(
    {
      subject: name,
      issuer: 'self',
      publicKeyPem: keys.publicKeyPem,
      notBefore: new Date(now - SKEW_MS),
      notAfter: new Date(now + ttlDays * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ],
    },
    keys.privateKeyPem,
  );
  return { certPem, keyPem: keys.privateKeyPem };
}
