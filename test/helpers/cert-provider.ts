import { X509Certificate } from 'node:crypto';
import type { CertificateProvider, WorkloadCertificate } from '../../lib/tls/types.js';
import type { TestCert } from './pki.js';

/** The WorkloadCertificate view of a test certificate; the SPIFFE ID is read from it unless given. */
export function workloadCertificate(c: TestCert, spiffeId?: string | null): WorkloadCertificate {
  let x: X509Certificate | null = null;
  try {
    x = new X509Certificate(c.certPem);
  } catch {
    // Tests hand over deliberately broken PEMs to see them refused later.
  }
  const uri = /URI:(spiffe:\/\/[^,\s]+)/.exec(x?.subjectAltName ?? '');
  return {
    certChainPem: c.certPem,
    privateKeyPem: c.keyPem,
    rootCertPem: c.caPem,
    spiffeId: spiffeId === undefined ? (uri?.[1] ?? null) : spiffeId,
    notBefore: x === null ? new Date(Date.now() - 86_400_000) : new Date(x.validFrom),
    notAfter: x === null ? new Date(Date.now() + 86_400_000) : new Date(x.validTo),
  };
}

/** An in-test CertificateProvider: `null` = no certificate yet; `rotate()` swaps it and tells listeners. */
export class TestCertificateProvider implements CertificateProvider {
  private cert: WorkloadCertificate | null;
  private readonly listeners = new Set<() => void>();

  constructor(leaf: TestCert | null, spiffeId?: string | null) {
    this.cert = leaf === null ? null : workloadCertificate(leaf, spiffeId);
  }

  current(): WorkloadCertificate | null {
    return this.cert;
  }

  onRotate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  rotate(leaf: TestCert, spiffeId?: string | null): void {
    this.cert = workloadCertificate(leaf, spiffeId);
    for (const l of this.listeners) l();
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  close(): void {
    this.listeners.clear();
  }
}
