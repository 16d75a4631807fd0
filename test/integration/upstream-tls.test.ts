import { existsSync } from 'node:fs';
import t from 'tap';
import { TestCertificateProvider } from '../helpers/cert-provider.js';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { hasOpenssl, issueLeaf, makeCa } from '../helpers/pki.js';
import {
  get,
  simpleBootstrap,
  startProxy,
  staticCluster,
  type Teardown,
  type TestProxy,
} from '../helpers/proxy.js';
import { startTlsUpstream, type TlsUpstream } from '../helpers/tls-upstream.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const TLS_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const SERVER_ID = 'spiffe://cluster.local/ns/default/sa/server';
const CLIENT_ID = 'spiffe://cluster.local/ns/default/sa/client';

/** `backend` on `port` with `tls` (YAML of an UpstreamTlsContext body, indented 8). */
function tlsCluster(port: number, tls: string): string {
  return `${staticCluster('backend', port)}    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": ${TLS_TYPE}
${tls}`;
}

const ISTIO_MUTUAL = (san: string): string => `        sni: outbound_.8080_._.server.default.svc.cluster.local
        common_tls_context:
          alpn_protocols: [istio-http/1.1, istio, http/1.1]
          tls_certificate_sds_secret_configs: [{ name: default }]
          combined_validation_context:
            default_validation_context:
              match_typed_subject_alt_names: [{ san_type: URI, matcher: { exact: "${san}" } }]
            validation_context_sds_secret_config: { name: ROOTCA }
`;

