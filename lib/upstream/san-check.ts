/**
 * Upstream certificate identity checks: Envoy's `match_typed_subject_alt_names` in place of
 * Node's hostname check (SPIFFE certificates carry only a URI SAN, which Node's default
 * `checkServerIdentity` rejects).
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { SanMatcherConfig } from '../config/model.js';
import { StringMatcher } from '../router/string-matcher.js';
import { parseSubjectAltNameList, type SubjectAltName } from '../tls/subject-alt-names.js';

const NODE_SAN_TYPE: Readonly<Record<SanMatcherConfig['sanType'], string>> = {
  URI: 'URI',
  DNS: 'DNS',
  EMAIL: 'email',
  IP_ADDRESS: 'IP Address',
};

/** The SANs of a peer certificate, read from its DER (hardening.md §4.2 c). */
export function peerSubjectAltNames(cert: PeerCertificate): SubjectAltName[] {
  let text: string | undefined;
  if (cert.raw !== undefined && cert.raw.length > 0) text = new X509Certificate(cert.raw).subjectAltName;
  else text = cert.subjectaltname;
  return text === undefined ? [] : parseSubjectAltNameList(text);
}

/** Thrown from `checkServerIdentity`; node:tls destroys the socket with it before any write. */
export class SanMismatchError extends Error {
  readonly code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  readonly reason: string;
  constructor(sans: readonly SubjectAltName[]) {
    const got = sans.map((s) => `${s.type}:${s.value}`).join(', ') || 'none';
    super(`peer certificate SANs (${got}) match none of the configured subject alt names`);
    this.reason = this.message;
  }
}

/** A compiled `match_typed_subject_alt_names` list: any entry matching any SAN of its type. */
export class SanMatchers {
  private readonly types: readonly string[];
  private readonly matchers: readonly StringMatcher[];

  constructor(list: readonly SanMatcherConfig[]) {
    this.types = list.map((m) => NODE_SAN_TYPE[m.sanType]);
    this.matchers = list.map((m, i) => new StringMatcher(m.matcher, `match_typed_subject_alt_names[${i}]`));
  }

  matches(sans: readonly SubjectAltName[]): boolean {
    for (let i = 0; i < this.matchers.length; i++) {
      const type = this.types[i]!;
      for (const s of sans) if (s.type === type && this.matchers[i]!.match(s.value)) return true;
    }
    return false;
  }

  /** A `checkServerIdentity` for tls.connect: the SANs decide, the host name does not. */
  checker(): (host: string, cert: PeerCertificate) => Error | undefined {
    return (_host, cert) => {
      const sans = peerSubjectAltNames(cert);
      return this.matches(sans) ? undefined : new SanMismatchError(sans);
    };
  }
}
