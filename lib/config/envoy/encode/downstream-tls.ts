/** A filter chain's `transport_socket` (`DownstreamTlsContext`) and `filter_chain_match`. */
import type { CertificateValidationConfig, DownstreamTlsConfig, FilterChainConfig } from '../../model.js';
import { DOWNSTREAM_TLS_TYPE } from '../downstream-tls-context.js';
import { fields, flag, type Json, nonEmpty } from './format.js';
import { encodeStringMatcher } from './matchers.js';

const SDS = { ads: {}, resource_api_version: 'V3' };

function sanMatchers(v: CertificateValidationConfig): Json[] | undefined {
  return nonEmpty(
    v.subjectAltNames.map((s) => ({ san_type: s.sanType, matcher: encodeStringMatcher(s.matcher) })),
  ) as Json[] | undefined;
}

function validationContext(v: CertificateValidationConfig): Json {
  return fields({
    trusted_ca: v.trust.kind === 'file' ? { filename: v.trust.path } : undefined,
    match_typed_subject_alt_names: sanMatchers(v),
    trust_chain_verification: v.acceptUntrusted ? 'ACCEPT_UNTRUSTED' : undefined,
  });
}

function encodeValidation(v: CertificateValidationConfig | null): Json {
  if (v === null) return {};
  if (v.trust.kind !== 'workload') return { validation_context: validationContext(v) };
  const rootca = { name: 'ROOTCA', sds_config: SDS };
  const ctx = validationContext(v);
  if (Object.keys(ctx).length === 0) return { validation_context_sds_secret_config: rootca };
  return {
    combined_validation_context: {
      default_validation_context: ctx,
      validation_context_sds_secret_config: rootca,
    },
  };
}

/** `transport_socket` for a TLS-terminating chain. */
export function encodeDownstreamTls(tls: DownstreamTlsConfig): Json {
  const cert =
    tls.certificate.kind === 'files'
      ? {
          tls_certificates: [
            {
              certificate_chain: { filename: tls.certificate.certChainPath },
              private_key: { filename: tls.certificate.privateKeyPath },
            },
          ],
        }
      : { tls_certificate_sds_secret_configs: [{ name: 'default', sds_config: SDS }] };
  const params = fields({
    tls_minimum_protocol_version: tls.minVersion === 'TLSv1_2' ? undefined : tls.minVersion,
    tls_maximum_protocol_version: tls.maxVersion === 'TLSv1_3' ? undefined : tls.maxVersion,
  });
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: fields({
      '@type': DOWNSTREAM_TLS_TYPE,
      common_tls_context: fields({
        tls_params: Object.keys(params).length === 0 ? undefined : params,
        ...cert,
        ...encodeValidation(tls.validation),
        alpn_protocols: nonEmpty(tls.alpnProtocols),
      }),
      require_client_certificate: flag(tls.requireClientCertificate),
    }),
  };
}

/** The chain fields besides its filters. */
export function encodeChainMatchAndTls(c: FilterChainConfig): Json {
  return fields({
    filter_chain_match:
      c.match?.transportProtocol == null ? undefined : { transport_protocol: c.match.transportProtocol },
    transport_socket: c.tls === undefined ? undefined : encodeDownstreamTls(c.tls),
  });
}
