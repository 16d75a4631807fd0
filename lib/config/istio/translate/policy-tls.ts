/**
 * DestinationRule `tls` → the cluster's upstream TLS, as istiod's cluster builder does it
 * (`applyUpstreamTLSSettings`, `buildAutoMtlsSettings`): ISTIO_MUTUAL presents the workload
 * certificate and checks the destination's identities; SIMPLE/MUTUAL use files; with no `tls`
 * at all, auto mTLS picks ISTIO_MUTUAL per endpoint by its `security.istio.io/tlsMode` label.
 */
import type { SanMatcherConfig, TransportSocketMatchConfig, UpstreamTlsConfig } from '../../model.js';
import type { ClientTlsSettings } from '../model.js';
import type { RegistryService } from '../registry.js';
import type { PolicySection } from './effective-policy.js';
import { ISTIO_TCP_ALPN, isTcpProtocol } from './port-protocols.js';
import type { OutboundClusterSpec, TranslateSink } from './types.js';

/** The label Istio's injector puts on workloads that have a sidecar. */
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
/** The ALPN an Istio client sidecar offers for HTTP/1.1 (the `istio.alpn` filter's values). */
export const ISTIO_HTTP1_ALPN = ['istio-http/1.1', 'istio', 'http/1.1'] as const;

/** What a cluster gets: one TLS context, or transport socket matches; nothing = plaintext. */
export interface ClusterTls {
  readonly upstreamTls?: UpstreamTlsConfig;
  readonly transportSocketMatches?: readonly TransportSocketMatchConfig[];
}

/** `outbound_.<port>_.<subset>_.<fqdn>` (istiod's `BuildDNSSrvSubsetKey`). */
export function istioMutualSni(port: number, subset: string, fqdn: string): string {
  return `outbound_.${port}_.${subset}_.${fqdn}`;
}

/** The service accounts of a service's endpoints as SPIFFE IDs, sorted and unique. */
export function endpointIdentities(service: RegistryService, trustDomain: string): string[] {
  const ids = new Set<string>();
  for (const e of service.endpoints) {
    if (e.serviceAccount === '') continue;
    const ns = e.workloadEntry === '' ? service.namespace : e.workloadEntry.split('/')[0]!;
    ids.add(`spiffe://${trustDomain}/ns/${ns}/sa/${e.serviceAccount}`);
  }
  return [...ids].sort();
}

function exactUris(sans: readonly string[]): SanMatcherConfig[] {
  return sans.map((value) => ({ sanType: 'URI', matcher: { kind: 'exact', value, ignoreCase: false } }));
}

/** ISTIO_MUTUAL: DR SANs, else the ServiceEntry's, else the endpoints' service accounts. */
function istioMutual(
  spec: OutboundClusterSpec,
  dr: ClientTlsSettings | null,
  trustDomain: string,
): UpstreamTlsConfig {
  const sans =
    dr !== null && dr.subjectAltNames.length > 0
      ? dr.subjectAltNames
      : spec.service.subjectAltNames.length > 0
        ? spec.service.subjectAltNames
        : endpointIdentities(spec.service, trustDomain);
  return {
    sni:
      dr !== null && dr.sni !== ''
        ? dr.sni
        : istioMutualSni(spec.port.number, spec.subset, spec.service.hostname),
    certificate: { kind: 'workload' },
    validation: { trust: { kind: 'workload' }, subjectAltNames: exactUris(sans), acceptUntrusted: false },
    // TCP clusters offer Istio's TCP ALPN so the peer's TLS chain runs metadata exchange.
    alpnProtocols: isTcpProtocol(spec.port.protocol) ? [...ISTIO_TCP_ALPN] : [...ISTIO_HTTP1_ALPN],
    minVersion: 'TLSv1_2',
    maxVersion: 'TLSv1_3',
  };
}

