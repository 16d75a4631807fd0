import { X509Certificate } from 'node:crypto';
import { parseSubjectAltNameList } from '../subject-alt-names.js';

/** A certificate's facts as `skiff pki inspect` and `/certs` show them. */
export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  /** URI SANs (`spiffe://…`). */
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex, no separators (Envoy's `/certs` form). */
  readonly serialNumber: string;
  readonly isCa: boolean;
  /** Colon-separated upper-case hex, as openssl prints them. */
  readonly fingerprintSha1: string;
  readonly fingerprintSha256: string;
}

/** Every PEM certificate block in `text`, in order. */
export function splitPemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Node's `subjectAltName` string (`URI:a, DNS:b, IP Address:c`) grouped by the types identities use. */
export function parseSubjectAltNames(sanText: string | undefined): {
  uri: string[];
  dns: string[];
  ip: string[];
} {
  const out = { uri: [] as string[], dns: [] as string[], ip: [] as string[] };
  if (sanText === undefined) return out;
  for (const { type, value } of parseSubjectAltNameList(sanText)) {
    if (type === 'URI') out.uri.push(value);
    else if (type === 'DNS') out.dns.push(value);
    else if (type === 'IP Address') out.ip.push(value);
  }
  return out;
}

/** Facts about the first certificate of a PEM text; throws when there is none or it does not parse. */
export function inspectCertificate(pem: string): CertificateInfo {
  const first = splitPemCertificates(pem)[0];
  if (first === undefined) throw new Error('no PEM certificate found');
  const c = new X509Certificate(first);
  const sans = parseSubjectAltNames(c.subjectAltName);
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    uris: sans.uri,
    dnsNames: sans.dns,
    ipAddresses: sans.ip,
    notBefore: new Date(c.validFrom),
    notAfter: new Date(c.validTo),
    serialNumber: c.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ''),
    isCa: c.ca,
    fingerprintSha1: c.fingerprint,
    fingerprintSha256: c.fingerprint256,
  };
}
