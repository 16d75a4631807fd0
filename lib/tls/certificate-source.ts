import type { CertificateProvider, WorkloadCertificate } from './types.js';

/** Where a provider's certificate came from, as `/certs` shows it (`<inline>` when issued in memory). */
export interface CertificatePaths {
  readonly certChainPath: string;
  readonly rootCertPath: string;
}

/** A provider that can say where its certificate lives. */
export interface DescribedCertificateProvider extends CertificateProvider {
  describe(): CertificatePaths;
}

/** Envoy's `path` for certificates that are not files. */
export const INLINE_PATH = '<inline>';

/** The current certificate with its paths, or null; for `/certs` and the expiry gauge. */
export interface CertificateSnapshot extends CertificatePaths {
  readonly certificate: WorkloadCertificate;
}

export function snapshotOf(p: CertificateProvider): CertificateSnapshot | null {
  const certificate = p.current();
  if (certificate === null) return null;
  const paths =
    'describe' in p && typeof p.describe === 'function'
      ? (p as DescribedCertificateProvider).describe()
      : { certChainPath: INLINE_PATH, rootCertPath: INLINE_PATH };
  return { certificate, ...paths };
}
