/**
 * A cluster's `transport_socket` (`UpstreamTlsContext` or raw buffer) and
 * `transport_socket_matches`. Certificates come from files or, as Istio's SDS secrets `default`
 * and `ROOTCA`, from the sidecar's workload certificate.
 */
import type {
  CertificateValidationConfig,
  SanMatcherConfig,
  TlsCertificateSource,
  TlsTrustSource,
  TlsVersion,
  TransportSocketMatchConfig,
  UpstreamTlsConfig,
} from '../model.js';
import { describe, type FieldReader, isPlainObject } from '../reader.js';
import {
  CERT_VALIDATION_CONTEXT_RULES,
  COMBINED_VALIDATION_CONTEXT_RULES,
  COMMON_TLS_CONTEXT_RULES,
  SDS_SECRET_CONFIG_RULES,
  TLS_CERTIFICATE_RULES,
  TLS_PARAMS_RULES,
  TRANSPORT_SOCKET_MATCH_RULES,
  TRANSPORT_SOCKET_RULES,
  UPSTREAM_TLS_CONTEXT_RULES,
} from './field-rules.js';
import { readFileDataSource, readSanMatchers } from './tls-data-source.js';
import { noteCa, noteKeyPair } from './tls-file-refs.js';
import { readTypedConfig } from './typed-config.js';

export const UPSTREAM_TLS_TYPE =
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const RAW_BUFFER_TYPE =
  'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';
export const TLS_SOCKET_NAME = 'envoy.transport_sockets.tls';
export const RAW_BUFFER_SOCKET_NAME = 'envoy.transport_sockets.raw_buffer';
/** Istio's SDS secret names for the workload certificate and the mesh roots. */
export const SDS_WORKLOAD_CERT = 'default';
export const SDS_ROOT_CA = 'ROOTCA';

/** Envoy's client defaults (`tls_params` absent or `TLS_AUTO`). */
export const UPSTREAM_TLS_DEFAULTS = { minVersion: 'TLSv1_2', maxVersion: 'TLSv1_3' } as const;

const VERSIONS: readonly TlsVersion[] = ['TLSv1_2', 'TLSv1_3'];
const SAN_TYPES: readonly SanMatcherConfig['sanType'][] = ['URI', 'DNS', 'EMAIL', 'IP_ADDRESS'];

/**
 * Reads a cluster `TransportSocket`: the TLS context, null for raw buffer (plaintext), or
 * undefined when unusable (issues recorded). The `@type` decides, as in Envoy; without a
 * `typed_config` the name does.
 */
export function readUpstreamTransportSocket(r: FieldReader): UpstreamTlsConfig | null | undefined {
  const name = r.string('name') ?? '';
  const tc = readTypedConfig(r);
  r.finish(TRANSPORT_SOCKET_RULES);
  if (tc === undefined) {
    if (r.has('typed_config')) return undefined;
    if (name === RAW_BUFFER_SOCKET_NAME) return null;
    if (name === '') r.error(null, 'needs a typed_config (or the name envoy.transport_sockets.raw_buffer)');
    else if (name === TLS_SOCKET_NAME)
      r.error('typed_config', 'an UpstreamTlsContext typed_config is required');
    else
      r.error(
        'name',
        `unknown transport socket "${name}"; expected ${TLS_SOCKET_NAME} or ${RAW_BUFFER_SOCKET_NAME}`,
      );
    return undefined;
  }
  if (tc.typeUrl === RAW_BUFFER_TYPE) {
    tc.reader.finish();
    return null;
  }
  if (tc.typeUrl !== UPSTREAM_TLS_TYPE) {
    r.error(
      'typed_config',
      `unexpected @type "${tc.typeUrl}"; expected ${UPSTREAM_TLS_TYPE} or ${RAW_BUFFER_TYPE}`,
    );
    return undefined;
  }
  return readUpstreamTlsContext(tc.reader);
}

/** `UpstreamTlsContext`. */
export function readUpstreamTlsContext(r: FieldReader): UpstreamTlsConfig | undefined {
  const sni = r.string('sni') ?? '';
  const common = r.object('common_tls_context');
  r.finish(UPSTREAM_TLS_CONTEXT_RULES);
  let certificate: TlsCertificateSource | null = null;
  let validation: CertificateValidationConfig | null = null;
  let alpnProtocols: string[] = [];
  let versions: { minVersion: TlsVersion; maxVersion: TlsVersion } = { ...UPSTREAM_TLS_DEFAULTS };
  const before = r.sink.issues.length;
  if (common !== undefined) {
    alpnProtocols = common.strings('alpn_protocols');
    const params = common.object('tls_params');
    if (params !== undefined) versions = readTlsParams(params);
    certificate = readCertificate(common);
    validation = readValidation(common);
    common.finish(COMMON_TLS_CONTEXT_RULES);
  }
  if (r.sink.issues.length > before) return undefined;
  return { sni, certificate, validation, alpnProtocols, ...versions };
}

function readTlsParams(r: FieldReader): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const version = (name: string, fallback: TlsVersion): TlsVersion => {
    const v = r.enumValue(name, [...VERSIONS, 'TLS_AUTO'], ['TLSv1_0', 'TLSv1_1']);
    return v === undefined || v === 'TLS_AUTO' ? fallback : v;
  };
  const minVersion = version('tls_minimum_protocol_version', UPSTREAM_TLS_DEFAULTS.minVersion);
  const maxVersion = version('tls_maximum_protocol_version', UPSTREAM_TLS_DEFAULTS.maxVersion);
  if (minVersion === 'TLSv1_3' && maxVersion === 'TLSv1_2')
    r.error('tls_minimum_protocol_version', 'is above tls_maximum_protocol_version');
  r.finish(TLS_PARAMS_RULES);
  return { minVersion, maxVersion };
}

