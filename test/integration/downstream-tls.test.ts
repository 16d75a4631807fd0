import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import t from 'tap';
import { hasOpenssl, issueLeaf, makeCa, type TestCert } from '../helpers/pki.js';
import { startProxy, staticCluster } from '../helpers/proxy.js';
import { rawTcp, runClient, tlsRequest } from '../helpers/tls-client.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const SERVER_ID = 'spiffe://cluster.local/ns/default/sa/server';
const CLIENT_ID = 'spiffe://cluster.local/ns/default/sa/client';

function hcm(extra = ''): string {
  return `      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: tls
          forward_client_cert_details: SANITIZE_SET
          set_current_client_cert_details: { subject: true, uri: true }
${extra}
          route_config:
            virtual_hosts:
            - { name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: backend } }] }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }`;
}

function tlsChain(dir: string, ca: string): string {
  return `    - filter_chain_match: { transport_protocol: tls }
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            alpn_protocols: [h2, http/1.1]
            tls_certificates:
            - certificate_chain: { filename: ${join(dir, 'cert.pem')} }
              private_key: { filename: ${join(dir, 'key.pem')} }
            validation_context:
              trusted_ca: { filename: ${ca} }
              match_typed_subject_alt_names:
              - { san_type: URI, matcher: { prefix: "spiffe://cluster.local/ns/default/" } }
${hcm()}`;
}

function bootstrap(dir: string, ca: string, upstream: number, permissive: boolean): string {
  return `
static_resources:
  listeners:
  - name: tls
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    listener_filters: [{ name: envoy.filters.listener.tls_inspector }]
    listener_filters_timeout: 0.3s
    filter_chains:
${tlsChain(dir, ca)}
${permissive ? `    - filter_chain_match: { transport_protocol: raw_buffer }\n${hcm()}` : ''}
  clusters:
${staticCluster('backend', upstream)}`;
}

function placeServerCert(dir: string, leaf: TestCert): void {
  // Rename into place, as kubelet and cert-manager do, so readers never see half a file.
  copyFileSync(leaf.certPath, join(dir, 'cert.tmp'));
  copyFileSync(leaf.keyPath, join(dir, 'key.tmp'));
  renameSync(join(dir, 'key.tmp'), join(dir, 'key.pem'));
  renameSync(join(dir, 'cert.tmp'), join(dir, 'cert.pem'));
}

const skip = hasOpenssl() ? false : 'openssl CLI not installed';

