import { createPrivateKey, X509Certificate } from 'node:crypto';
import { parseSubjectAltNames, splitPemCertificates } from './pki/inspect.js';
import type { WorkloadCertificate } from './types.js';

/** The three PEM texts of a workload certificate, as read from files or issued. */
export interface CertificatePems {
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  readonly rootCertPem: string;
}

/** The leaf's first `spiffe://` URI SAN, or null (read with X509Certificate, not by splitting text by hand). */
export function leafSpiffeId(leaf: X509Certificate): string | null {
  return parseSubjectAltNames(leaf.subjectAltName).uri.find((u) => u.startsWith('spiffe://')) ?? null;
}

/**
 * Checks a certificate set before it may serve: every part parses, the key belongs to the leaf,
 * the leaf is not expired at `nowMs`. Throws an Error naming the problem.
 */
export function toWorkloadCertificate(p: CertificatePems, nowMs: number): WorkloadCertificate {
  const chain = splitPemCertificates(p.certChainPem);
  if (chain.length === 0) throw new Error('the certificate chain holds no PEM certificate');
  if (splitPemCertificates(p.rootCertPem).length === 0)
    throw new Error('the root bundle holds no PEM certificate');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(chain[0]!);
    for (const c of chain.slice(1)) new X509Certificate(c);
    for (const c of splitPemCertificates(p.rootCertPem)) new X509Certificate(c);
  } catch (err) {
    throw new Error(`a certificate does not parse: ${(err as Error).message}`);
  }
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(p.privateKeyPem));
  } catch (err) {
    throw new Error(`the private key does not parse: ${(err as Error).message}`);
  }
  if (!matches) throw new Error('the private key does not belong to the leaf certificate');
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= nowMs)
    throw new Error(`the leaf certificate expired at ${notAfter.toISOString()}`);
  return {
    certChainPem: p.certChainPem,
    privateKeyPem: p.privateKeyPem,
    rootCertPem: p.rootCertPem,
    spiffeId: leafSpiffeId(leaf),
    notBefore,
    notAfter,
  };
}
