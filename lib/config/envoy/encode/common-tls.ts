/** `CommonTlsContext` back to Envoy v3 JSON: shared by the upstream and downstream TLS contexts. */
import type { CertificateValidationConfig, TlsCertificateSource, TlsVersion } from '../../model.js';
import { SDS_ROOT_CA, SDS_WORKLOAD_CERT, UPSTREAM_TLS_DEFAULTS } from '../cluster-tls.js';
import { fields, flag, type Json, nonEmpty, unless } from './format.js';
import { encodeStringMatcher } from './matchers.js';

/** What a `CommonTlsContext` is encoded from (both TLS configs have these fields). */
export interface CommonTlsFields {
  readonly certificate: TlsCertificateSource | null;
  readonly validation: CertificateValidationConfig | null;
  readonly alpnProtocols: readonly string[];
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
}

/** `sdsConfig`, when given, is written into every SDS secret reference. */
export function encodeCommonTlsContext(tls: CommonTlsFields, sdsConfig?: Json): Json {
  const params = fields({
    tls_minimum_protocol_version: unless(tls.minVersion, UPSTREAM_TLS_DEFAULTS.minVersion),
    tls_maximum_protocol_version: unless(tls.maxVersion, UPSTREAM_TLS_DEFAULTS.maxVersion),
  });
  const secret = (name: string): Json =>
    sdsConfig === undefined ? { name } : { name, sds_config: sdsConfig };
  return fields({
    tls_params: Object.keys(params).length === 0 ? undefined : params,
    ...encodeCertificate(tls.certificate, secret),
    ...(tls.validation === null ? {} : encodeValidation(tls.validation, secret)),
    alpn_protocols: nonEmpty(tls.alpnProtocols),
  });
}

function encodeCertificate(c: TlsCertificateSource | null, secret: (name: string) => Json): Json {
  if (c === null) return {};
  if (c.kind === 'workload') return { tls_certificate_sds_secret_configs: [secret(SDS_WORKLOAD_CERT)] };
  return {
    tls_certificates: [
      { certificate_chain: { filename: c.certChainPath }, private_key: { filename: c.privateKeyPath } },
    ],
  };
}

function encodeValidation(v: CertificateValidationConfig, secret: (name: string) => Json): Json {
  const checks = fields({
    match_typed_subject_alt_names: nonEmpty(
      v.subjectAltNames.map((s) => ({ san_type: s.sanType, matcher: encodeStringMatcher(s.matcher) })),
    ),
    trust_chain_verification: flag(v.acceptUntrusted) && 'ACCEPT_UNTRUSTED',
  });
  const sds = secret(SDS_ROOT_CA);
  switch (v.trust.kind) {
    case 'workload':
      return Object.keys(checks).length === 0
        ? { validation_context_sds_secret_config: sds }
        : {
            combined_validation_context: {
              default_validation_context: checks,
              validation_context_sds_secret_config: sds,
            },
          };
    case 'file':
      return { validation_context: { trusted_ca: { filename: v.trust.path }, ...checks } };
    case 'system':
      return { validation_context: { system_root_certs: {}, ...checks } };
  }
}
