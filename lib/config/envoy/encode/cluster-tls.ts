/** A cluster's `transport_socket` (UpstreamTlsContext) and `transport_socket_matches`. */
import type {
  CertificateValidationConfig,
  TlsCertificateSource,
  TransportSocketMatchConfig,
  UpstreamTlsConfig,
} from '../../model.js';
import {
  RAW_BUFFER_SOCKET_NAME,
  RAW_BUFFER_TYPE,
  SDS_ROOT_CA,
  SDS_WORKLOAD_CERT,
  TLS_SOCKET_NAME,
  UPSTREAM_TLS_DEFAULTS,
  UPSTREAM_TLS_TYPE,
} from '../cluster-tls.js';
import { fields, flag, type Json, nonEmpty, unless } from './format.js';
import { encodeStringMatcher } from './matchers.js';

/** `TransportSocket`: TLS, or raw buffer for null. */
export function encodeTransportSocket(tls: UpstreamTlsConfig | null): Json {
  if (tls === null) return { name: RAW_BUFFER_SOCKET_NAME, typed_config: { '@type': RAW_BUFFER_TYPE } };
  return {
    name: TLS_SOCKET_NAME,
    typed_config: fields({
      '@type': UPSTREAM_TLS_TYPE,
      common_tls_context: encodeCommon(tls),
      sni: unless(tls.sni, ''),
    }),
  };
}

export function encodeTransportSocketMatches(list: readonly TransportSocketMatchConfig[]): Json[] {
  return list.map((m) => ({
    name: m.name,
    match: { ...m.match },
    transport_socket: encodeTransportSocket(m.tls),
  }));
}

function encodeCommon(tls: UpstreamTlsConfig): Json {
  const params = fields({
    tls_minimum_protocol_version: unless(tls.minVersion, UPSTREAM_TLS_DEFAULTS.minVersion),
    tls_maximum_protocol_version: unless(tls.maxVersion, UPSTREAM_TLS_DEFAULTS.maxVersion),
  });
  return fields({
    tls_params: Object.keys(params).length === 0 ? undefined : params,
    ...encodeCertificate(tls.certificate),
    ...(tls.validation === null ? {} : encodeValidation(tls.validation)),
    alpn_protocols: nonEmpty(tls.alpnProtocols),
  });
}

function encodeCertificate(c: TlsCertificateSource | null): Json {
  if (c === null) return {};
  if (c.kind === 'workload') return { tls_certificate_sds_secret_configs: [{ name: SDS_WORKLOAD_CERT }] };
  return {
    tls_certificates: [
      { certificate_chain: { filename: c.certChainPath }, private_key: { filename: c.privateKeyPath } },
    ],
  };
}

function encodeValidation(v: CertificateValidationConfig): Json {
  const checks = fields({
    match_typed_subject_alt_names: nonEmpty(
      v.subjectAltNames.map((s) => ({ san_type: s.sanType, matcher: encodeStringMatcher(s.matcher) })),
    ),
    trust_chain_verification: flag(v.acceptUntrusted) && 'ACCEPT_UNTRUSTED',
  });
  const sds = { name: SDS_ROOT_CA };
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
