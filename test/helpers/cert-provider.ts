import { X509Certificate } from 'node:crypto';
import type { CertificateProvider, WorkloadCertificate } from '../../lib/tls/types.js';
import type { TestCert } from './pki.js';

/** The WorkloadCertificate view of a test certificate. */
export function workloadCertificate(c: TestCert): WorkloadCertificate {
  const x = new X509Certificate(c.certPem);
  const uri = /URI:(spiffe:\/\/[^,\s]+)/.exec(x.subjectAltName ?? '');
  return {
    certChainPem: c.certPem,
    privateKeyPem: c.keyPem,
    rootCertPem: c.caPem,
    spiffeId: uri?.[1] ?? null,
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
  };
}

/** An in-test CertificateProvider whose certificate the test replaces with `rotate()`. */
export interface TestCertificateProvider extends CertificateProvider {
  rotate(next: TestCert): void;
}

export function testCertificateProvider(first: TestCert): TestCertificateProvider {
  let current = workloadCertificate(first);
  const listeners = new Set<() => void>();
  return {
    current: () => current,
    onRotate(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    rotate(next) {
      current = workloadCertificate(next);
      for (const l of listeners) l();
    },
    close() {
      listeners.clear();
    },
  };
}
