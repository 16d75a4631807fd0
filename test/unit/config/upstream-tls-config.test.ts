import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { ClusterConfig } from '../../../lib/config/model.js';
import { minimal } from './fixtures.js';

const TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const TS = 'static_resources.clusters[0].transport_socket';

/** minimal() with `transport_socket: {name, typed_config: {"@type": TLS, ...ctx}}` on its cluster. */
function withTls(ctx: string): string {
  return `${minimal()}    transport_socket: {name: envoy.transport_sockets.tls, typed_config: {"@type": ${TLS}, ${ctx}}}\n`;
}

function decode(text: string): ClusterConfig {
  const r = loadConfigText(text, 'tls.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.bootstrap.clusters[0]!;
}

function issues(text: string): string[] {
  const r = loadConfigText(text, 'tls.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

t.test('UpstreamTlsContext with files, SANs and TLS params', async (t) => {
  const c = decode(
    withTls(`sni: api.example.com, common_tls_context: {
      tls_params: {tls_minimum_protocol_version: TLSv1_3},
      alpn_protocols: [h2],
      tls_certificates: [{certificate_chain: {filename: /c.pem}, private_key: {filename: /k.pem}}],
      validation_context: {trusted_ca: {filename: /ca.pem}, trust_chain_verification: ACCEPT_UNTRUSTED,
        match_typed_subject_alt_names: [{san_type: DNS, matcher: {suffix: .example.com}}]}}`),
  );
  t.same(c.upstreamTls, {
    sni: 'api.example.com',
    certificate: { kind: 'files', certChainPath: '/c.pem', privateKeyPath: '/k.pem' },
    validation: {
      trust: { kind: 'file', path: '/ca.pem' },
      subjectAltNames: [
        { sanType: 'DNS', matcher: { kind: 'suffix', value: '.example.com', ignoreCase: false } },
      ],
      acceptUntrusted: true,
    },
    alpnProtocols: ['h2'],
    minVersion: 'TLSv1_3',
    maxVersion: 'TLSv1_3',
  });
  t.equal(decode(minimal()).upstreamTls, undefined, 'no transport_socket: plaintext');
});

t.test("Istio's SDS secrets: default → workload certificate, ROOTCA → workload roots", async (t) => {
  const combined = decode(
    withTls(`common_tls_context: {tls_certificate_sds_secret_configs: [{name: default, sds_config: {ads: {}}}],
      combined_validation_context: {validation_context_sds_secret_config: {name: ROOTCA},
        default_validation_context: {match_typed_subject_alt_names: [{san_type: URI, matcher: {exact: "spiffe://td/ns/a/sa/b"}}]}}}`),
  ).upstreamTls!;
  t.same(combined.certificate, { kind: 'workload' });
  t.same(combined.validation?.trust, { kind: 'workload' });
  t.equal(combined.validation?.subjectAltNames[0]?.sanType, 'URI');
  const plain = decode(withTls('common_tls_context: {validation_context_sds_secret_config: {name: ROOTCA}}'));
  t.same(plain.upstreamTls?.validation, {
    trust: { kind: 'workload' },
    subjectAltNames: [],
    acceptUntrusted: false,
  });
  const none = decode(withTls('sni: x')).upstreamTls!;
  t.equal(none.validation, null, 'no validation context: nothing verified (Envoy default)');
  t.equal(none.certificate, null);
});

t.test('raw_buffer is plaintext; transport_socket_matches keep order and labels', async (t) => {
  const raw = decode(`${minimal()}    transport_socket: {name: envoy.transport_sockets.raw_buffer}\n`);
  t.equal(raw.upstreamTls, undefined);
  const m = decode(`${minimal()}    transport_socket_matches:
    - name: istio
      match: {tlsMode: istio}
      transport_socket: {name: envoy.transport_sockets.tls, typed_config: {"@type": ${TLS}, sni: s}}
    - name: plain
      match: {}
      transport_socket: {name: envoy.transport_sockets.raw_buffer, typed_config: {"@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer}}
`).transportSocketMatches!;
  t.same(
    m.map((x) => [x.name, x.match, x.tls?.sni ?? null]),
    [
      ['istio', { tlsMode: 'istio' }, 's'],
      ['plain', {}, null],
    ],
  );
});

t.test('bad input: each error names its field', async (t) => {
  const cases: [string, string][] = [
    [
      `${minimal()}    transport_socket: {name: envoy.transport_sockets.alts}\n`,
      `${TS}.name: unknown transport socket`,
    ],
    [
      `${minimal()}    transport_socket: {name: x, typed_config: {"@type": type.googleapis.com/foo.Bar}}\n`,
      `${TS}.typed_config: unexpected @type`,
    ],
    [withTls('bogus: 1'), `${TS}.typed_config: unknown field "bogus"`],
    [
      withTls('common_tls_context: {tls_params: {tls_minimum_protocol_version: TLSv1_0}}'),
      'tls_minimum_protocol_version: TLSv1_0 is not supported yet',
    ],
    [
      withTls(
        'common_tls_context: {tls_params: {tls_minimum_protocol_version: TLSv1_3, tls_maximum_protocol_version: TLSv1_2}}',
      ),
      'tls_params.tls_minimum_protocol_version: is above tls_maximum_protocol_version',
    ],
    [
      withTls(
        'common_tls_context: {tls_certificates: [{certificate_chain: {inline_string: x}, private_key: {filename: k}}]}',
      ),
      'certificate_chain.inline_string: inline_string is not supported yet (only filename is supported)',
    ],
    [
      withTls('common_tls_context: {tls_certificates: [{private_key: {filename: k}}]}'),
      'tls_certificates[0]: missing required field "certificate_chain"',
    ],
    [
      withTls('common_tls_context: {tls_certificate_sds_secret_configs: [{name: other}]}'),
      'tls_certificate_sds_secret_configs[0].name: unknown SDS secret "other"',
    ],
    [
      withTls('common_tls_context: {validation_context_sds_secret_config: {name: default}}'),
      'validation_context_sds_secret_config.name: unknown SDS secret "default"',
    ],
    [
      withTls(
        'common_tls_context: {validation_context: {match_typed_subject_alt_names: [{san_type: URI, matcher: {exact: a}}]}}',
      ),
      'validation_context.match_typed_subject_alt_names: needs trusted_ca',
    ],
    [
      withTls(
        'common_tls_context: {validation_context: {trusted_ca: {filename: c}, match_typed_subject_alt_names: [{matcher: {exact: a}}]}}',
      ),
      'match_typed_subject_alt_names[0]: missing required field "san_type"',
    ],
    [
      withTls('common_tls_context: {validation_context: {trusted_ca: {filename: c}, crl: {filename: x}}}'),
      'validation_context.crl: crl is not supported yet',
    ],
    [
      withTls(
        'common_tls_context: {validation_context: {trusted_ca: {filename: c}}, validation_context_sds_secret_config: {name: ROOTCA}}',
      ),
      'common_tls_context: only one of',
    ],
    [
      `${minimal()}    transport_socket_matches: [{name: m, match: {a: 1}, transport_socket: {name: envoy.transport_sockets.raw_buffer}}]\n`,
      'transport_socket_matches[0].match: label "a" must be a string',
    ],
    [
      `${minimal()}    transport_socket_matches: [{name: m}]\n`,
      'transport_socket_matches[0]: missing required field "transport_socket"',
    ],
  ];
  for (const [text, expected] of cases) {
    const got = issues(text);
    t.ok(
      got.some((i) => i.includes(expected)),
      `${expected}\n  got: ${got.join('\n       ')}`,
    );
  }
});