/** `tls_certificates` (one, from files) or `tls_certificate_sds_secret_configs` (`default`). */
function readCertificate(common: FieldReader): TlsCertificateSource | null {
  const files = common.objects('tls_certificates');
  const sds = common.objects('tls_certificate_sds_secret_configs');
  if (files.length + sds.length > 1) {
    common.error(
      null,
      'at most one client certificate (tls_certificates or tls_certificate_sds_secret_configs)',
    );
    return null;
  }
  const f = files[0];
  if (f !== undefined) {
    const chain = f.requiredObject('certificate_chain');
    const key = f.requiredObject('private_key');
    const certChainPath = chain === undefined ? '' : readFilename(chain);
    const privateKeyPath = key === undefined ? '' : readFilename(key);
    if (certChainPath !== '' && privateKeyPath !== '') noteKeyPair(f, certChainPath, privateKeyPath);
    f.finish(TLS_CERTIFICATE_RULES);
    return { kind: 'files', certChainPath, privateKeyPath };
  }
  const s = sds[0];
  if (s === undefined) return null;
  readSdsName(s, SDS_WORKLOAD_CERT);
  return { kind: 'workload' };
}

/** `validation_context`, `validation_context_sds_secret_config` or `combined_validation_context`. */
function readValidation(common: FieldReader): CertificateValidationConfig | null {
  const which = common.oneOf(
    ['validation_context', 'validation_context_sds_secret_config', 'combined_validation_context'],
    false,
  );
  if (which === 'validation_context') {
    const v = common.object(which);
    return v === undefined ? null : readValidationContext(v, null);
  }
  if (which === 'validation_context_sds_secret_config') {
    const s = common.object(which);
    if (s !== undefined) readSdsName(s, SDS_ROOT_CA);
    return { trust: { kind: 'workload' }, subjectAltNames: [], acceptUntrusted: false };
  }
  if (which === 'combined_validation_context') {
    const c = common.object(which);
    if (c === undefined) return null;
    const s = c.requiredObject('validation_context_sds_secret_config');
    if (s !== undefined) readSdsName(s, SDS_ROOT_CA);
    const d = c.object('default_validation_context');
    c.finish(COMBINED_VALIDATION_CONTEXT_RULES);
    const workload: TlsTrustSource = { kind: 'workload' };
    if (d === undefined) return { trust: workload, subjectAltNames: [], acceptUntrusted: false };
    return readValidationContext(d, workload);
  }
  return null;
}

/**
 * `CertificateValidationContext`. `trust` is the SDS roots when combined; otherwise
 * `trusted_ca` or `system_root_certs`. Without roots and SANs Envoy verifies nothing (null).
 */
function readValidationContext(
  r: FieldReader,
  sdsTrust: TlsTrustSource | null,
): CertificateValidationConfig | null {
  let trust = sdsTrust;
  const which = r.oneOf(['trusted_ca', 'system_root_certs'], false);
  if (which !== undefined && sdsTrust !== null) {
    r.error(which, 'cannot be combined with validation_context_sds_secret_config');
  } else if (which === 'trusted_ca') {
    const ca = r.object('trusted_ca');
    const path = ca === undefined ? '' : readFilename(ca);
    if (path !== '') noteCa(r, path);
    trust = { kind: 'file', path };
  } else if (which === 'system_root_certs') {
    r.object('system_root_certs')?.finish();
    trust = { kind: 'system' };
  }
  const subjectAltNames = readSanMatchers(r, SAN_TYPES, ['OTHER_NAME']).matchers;
  const chain = r.enumValue('trust_chain_verification', ['VERIFY_TRUST_CHAIN', 'ACCEPT_UNTRUSTED']);
  r.finish(CERT_VALIDATION_CONTEXT_RULES);
  if (trust === null) {
    // Envoy refuses SAN checks without roots: a self-signed peer could claim any name.
    if (subjectAltNames.length > 0)
      r.error('match_typed_subject_alt_names', 'needs trusted_ca (or system_root_certs) to verify against');
    return null;
  }
  return { trust, subjectAltNames, acceptUntrusted: chain === 'ACCEPT_UNTRUSTED' };
}

/** A `DataSource`'s path; "" when unusable (issue recorded). */
function readFilename(r: FieldReader): string {
  return readFileDataSource(r) ?? '';
}

function readSdsName(r: FieldReader, expected: string): void {
  const name = r.requiredString('name');
  r.finish(SDS_SECRET_CONFIG_RULES);
  if (name !== '' && name !== expected)
    r.error('name', `unknown SDS secret "${name}": Skiff serves Istio's "${expected}" only`);
}

/** `transport_socket_matches[]`: `{name, match (labels), transport_socket}`. */
export function readTransportSocketMatches(
  r: FieldReader,
  field: string,
): TransportSocketMatchConfig[] | undefined {
  const out: TransportSocketMatchConfig[] = [];
  const before = r.sink.issues.length;
  for (const m of r.objects(field)) {
    const name = m.requiredString('name');
    const match: Record<string, string> = {};
    const raw = m.raw('match');
    if (raw !== undefined) {
      if (!isPlainObject(raw)) m.error('match', `expected an object, got ${describe(raw)}`);
      else {
        for (const [k, v] of Object.entries(raw)) {
          if (typeof v === 'string') match[k] = v;
          else m.error('match', `label "${k}" must be a string, got ${describe(v)}`);
        }
      }
    }
    const ts = m.requiredObject('transport_socket');
    const tls = ts === undefined ? undefined : readUpstreamTransportSocket(ts);
    m.finish(TRANSPORT_SOCKET_MATCH_RULES);
    if (tls !== undefined) out.push({ name, match, tls });
  }
  return r.sink.issues.length > before ? undefined : out;
}
