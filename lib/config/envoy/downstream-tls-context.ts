/**
 * A filter chain's `transport_socket`: `envoy.transport_sockets.tls` with a
 * `DownstreamTlsContext` → `DownstreamTlsConfig`. Certificates come from files or from the
 * sidecar's workload certificate (Istio's SDS secrets `default` and `ROOTCA`).
 */
import type {
  CertificateValidationConfig,
  DownstreamTlsConfig,
  SanMatcherConfig,
  TlsCertificateSource,
  TlsTrustSource,
  TlsVersion,
} from '../model.js';
import type { FieldReader, FinishRules } from '../reader.js';
import { RAW_BUFFER_SOCKET_NAME, SDS_ROOT_CA, SDS_WORKLOAD_CERT, TLS_SOCKET_NAME } from './cluster-tls.js';
import { SDS_SECRET_CONFIG_RULES } from './field-rules.js';
import { readFileDataSource, readSanMatchers } from './tls-data-source.js';
import { noteCa, noteKeyPair } from './tls-file-refs.js';
import { expectType, readTypedConfig } from './typed-config.js';

export const DOWNSTREAM_TLS_TYPE =
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const RAW_BUFFER_NAMES = [RAW_BUFFER_SOCKET_NAME, 'raw_buffer'];
const TLS_NAMES = [TLS_SOCKET_NAME, 'tls'];

const SECURITY = 'it changes which peers are accepted';

/** Field rules of the TLS messages this file reads (docs/config.md lists the ignored ones). */
const DOWNSTREAM_TLS_RULES: FinishRules = {
  ignored: [
    'session_timeout',
    'disable_stateless_session_resumption',
    'session_ticket_keys',
    'session_ticket_keys_sds_secret_config',
    'disable_stateful_session_resumption',
    'ocsp_staple_policy',
    'full_scan_certs_on_sni_mismatch',
    'prefer_client_ciphers',
  ],
  unsupported: { require_sni: '', tls_session_ticket_keys: '' },
};
const DOWNSTREAM_COMMON_TLS_CONTEXT_RULES: FinishRules = {
  ignored: ['key_log'],
  unsupported: {
    tls_certificate_provider_instance: '',
    custom_handshaker: '',
    custom_tls_certificate_selector: '',
    tls_certificate_certificate_provider_instance: '',
    validation_context_certificate_provider_instance: '',
  },
};
const DOWNSTREAM_TLS_PARAMS_RULES: FinishRules = {
  ignored: ['cipher_suites', 'ecdh_curves', 'signature_algorithms', 'compliance_policies'],
};
const DOWNSTREAM_VALIDATION_CONTEXT_RULES: FinishRules = {
  ignored: ['only_verify_leaf_cert_crl'],
  unsupported: {
    match_subject_alt_names: 'use match_typed_subject_alt_names',
    verify_certificate_spki: SECURITY,
    verify_certificate_hash: SECURITY,
    crl: SECURITY,
    allow_expired_certificate: SECURITY,
    custom_validator_config: SECURITY,
    watched_directory: '',
    max_verify_depth: '',
    ca_certificate_provider_instance: '',
    system_root_certs: '',
  },
};

/**
 * Reads `transport_socket`: undefined for plaintext (`raw_buffer`) or on error (recorded), else
 * the TLS termination config.
 */
export function readDownstreamTransportSocket(r: FieldReader): DownstreamTlsConfig | undefined {
  const name = r.requiredString('name');
  const tc = readTypedConfig(r);
  r.finish();
  if (RAW_BUFFER_NAMES.includes(name)) return undefined;
  if (!TLS_NAMES.includes(name)) {
    r.error('name', `transport socket "${name}" is not supported; use envoy.transport_sockets.tls`);
    return undefined;
  }
  if (tc === undefined) {
    if (!r.has('typed_config')) r.error(null, 'missing required field "typed_config"');
    return undefined;
  }
  if (!expectType(tc, r, 'typed_config', DOWNSTREAM_TLS_TYPE)) return undefined;
  return readDownstreamTlsContext(tc.reader);
}

/** Reads a `DownstreamTlsContext`; undefined when unusable (issues recorded). */
export function readDownstreamTlsContext(r: FieldReader): DownstreamTlsConfig | undefined {
  const requireClientCertificate = r.bool('require_client_certificate') ?? false;
  const common = r.requiredObject('common_tls_context');
  r.finish(DOWNSTREAM_TLS_RULES);
  if (common === undefined) return undefined;
  const certificate = readCertificate(common);
  const validation = readValidation(common);
  const alpnProtocols = common.strings('alpn_protocols');
  const params = common.object('tls_params');
  const minVersion = readVersion(params, 'tls_minimum_protocol_version', 'TLSv1_2');
  const maxVersion = readVersion(params, 'tls_maximum_protocol_version', 'TLSv1_3');
  params?.finish(DOWNSTREAM_TLS_PARAMS_RULES);
  common.finish(DOWNSTREAM_COMMON_TLS_CONTEXT_RULES);
  if (minVersion !== undefined && maxVersion === 'TLSv1_2' && minVersion === 'TLSv1_3')
    params?.error('tls_minimum_protocol_version', 'is above tls_maximum_protocol_version');
  if (requireClientCertificate && validation === null) {
    r.error(
      'require_client_certificate',
      'needs common_tls_context.validation_context (or an SDS ROOTCA) to verify client certificates against',
    );
    return undefined;
  }
  if (certificate === undefined || validation === undefined) return undefined;
  if (minVersion === undefined || maxVersion === undefined) return undefined;
  return { certificate, validation, requireClientCertificate, alpnProtocols, minVersion, maxVersion };
}