if (!hasOpenssl()) {
  t.pass('skipped: openssl is not installed');
} else {
  const ca = makeCa();
  const other = makeCa('other-root');
  const server = issueLeaf(ca, { uris: [SERVER_ID], dns: ['server.test'] });
  const client = issueLeaf(ca, { uris: [CLIENT_ID] });

  async function setup(
    t: Teardown,
    up: TlsUpstream,
    clusters: string,
    provider?: TestCertificateProvider,
  ): Promise<TestProxy> {
    const proxy = await startProxy(
      simpleBootstrap({ clusters }),
      {},
      provider ? { certificates: provider } : {},
    );
    t.teardown(async () => {
      await proxy.stop();
      await up.close();
    });
    return proxy;
  }

  t.test('SIMPLE: CA file, SNI, SAN check', async (t) => {
    const up = await startTlsUpstream('simple', server);
    const proxy = await setup(
      t,
      up,
      tlsCluster(
        up.port,
        `        sni: server.test
        common_tls_context:
          validation_context:
            trusted_ca: { filename: ${ca.certPath} }
            match_typed_subject_alt_names: [{ san_type: DNS, matcher: { exact: server.test } }]
`,
      ),
    );
    const res = await get(`${proxy.base}/a`);
    t.equal(res.status, 200);
    t.equal(res.body, 'simple /a');
    t.equal(up.handshakes[0]?.servername, 'server.test');
    t.equal(up.handshakes[0]?.clientSan, '', 'no client certificate presented');
  });

  t.test('SIMPLE against a server from another CA: 503 UF, nothing sent', async (t) => {
    const stranger = issueLeaf(other, { dns: ['server.test'] });
    const up = await startTlsUpstream('stranger', stranger);
    const proxy = await setup(
      t,
      up,
      tlsCluster(
        up.port,
        `        common_tls_context:
          validation_context: { trusted_ca: { filename: ${ca.certPath} } }
`,
      ),
    );
    const res = await get(`${proxy.base}/a`);
    t.equal(res.status, 503);
    t.match(
      res.body,
      /reset reason: connection failure, transport failure reason: TLS_error:.*CERTIFICATE_VERIFY_FAILED/,
    );
    t.same(up.requests, []);
  });

  t.test('ACCEPT_UNTRUSTED (insecureSkipVerify) talks to an untrusted server', async (t) => {
    const stranger = issueLeaf(other, { dns: ['elsewhere'] });
    const up = await startTlsUpstream('untrusted', stranger);
    const proxy = await setup(
      t,
      up,
      tlsCluster(
        up.port,
        `        common_tls_context:
          validation_context:
            trusted_ca: { filename: ${ca.certPath} }
            match_typed_subject_alt_names: [{ san_type: DNS, matcher: { exact: server.test } }]
            trust_chain_verification: ACCEPT_UNTRUSTED
`,
      ),
    );
    const res = await get(`${proxy.base}/x`);
    t.equal(res.status, 200);
    t.equal(res.body, 'untrusted /x');
  });

  t.test('MUTUAL: the upstream requires a client certificate from files', async (t) => {
    const up = await startTlsUpstream('mutual', server, { clientCa: ca.certPem });
    const proxy = await setup(
      t,
      up,
      tlsCluster(
        up.port,
        `        common_tls_context:
          tls_certificates:
          - certificate_chain: { filename: ${client.certPath} }
            private_key: { filename: ${client.keyPath} }
          validation_context: { trusted_ca: { filename: ${ca.certPath} } }
`,
      ),
    );
    const res = await get(`${proxy.base}/m`);
    t.equal(res.status, 200);
    t.match(up.handshakes[0]?.clientSan, CLIENT_ID);
  });

  t.test('ISTIO_MUTUAL with the workload certificate: right SAN → 200, wrong → 503 UF', async (t) => {
    const up = await startTlsUpstream('istio', server, {
      clientCa: ca.certPem,
      alpn: ['istio-http/1.1', 'istio', 'http/1.1'],
    });
    const provider = new TestCertificateProvider(client, CLIENT_ID);
    const wrong = `${tlsCluster(up.port, ISTIO_MUTUAL(SERVER_ID))}${tlsCluster(
      up.port,
      ISTIO_MUTUAL('spiffe://cluster.local/ns/default/sa/impostor'),
    ).replace(/backend/g, 'wrong')}`;
    const log = tempLogPath('upstream-tls');
    const proxy = await startProxy(
      simpleBootstrap({
        clusters: wrong,
        routes: `              - { match: { prefix: "/wrong" }, route: { cluster: wrong } }
              - { match: { prefix: "/" }, route: { cluster: backend } }`,
        hcmExtra: `          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}
              log_format: { text_format_source: { inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_TRANSPORT_FAILURE_REASON%\\n" } }`,
      }),
      {},
      { certificates: provider },
    );
    t.teardown(async () => {
      await proxy.stop();
      await up.close();
    });
    const ok = await get(`${proxy.base}/ok`);
    t.equal(ok.status, 200);
    t.equal(up.handshakes[0]?.servername, 'outbound_.8080_._.server.default.svc.cluster.local');
    t.equal(up.handshakes[0]?.alpn, 'istio-http/1.1');
    t.match(up.handshakes[0]?.clientSan, CLIENT_ID);
    const bad = await get(`${proxy.base}/wrong`);
    t.equal(bad.status, 503);
    t.match(bad.body, /CERTIFICATE_VERIFY_FAILED/);
    t.same(up.requests, ['/ok'], 'the impostor check fails before any request is written');
    await eventually(async () => existsSync(log) && (await readLogLines(log)).length >= 2, 'access log');
    const [okLine, badLine] = await readLogLines(log);
    t.equal(okLine, '/ok 200 - -');
    t.match(badLine, /^\/wrong 503 UF TLS_error:.*CERTIFICATE_VERIFY_FAILED/, 'flag UF and the TLS reason');
  });

  t.test('no workload certificate yet: 503 UF naming the missing secret', async (t) => {
    const up = await startTlsUpstream('istio', server, { clientCa: ca.certPem });
    const proxy = await setup(
      t,
      up,
      tlsCluster(up.port, ISTIO_MUTUAL(SERVER_ID)),
      new TestCertificateProvider(null),
    );
    const res = await get(`${proxy.base}/`);
    t.equal(res.status, 503);
    t.match(res.body, /Secret is not supplied by SDS/);
  });

  t.test('transport_socket_matches: TLS only for endpoints labelled tlsMode istio', async (t) => {
    const tlsUp = await startTlsUpstream('mesh', server, { clientCa: ca.certPem });
    const plain = await startUpstream('plain');
    const provider = new TestCertificateProvider(client, CLIENT_ID);
    const ep = (port: number, labels: string): string =>
      `        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${port} } } }
          metadata: { filter_metadata: { istio: { ${labels} } } }`;
    const tlsBody = ISTIO_MUTUAL(SERVER_ID).replace(/^ {8}/gm, '          ');
    const clusters = `  - name: backend
    type: STATIC
    connect_timeout: 1s
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
${ep(tlsUp.port, '"security.istio.io/tlsMode": istio, who: mesh')}
${ep(plain.port, 'who: plain')}
    transport_socket_matches:
    - name: tlsMode-istio
      match: { "security.istio.io/tlsMode": istio }
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": ${TLS_TYPE}
${tlsBody}    - name: tlsMode-disabled
      match: {}
      transport_socket: { name: envoy.transport_sockets.raw_buffer }
`;
    const proxy = await startProxy(simpleBootstrap({ clusters }), {}, { certificates: provider });
    t.teardown(async () => {
      await proxy.stop();
      await tlsUp.close();
      await plain.close();
    });
    const bodies = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await get(`${proxy.base}/r${i}`);
      t.equal(res.status, 200);
      bodies.add(res.body.split(' ')[0]!);
    }
    t.same([...bodies].sort(), ['mesh', 'plain']);
    t.equal(plain.requests.length, 2, 'plaintext endpoint got plaintext requests');
    t.equal(tlsUp.requests.length, 2);
  });

  t.test('a rotated workload certificate is used for new connections', async (t) => {
    const up = await startTlsUpstream('rot', server, { clientCa: ca.certPem, closeEach: true });
    const rotatedId = 'spiffe://cluster.local/ns/default/sa/rotated';
    const provider = new TestCertificateProvider(client, CLIENT_ID);
    const proxy = await setup(t, up, tlsCluster(up.port, ISTIO_MUTUAL(SERVER_ID)), provider);
    const first = await get(`${proxy.base}/1`);
    t.equal(first.status, 200);
    provider.rotate(issueLeaf(ca, { uris: [rotatedId] }), rotatedId);
    // The upstream closes every connection after its response, so this is a new handshake.
    const second = await get(`${proxy.base}/2`);
    t.equal(second.status, 200);
    t.match(up.handshakes[0]?.clientSan, CLIENT_ID);
    t.ok(
      up.handshakes.some((h) => h.clientSan.includes(rotatedId)),
      'a later handshake presented the rotated certificate',
    );
  });
}