t.test('Envoy DownstreamTlsContext from files: STRICT-style listener', { skip }, async (t) => {
  const ca = makeCa();
  const other = makeCa('other-root');
  const server = issueLeaf(ca, { uris: [SERVER_ID], name: 'server' });
  const client = issueLeaf(ca, { uris: [CLIENT_ID], name: 'client' });
  const dir = mkdtempSync(join(tmpdir(), 'skiff-dtls-'));
  placeServerCert(dir, server);
  const up = await startUpstream('app');
  const proxy = await startProxy(bootstrap(dir, ca.certPath, up.port, false));
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });

  t.test('a client with a mesh certificate is served and the app sees XFCC', async (t) => {
    const r = await tlsRequest(
      proxy.port,
      { cert: client, ca: ca.certPem },
      '/hello',
      'x-forwarded-client-cert: forged\r\n',
    );
    t.match(r.bytes, /^HTTP\/1\.1 200/);
    t.equal(r.alpn, 'http/1.1');
    const seen = up.requests.at(-1);
    const hash = createHash('sha256').update(new X509Certificate(client.certPem).raw).digest('hex');
    t.equal(
      seen?.headers['x-forwarded-client-cert'],
      `By=${SERVER_ID};Hash=${hash};Subject="O=cluster.local";URI=${CLIENT_ID}`,
    );
    t.equal(seen?.headers['x-forwarded-proto'], 'https');
  });

  t.test('Istio ALPN values are accepted; h2 is never agreed (HTTP/1.1 only)', async (t) => {
    const r = await tlsRequest(proxy.port, { cert: client, alpn: ['istio-http/1.1', 'istio'] });
    t.match(r.bytes, /^HTTP\/1\.1 200/);
    t.equal(r.alpn, 'istio-http/1.1');
    const h2 = await tlsRequest(proxy.port, { cert: client, alpn: ['h2', 'http/1.1'] });
    t.equal(h2.alpn, 'http/1.1');
  });

  const refused: [string, TestCert | undefined][] = [
    ['no client certificate', undefined],
    ['a certificate from another CA', issueLeaf(other, { uris: [CLIENT_ID], name: 'foreign' })],
    [
      'an expired certificate',
      issueLeaf(ca, { uris: [CLIENT_ID], fromDays: -3, toDays: -1, name: 'expired' }),
    ],
    [
      'a not-yet-valid certificate',
      issueLeaf(ca, { uris: [CLIENT_ID], fromDays: 1, toDays: 3, name: 'future' }),
    ],
    [
      'a certificate whose SAN is not allowed',
      issueLeaf(ca, { uris: ['spiffe://cluster.local/ns/prod/sa/x'], name: 'wrongsan' }),
    ],
  ];
  for (const [what, cert] of refused) {
    t.test(`${what}: TLS 1.3 gets no HTTP bytes and a closed connection`, async (t) => {
      const r = await tlsRequest(proxy.port, cert === undefined ? {} : { cert });
      t.equal(r.bytes, '', 'no application bytes');
      t.notMatch(r.bytes, /HTTP/);
    });
  }

  t.test('TLS 1.2 without a certificate fails the handshake itself', async (t) => {
    const r = await tlsRequest(proxy.port, { maxVersion: 'TLSv1.2' });
    t.equal(r.handshake, false);
    t.equal(r.bytes, '');
  });

  t.test('TLS 1.1 is refused (TLS 1.2 minimum)', async (t) => {
    const r = await tlsRequest(proxy.port, { cert: client, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
    t.equal(r.handshake, false);
  });

  t.test('plaintext has no chain: closed with no bytes', async (t) => {
    const r = await rawTcp(proxy.port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    t.equal(r.bytes, '');
  });

  t.test('curl --cert is served', { skip: hasCurl() ? false : 'curl not installed' }, async (t) => {
    const r = await runClient('curl', [
      '-sS',
      '--insecure',
      '--cert',
      client.certPath,
      '--key',
      client.keyPath,
      `https://127.0.0.1:${proxy.port}/curl`,
    ]);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, /app GET \/curl/);
  });

  t.test('openssl s_client with ALPN istio is served', async (t) => {
    const r = await runClient(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${proxy.port}`,
        '-cert',
        client.certPath,
        '-key',
        client.keyPath,
        '-alpn',
        'istio',
        '-quiet',
      ],
      'GET /ossl HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    t.match(r.stdout, /HTTP\/1\.1 200/);
    t.match(r.stdout, /app GET \/ossl/);
  });

  t.test('rotation: new handshakes get the new certificate, an open connection keeps working', async (t) => {
    const first = new X509Certificate(server.certPem).serialNumber;
    // A keep-alive connection opened before the rotation.
    const sock = connect({
      host: '127.0.0.1',
      port: proxy.port,
      rejectUnauthorized: false,
      cert: client.certPem,
      key: client.keyPem,
    });
    t.teardown(() => sock.destroy());
    let got = '';
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
    });
    await new Promise<void>((resolve) => sock.once('secureConnect', () => resolve()));
    t.equal(sock.getPeerCertificate().serialNumber, first);
    sock.write('GET /one HTTP/1.1\r\nhost: x\r\n\r\n');
    await eventually(() => /app GET \/one/.test(got), 'the first response', 5000);
    const next = issueLeaf(ca, { uris: [SERVER_ID], name: 'server2' });
    placeServerCert(dir, next);
    const want = new X509Certificate(next.certPem).serialNumber;
    await eventually(
      async () => (await tlsRequest(proxy.port, { cert: client })).serverSerial === want,
      'a handshake with the rotated certificate',
    );
    sock.write('GET /two HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await eventually(() => /app GET \/two/.test(got), 'the response after rotation', 5000);
    t.pass('the old connection served a request after the rotation');
  });
});

t.test('PERMISSIVE: plaintext and mTLS on one port; silence and garbage are closed', { skip }, async (t) => {
  const ca = makeCa();
  const server = issueLeaf(ca, { uris: [SERVER_ID], name: 'server' });
  const client = issueLeaf(ca, { uris: [CLIENT_ID], name: 'client' });
  const dir = mkdtempSync(join(tmpdir(), 'skiff-dtls-'));
  placeServerCert(dir, server);
  const up = await startUpstream('app');
  const proxy = await startProxy(bootstrap(dir, ca.certPath, up.port, true));
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const plain = await rawTcp(
    proxy.port,
    'GET /plain HTTP/1.1\r\nhost: x\r\nx-forwarded-client-cert: forged\r\nconnection: close\r\n\r\n',
  );
  t.match(plain.bytes, /^HTTP\/1\.1 200/);
  t.equal(up.requests.at(-1)?.headers['x-forwarded-client-cert'], undefined, 'plaintext: XFCC removed');
  t.equal(up.requests.at(-1)?.headers['x-forwarded-proto'], 'http');
  const mtls = await tlsRequest(proxy.port, { cert: client }, '/mtls');
  t.match(mtls.bytes, /^HTTP\/1\.1 200/);
  t.match(
    String(up.requests.at(-1)?.headers['x-forwarded-client-cert']),
    /URI=spiffe:\/\/cluster\.local\/ns\/default\/sa\/client/,
  );
  const silence = await rawTcp(proxy.port, null, 5000);
  t.ok(silence.closed, 'silence is closed after listener_filters_timeout');
  t.equal(silence.bytes, '');
  const partial = await rawTcp(proxy.port, '\x16', 5000);
  t.ok(partial.closed, 'half a TLS record header is closed after the timeout');
  const junk = await rawTcp(proxy.port, '\x16\x03\x01\x00\x05hello', 5000);
  t.ok(junk.closed, 'a broken ClientHello is closed');
  t.notMatch(junk.bytes, /HTTP/, 'at most a TLS alert, never HTTP');
});

function hasCurl(): boolean {
  return spawnSync('curl', ['--version'], { encoding: 'utf8' }).status === 0;
}
