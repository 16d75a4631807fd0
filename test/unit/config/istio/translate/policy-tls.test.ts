import t from 'tap';
import { ServiceRegistry } from '../../../../../lib/config/istio/registry.js';
import { buildOutboundCluster } from '../../../../../lib/config/istio/translate/cluster-policy.js';
import { DestinationRuleIndex } from '../../../../../lib/config/istio/translate/destination-rules.js';
import { endpointIdentities } from '../../../../../lib/config/istio/translate/policy-tls.js';
import type { OutboundClusterSpec } from '../../../../../lib/config/istio/translate/types.js';
import { dr, rules, sink, sourced, workload } from './dr-fixtures.js';

const HOST = 'reviews.default.svc.cluster.local';

/** `reviews` with two inline endpoints (service accounts a, b) and optional SE SANs. */
function spec(
  subset = '',
  seExtra = '',
  location = 'MESH_INTERNAL',
  trustDomain?: string,
): OutboundClusterSpec {
  const se = sourced(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: default}
spec:
  hosts: [${HOST}]
  location: ${location}
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, serviceAccount: b}
  - {address: 10.0.0.2, serviceAccount: a}
  - {address: 10.0.0.3, serviceAccount: a}
${seExtra}`);
  const service = ServiceRegistry.build(se).services()[0]!;
  return {
    name: `outbound|9080|${subset}|${HOST}`,
    service,
    port: service.ports[0]!,
    subset,
    type: 'STATIC',
    endpoints: [],
    ...(trustDomain === undefined ? {} : { trustDomain }),
  };
}

function build(tls: string | null, s = spec()) {
  const out = sink();
  const body =
    tls === null
      ? '  host: reviews\n  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n'
      : `  host: reviews\n  trafficPolicy: {tls: ${tls}}\n`;
  const rule = DestinationRuleIndex.build(rules(dr('r', 'default', body)), workload('default')).forHost(HOST);
  return { c: buildOutboundCluster(s, rule, out), s: out };
}

t.test('ISTIO_MUTUAL: workload certificate, Istio SNI and ALPN, endpoint identities', async (t) => {
  const { c, s } = build('{mode: ISTIO_MUTUAL}', spec('v1'));
  t.same(s.issues, []);
  const tls = c.upstreamTls!;
  t.equal(tls.sni, `outbound_.9080_.v1_.${HOST}`);
  t.same(tls.certificate, { kind: 'workload' });
  t.same(tls.alpnProtocols, ['istio-http/1.1', 'istio', 'http/1.1']);
  t.same(tls.validation?.trust, { kind: 'workload' });
  t.same(
    tls.validation?.subjectAltNames.map((m) => [m.sanType, m.matcher]),
    [
      ['URI', { kind: 'exact', value: 'spiffe://cluster.local/ns/default/sa/a', ignoreCase: false }],
      ['URI', { kind: 'exact', value: 'spiffe://cluster.local/ns/default/sa/b', ignoreCase: false }],
    ],
  );
  t.equal(c.transportSocketMatches, undefined);
});

t.test('ISTIO_MUTUAL SANs: DR first, then the ServiceEntry, trust domain from the workload', async (t) => {
  const fromDr = build('{mode: ISTIO_MUTUAL, subjectAltNames: [spiffe://td/ns/x/sa/y], sni: custom}').c;
  t.same(
    fromDr.upstreamTls?.validation?.subjectAltNames.map((m) => m.matcher.kind === 'exact' && m.matcher.value),
    ['spiffe://td/ns/x/sa/y'],
  );
  t.equal(fromDr.upstreamTls?.sni, 'custom');
  const fromSe = build('{mode: ISTIO_MUTUAL}', spec('', '  subjectAltNames: [spiffe://se/ns/n/sa/s]\n')).c;
  t.same(
    fromSe.upstreamTls?.validation?.subjectAltNames.map((m) => m.matcher.kind === 'exact' && m.matcher.value),
    ['spiffe://se/ns/n/sa/s'],
  );
  t.same(endpointIdentities(spec().service, 'example.org'), [
    'spiffe://example.org/ns/default/sa/a',
    'spiffe://example.org/ns/default/sa/b',
  ]);
  const td = build('{mode: ISTIO_MUTUAL}', spec('', '', 'MESH_INTERNAL', 'corp.example')).c;
  t.match(td.upstreamTls?.validation?.subjectAltNames[0]?.matcher, {
    value: 'spiffe://corp.example/ns/default/sa/a',
  });
});

t.test('SIMPLE and MUTUAL: files, sni default, SANs, insecureSkipVerify', async (t) => {
  const simple = build(
    '{mode: SIMPLE, caCertificates: /etc/ca.pem, subjectAltNames: [reviews.example.com]}',
  ).c;
  t.same(simple.upstreamTls, {
    sni: HOST,
    certificate: null,
    validation: {
      trust: { kind: 'file', path: '/etc/ca.pem' },
      subjectAltNames: [
        { sanType: 'DNS', matcher: { kind: 'exact', value: 'reviews.example.com', ignoreCase: false } },
      ],
      acceptUntrusted: false,
    },
    alpnProtocols: [],
    minVersion: 'TLSv1_2',
    maxVersion: 'TLSv1_3',
  });
  const system = build('{mode: SIMPLE, sni: api.example.com, insecureSkipVerify: true}').c.upstreamTls!;
  t.equal(system.sni, 'api.example.com');
  t.same(system.validation?.trust, { kind: 'system' });
  t.equal(system.validation?.acceptUntrusted, true);
  const mutual = build('{mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem}').c.upstreamTls!;
  t.same(mutual.certificate, { kind: 'files', certChainPath: '/c.pem', privateKeyPath: '/k.pem' });
});

t.test('bad tls settings are errors naming the field', async (t) => {
  const cred = build('{mode: SIMPLE, credentialName: my-secret}').s;
  t.match(cred.issues, [{ path: 'spec.trafficPolicy.tls.credentialName', message: /workloadSelector/ }]);
  const files = build('{mode: ISTIO_MUTUAL, caCertificates: /ca.pem}').s;
  t.match(files.issues, [{ path: 'spec.trafficPolicy.tls.caCertificates', message: /ISTIO_MUTUAL/ }]);
});

t.test('auto mTLS without DR tls: ISTIO_MUTUAL for tlsMode istio endpoints, else plaintext', async (t) => {
  const { c } = build(null);
  t.equal(c.upstreamTls, undefined);
  const m = c.transportSocketMatches!;
  t.same(
    m.map((x) => [x.name, x.match, x.tls === null ? null : x.tls.sni]),
    [
      ['tlsMode-istio', { 'security.istio.io/tlsMode': 'istio' }, `outbound_.9080_._.${HOST}`],
      ['tlsMode-disabled', {}, null],
    ],
  );
  t.equal(build('{mode: DISABLE}').c.transportSocketMatches, undefined, 'DISABLE turns auto mTLS off');
  const external = build(null, spec('', '', 'MESH_EXTERNAL')).c;
  t.equal(external.transportSocketMatches, undefined, 'no auto mTLS to MESH_EXTERNAL services');
});
