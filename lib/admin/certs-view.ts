import type { CertificateSnapshot } from '../tls/certificate-source.js';
import { type CertificateInfo, inspectCertificate, splitPemCertificates } from '../tls/pki/inspect.js';

const DAY_MS = 86_400_000;

/** Envoy's `admin.v3.CertificateDetails` (proto JSON: uint64 as a string, timestamps RFC 3339). */
export interface CertificateDetailsJson {
  readonly path: string;
  readonly serial_number: string;
  readonly subject_alt_names: ReadonlyArray<{ uri: string } | { dns: string } | { ip_address: string }>;
  readonly days_until_expiration: string;
  readonly valid_from: string;
  readonly expiration_time: string;
}

function details(path: string, c: CertificateInfo, nowMs: number): CertificateDetailsJson {
  const days = Math.max(0, Math.floor((c.notAfter.getTime() - nowMs) / DAY_MS));
  return {
    path,
    serial_number: c.serialNumber,
    subject_alt_names: [
      ...c.uris.map((uri) => ({ uri })),
      ...c.dnsNames.map((dns) => ({ dns })),
      ...c.ipAddresses.map((ip_address) => ({ ip_address })),
    ],
    days_until_expiration: String(days),
    valid_from: c.notBefore.toISOString(),
    expiration_time: c.notAfter.toISOString(),
  };
}

/**
 * `GET /certs`: Envoy's `admin.v3.Certificates`. One entry for the workload certificate:
 * `ca_cert` lists each root of the trust bundle, `cert_chain` the leaf (as Envoy does).
 */
export function certsJson(snapshot: CertificateSnapshot | null, nowMs: number): unknown {
  if (snapshot === null) return { certificates: [] };
  const { certificate } = snapshot;
  const leaf = inspectCertificate(certificate.certChainPem);
  return {
    certificates: [
      {
        ca_cert: splitPemCertificates(certificate.rootCertPem).map((pem) =>
          details(snapshot.rootCertPath, inspectCertificate(pem), nowMs),
        ),
        cert_chain: [details(snapshot.certChainPath, leaf, nowMs)],
      },
    ],
  };
}