function readVersion(
  params: FieldReader | undefined,
  field: string,
  dflt: TlsVersion,
): TlsVersion | undefined {
  if (params === undefined || !params.has(field)) return dflt;
  const v = params.enumValue(
    field,
    ['TLS_AUTO', 'TLSv1_2', 'TLSv1_3'] as const,
    // Below TLS 1.2 is refused on purpose: a mesh must not accept it.
    ['TLSv1_0', 'TLSv1_1'],
  );
  if (v === undefined) return undefined;
  return v === 'TLS_AUTO' ? dflt : v;
}

function readCertificate(common: FieldReader): TlsCertificateSource | undefined {
  const files = common.objects('tls_certificates');
  const sds = common.objects('tls_certificate_sds_secret_configs');
  if (files.length + sds.length !== 1) {
    common.error(
      null,
      `exactly one certificate is needed (tls_certificates or tls_certificate_sds_secret_configs), got ${files.length + sds.length}`,
    );
  }
  for (const s of sds) {
    const name = s.requiredString('name');
    s.finish(SDS_SECRET_CONFIG_RULES);
    if (name !== '' && name !== SDS_WORKLOAD_CERT)
      s.error(
        'name',
        `SDS secret "${name}" is not known; only "${SDS_WORKLOAD_CERT}" (the workload certificate) is`,
      );
  }
  let out: TlsCertificateSource | undefined;
  for (const f of files) {
    const certChainPath = readFileSource(f, 'certificate_chain');
    const privateKeyPath = readFileSource(f, 'private_key');
    if (certChainPath !== undefined && privateKeyPath !== undefined)
      noteKeyPair(f, certChainPath, privateKeyPath);
    f.finish({
      unsupported: {
        password: '',
        ocsp_staple: '',
        signed_certificate_timestamp: '',
        watched_directory: '',
        private_key_provider: '',
        pkcs12: '',
      },
    });
    if (certChainPath !== undefined && privateKeyPath !== undefined)
      out = { kind: 'files', certChainPath, privateKeyPath };
  }
  if (files.length + sds.length !== 1) return undefined;
  if (sds.length === 1) return { kind: 'workload' };
  return out;
}

/** A `DataSource` field that must be a file; undefined when absent or unusable (issue recorded). */
function readFileSource(r: FieldReader, field: string): string | undefined {
  const src = r.requiredObject(field);
  return src === undefined ? undefined : readFileDataSource(src);
}

/** null = no client verification configured; undefined = error. */
function readValidation(common: FieldReader): CertificateValidationConfig | null | undefined {
  const which = common.oneOf(
    ['validation_context', 'validation_context_sds_secret_config', 'combined_validation_context'],
    false,
  );
  if (which === undefined) return null;
  if (which === 'validation_context') {
    const v = common.object('validation_context');
    return v === undefined ? undefined : readValidationContext(v, null);
  }
  if (which === 'validation_context_sds_secret_config') {
    const s = common.object(which);
    return s === undefined || !readRootSecret(s)
      ? undefined
      : { trust: { kind: 'workload' }, subjectAltNames: [], acceptUntrusted: false };
  }
  const c = common.object('combined_validation_context');
  if (c === undefined) return undefined;
  const s = c.requiredObject('validation_context_sds_secret_config');
  const d = c.object('default_validation_context');
  const okSecret = s !== undefined && readRootSecret(s);
  const v = d === undefined ? undefined : readValidationContext(d, { kind: 'workload' });
  c.finish();
  if (!okSecret) return undefined;
  if (d === undefined) return { trust: { kind: 'workload' }, subjectAltNames: [], acceptUntrusted: false };
  return v;
}

function readRootSecret(s: FieldReader): boolean {
  const name = s.requiredString('name');
  s.finish(SDS_SECRET_CONFIG_RULES);
  if (name === SDS_ROOT_CA) return true;
  if (name !== '')
    s.error('name', `SDS secret "${name}" is not known; only "${SDS_ROOT_CA}" (the mesh roots) is`);
  return false;
}

// Client certificates are matched on URI (SPIFFE) and DNS SANs only.
const SAN_TYPES: readonly SanMatcherConfig['sanType'][] = ['URI', 'DNS'];

/** `CertificateValidationContext`; `trust` given = the roots come from elsewhere (combined). */
function readValidationContext(
  v: FieldReader,
  trust: TlsTrustSource | null,
): CertificateValidationConfig | undefined {
  let path: string | undefined;
  const hasCa = v.has('trusted_ca');
  if (hasCa) path = readFileSource(v, 'trusted_ca');
  if (path !== undefined) noteCa(v, path);
  if (trust === null && !hasCa)
    v.error(null, 'trusted_ca is required: Skiff does not verify client certificates against system roots');
  const sans = readSanMatchers(v, SAN_TYPES, ['EMAIL', 'IP_ADDRESS', 'OTHER_NAME']);
  const verification = v.enumValue('trust_chain_verification', [
    'VERIFY_TRUST_CHAIN',
    'ACCEPT_UNTRUSTED',
  ] as const);
  v.finish(DOWNSTREAM_VALIDATION_CONTEXT_RULES);
  const source: TlsTrustSource | undefined =
    trust ?? (path === undefined ? undefined : { kind: 'file', path });
  if (source === undefined || !sans.ok) return undefined;
  return {
    trust: source,
    subjectAltNames: sans.matchers,
    acceptUntrusted: verification === 'ACCEPT_UNTRUSTED',
  };
}