/** SIMPLE and MUTUAL: files, `sni` (default: the service host), SANs, insecureSkipVerify. */
function originate(spec: OutboundClusterSpec, s: ClientTlsSettings): UpstreamTlsConfig {
  const host = spec.service.hostname;
  return {
    sni: s.sni !== '' ? s.sni : host.startsWith('*') ? '' : host,
    certificate:
      s.mode === 'MUTUAL'
        ? { kind: 'files', certChainPath: s.clientCertificate, privateKeyPath: s.privateKey }
        : null,
    validation: {
      trust: s.caCertificates === '' ? { kind: 'system' } : { kind: 'file', path: s.caCertificates },
      subjectAltNames: exactUris(s.subjectAltNames).map((m) => ({ ...m, sanType: sanTypeOf(m.matcher) })),
      acceptUntrusted: s.insecureSkipVerify === true,
    },
    alpnProtocols: [],
    minVersion: 'TLSv1_2',
    maxVersion: 'TLSv1_3',
  };
}

/** Istio's SAN strings are URIs when they look like one (SPIFFE), else DNS names. */
function sanTypeOf(m: SanMatcherConfig['matcher']): SanMatcherConfig['sanType'] {
  return m.kind !== 'safe_regex' && /^[a-z][a-z0-9+.-]*:\/\//i.test(m.value) ? 'URI' : 'DNS';
}

function error(
  sink: TranslateSink,
  at: PolicySection<ClientTlsSettings>,
  field: string,
  message: string,
): void {
  sink.issues.push({ file: at.file, path: `${at.path}.${field}`, message });
}

/** The files SIMPLE / MUTUAL name, for the check at load (lib/config/tls-files.ts). */
function noteFiles(sink: TranslateSink, at: PolicySection<ClientTlsSettings>): void {
  const s = at.value;
  if (s.mode === 'MUTUAL' && s.clientCertificate !== '' && s.privateKey !== '') {
    sink.tlsFiles?.push({
      kind: 'key-pair',
      file: at.file,
      certPath: `${at.path}.clientCertificate`,
      keyPath: `${at.path}.privateKey`,
      certChain: s.clientCertificate,
      privateKey: s.privateKey,
    });
  }
  if (s.caCertificates !== '')
    sink.tlsFiles?.push({
      kind: 'ca',
      file: at.file,
      path: `${at.path}.caCertificates`,
      ca: s.caCertificates,
    });
}

/** The cluster's TLS for the effective DR `tls` (null = none written: auto mTLS). */
export function applyClientTls(
  tls: PolicySection<ClientTlsSettings> | null,
  spec: OutboundClusterSpec,
  trustDomain: string,
  sink: TranslateSink,
): ClusterTls {
  if (tls === null) {
    // istiod: no auto mTLS towards MESH_EXTERNAL services (they have no sidecar).
    if (spec.service.location === 'MESH_EXTERNAL') return {};
    return {
      transportSocketMatches: [
        {
          name: 'tlsMode-istio',
          match: { [TLS_MODE_LABEL]: 'istio' },
          tls: istioMutual(spec, null, trustDomain),
        },
        { name: 'tlsMode-disabled', match: {}, tls: null },
      ],
    };
  }
  const s = tls.value;
  if (s.credentialName !== '') {
    error(
      sink,
      tls,
      'credentialName',
      'secrets are not served to a sidecar without a workloadSelector; use file paths',
    );
    return {};
  }
  switch (s.mode) {
    case 'DISABLE':
      return {};
    case 'ISTIO_MUTUAL':
      for (const f of ['clientCertificate', 'privateKey', 'caCertificates'] as const) {
        if (s[f] !== '')
          error(sink, tls, f, 'must be empty with ISTIO_MUTUAL (the workload certificate is used)');
      }
      return { upstreamTls: istioMutual(spec, s, trustDomain) };
    case 'MUTUAL':
      if (s.clientCertificate === '') error(sink, tls, 'clientCertificate', 'is required with MUTUAL');
      if (s.privateKey === '') error(sink, tls, 'privateKey', 'is required with MUTUAL');
      noteFiles(sink, tls);
      return { upstreamTls: originate(spec, s) };
    case 'SIMPLE':
      noteFiles(sink, tls);
      return { upstreamTls: originate(spec, s) };
  }
}
