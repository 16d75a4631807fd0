import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import { minimal } from './fixtures.js';

const CHAIN = 'static_resources.listeners[0].filter_chains[0]';
const CTX = `${CHAIN}.transport_socket.typed_config`;

/** `minimal()` with a transport_socket (`ctx` indented under typed_config) on its chain. */
function withTls(ctx: string, chainExtra = ''): string {
  const ts = `    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
${ctx
  .split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
${chainExtra}      filters:`;
  return minimal().replace('    - filters:', ts);
}

function load(text: string) {
  return loadConfigText(text, 'tls.yaml');
}

function issues(text: string): string[] {
  const r = load(text);
  return r.ok ? [] : r.issues.map(formatIssue);
}

const FILES = `common_tls_context:
  tls_certificates:
  - { certificate_chain: { filename: /c.pem }, private_key: { filename: /k.pem } }`;

t.test('decodes files, SDS workload secrets, SAN matchers, versions and ALPN', async (t) => {
  const r = load(
    withTls(
      `require_client_certificate: true
common_tls_context:
  alpn_protocols: [h2, http/1.1]
  tls_params: { tls_minimum_protocol_version: TLSv1_3 }
  tls_certificate_sds_secret_configs: [{ name: default, sds_config: { ads: {} } }]
  combined_validation_context:
    default_validation_context:
      match_typed_subject_alt_names: [{ san_type: URI, matcher: { exact: "spiffe://td/ns/a/sa/b" } }]
    validation_context_sds_secret_config: { name: ROOTCA }`,
      '      filter_chain_match: { transport_protocol: tls }\n',
    ),
  );
  t.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('\n'));
  if (!r.ok) return;
  const chain = r.bootstrap.listeners[0]?.filterChains[0];
  t.same(chain?.match, { transportProtocol: 'tls' });
  t.same(chain?.tls, {
    certificate: { kind: 'workload' },
    validation: {
      trust: { kind: 'workload' },
      subjectAltNames: [
        { sanType: 'URI', matcher: { kind: 'exact', value: 'spiffe://td/ns/a/sa/b', ignoreCase: false } },
      ],
      acceptUntrusted: false,
    },
    requireClientCertificate: true,
    alpnProtocols: ['h2', 'http/1.1'],
    minVersion: 'TLSv1_3',
    maxVersion: 'TLSv1_3',
  });
  const files = load(withTls(FILES));
  t.ok(files.ok);
  if (files.ok)
    t.same(files.bootstrap.listeners[0]?.filterChains[0]?.tls?.certificate, {
      kind: 'files',
      certChainPath: '/c.pem',
      privateKeyPath: '/k.pem',
    });
});

t.test('listener filters, their timeout and several chains', async (t) => {
  const two = minimal().replace(
    '    filter_chains:\n    - filters:',
    '    listener_filters: [{ name: envoy.filters.listener.tls_inspector }, { name: envoy.filters.listener.http_inspector }]\n    listener_filters_timeout: 2s\n    filter_chains:\n    - filter_chain_match: { transport_protocol: raw_buffer }\n      filters:',
  );
  const r = load(two);
  t.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('\n'));
  if (r.ok) {
    t.same(r.bootstrap.listeners[0]?.listenerFilters, ['tls_inspector', 'http_inspector']);
    t.equal(r.bootstrap.listeners[0]?.listenerFiltersTimeoutMs, 2000);
  }
});

t.test('each kind of bad input names its field', async (t) => {
  t.match(issues(withTls(`${FILES}\nbogus: 1`)), [/tls\.yaml: .*typed_config: unknown field "bogus"/]);
  t.match(issues(withTls('common_tls_context: {}')), [
    new RegExp(`${CTX.replace(/[.[\]]/g, '\\$&')}\\.common_tls_context: exactly one certificate is needed`),
  ]);
  t.match(issues(withTls(`${FILES}\nrequire_client_certificate: true`)), [
    /require_client_certificate: needs common_tls_context\.validation_context/,
  ]);
  t.match(issues(withTls(`${FILES}\n  tls_params: { tls_minimum_protocol_version: TLSv1_1 }`)), [
    /tls_params\.tls_minimum_protocol_version: TLSv1_1 is not supported yet/,
  ]);
  t.match(
    issues(
      withTls(`common_tls_context:
  tls_certificate_sds_secret_configs: [{ name: other }]`),
    ),
    [/tls_certificate_sds_secret_configs\[0\]\.name: SDS secret "other" is not known/],
  );
  t.match(
    issues(
      withTls(`common_tls_context:
  tls_certificates: [{ certificate_chain: { inline_string: x }, private_key: { filename: /k } }]`),
    ),
    [/certificate_chain\.inline_string: inline_string is not supported yet \(only filename is supported\)/],
  );
  t.match(issues(withTls(`${FILES}\n  validation_context: { match_typed_subject_alt_names: [] }`)), [
    /validation_context: trusted_ca is required/,
  ]);
  t.match(
    issues(
      withTls(
        `${FILES}\n  validation_context: { trusted_ca: { filename: /ca }, match_typed_subject_alt_names: [{ san_type: EMAIL, matcher: { exact: a } }] }`,
      ),
    ),
    [/match_typed_subject_alt_names\[0\]\.san_type: EMAIL is not supported yet/],
  );
  t.match(
    issues(
      withTls(`${FILES}\n  validation_context: { trusted_ca: { filename: /ca }, crl: { filename: /crl } }`),
    ),
    [/validation_context\.crl: crl is not supported yet/],
  );
  t.match(
    issues(
      minimal().replace('    - filters:', '    - filter_chain_match: { server_names: [a] }\n      filters:'),
    ),
    [/filter_chain_match\.server_names: server_names is not supported yet/],
  );
  t.match(
    issues(
      minimal().replace(
        '    - filters:',
        '    - filter_chain_match: { transport_protocol: quic }\n      filters:',
      ),
    ),
    [/filter_chain_match\.transport_protocol: unknown value "quic"/],
  );
  t.match(
    issues(
      minimal().replace(
        '    - filters:',
        '    - transport_socket: { name: envoy.transport_sockets.alts }\n      filters:',
      ),
    ),
    [/transport_socket\.name: transport socket "envoy\.transport_sockets\.alts" is not supported/],
  );
  t.match(
    issues(
      minimal().replace(
        '    filter_chains:',
        '    listener_filters: [{ name: envoy.filters.listener.original_dst }]\n    filter_chains:',
      ),
    ),
    [
      /listener_filters\[0\]\.name: listener filter "envoy\.filters\.listener\.original_dst" is not supported yet/,
    ],
  );
});

t.test('XFCC fields on the HCM', async (t) => {
  const r = load(
    minimal().replace(
      'stat_prefix: ingress',
      'stat_prefix: ingress\n          forward_client_cert_details: APPEND_FORWARD\n          set_current_client_cert_details: { subject: true, uri: true }',
    ),
  );
  t.ok(r.ok);
  if (r.ok) {
    const h = r.bootstrap.listeners[0]?.filterChains[0]?.hcm;
    t.equal(h?.forwardClientCertDetails, 'APPEND_FORWARD');
    t.same(h?.setCurrentClientCertDetails, {
      subject: true,
      cert: false,
      chain: false,
      dns: false,
      uri: true,
    });
  }
  t.match(
    issues(
      minimal().replace(
        'stat_prefix: ingress',
        'stat_prefix: ingress\n          forward_client_cert_details: NOPE',
      ),
    ),
    [/forward_client_cert_details: unknown value "NOPE"/],
  );
});
