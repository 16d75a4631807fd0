/** Sidecar mode inbound mTLS: PeerAuthentication STRICT / PERMISSIVE with a workload certificate. */
import t from 'tap';
import { TestCertificateProvider } from '../helpers/cert-provider.js';
import { hasOpenssl, issueLeaf, makeCa } from '../helpers/pki.js';
import { startSidecar } from '../helpers/sidecar.js';
import { rawTcp, tlsRequest } from '../helpers/tls-client.js';
import { startUpstream } from '../helpers/upstream.js';

const SERVER_ID = 'spiffe://cluster.local/ns/shop/sa/cart';
const CLIENT_ID = 'spiffe://cluster.local/ns/shop/sa/web';

function peerAuth(mode: string): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: ${mode}}}
`;
}

const skip = hasOpenssl() ? false : 'openssl CLI not installed';

t.test('STRICT and PERMISSIVE inbound in sidecar mode', { skip }, async (t) => {
  const ca = makeCa();
  const other = makeCa('other');
  const provider = new TestCertificateProvider(issueLeaf(ca, { uris: [SERVER_ID], name: 'cart' }), SERVER_ID);
  const client = issueLeaf(ca, { uris: [CLIENT_ID], name: 'web' });
  const foreign = issueLeaf(other, { uris: [CLIENT_ID], name: 'foreign' });
  const app = await startUpstream('cart');
  t.teardown(() => app.close());
  const start = (mode: string) =>
    startSidecar(peerAuth(mode), {
      workload: { namespace: 'shop', serviceAccount: 'cart' },
      sidecar: { inboundPort: 0, appPort: app.port },
      skiff: { certificates: provider },
    });

  t.test('STRICT: mTLS served with Istio XFCC; plaintext and foreign certificates refused', async (t) => {
    const sc = await start('STRICT');
    t.teardown(() => sc.stop());
    const port = sc.inbound ?? -1;
    const ok = await tlsRequest(
      port,
      { cert: client, alpn: ['istio-http/1.1', 'istio', 'h2', 'http/1.1'] },
      '/x',
    );
    t.match(ok.bytes, /^HTTP\/1\.1 200/);
    const xfcc = String(app.requests.at(-1)?.headers['x-forwarded-client-cert']);
    t.match(
      xfcc,
      new RegExp(`^By=${SERVER_ID};Hash=[0-9a-f]{64};Subject="O=cluster.local";URI=${CLIENT_ID}`),
    );
    t.equal((await rawTcp(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n')).bytes, '', 'plaintext refused');
    t.equal((await tlsRequest(port, {})).bytes, '', 'no certificate refused');
    t.equal((await tlsRequest(port, { cert: foreign })).bytes, '', 'other CA refused');
    const caLeaf = issueLeaf(ca, { uris: [CLIENT_ID], name: 'ca-leaf', ca: true });
    t.equal((await tlsRequest(port, { cert: caLeaf })).bytes, '', 'a CA:TRUE certificate is not an SVID');
    const twoIds = issueLeaf(ca, {
      uris: [CLIENT_ID, 'spiffe://cluster.local/ns/shop/sa/admin'],
      name: 'two',
    });
    t.equal(
      (await tlsRequest(port, { cert: twoIds })).bytes,
      '',
      'two identities in one certificate refused',
    );
    const noId = issueLeaf(ca, { dns: ['web.shop'], name: 'dns-only' });
    t.equal((await tlsRequest(port, { cert: noId })).bytes, '', 'no SPIFFE ID refused');
  });

  t.test('PERMISSIVE: plaintext and mTLS on the inbound port', async (t) => {
    const sc = await start('PERMISSIVE');
    t.teardown(() => sc.stop());
    const port = sc.inbound ?? -1;
    t.match(
      (await rawTcp(port, 'GET /p HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')).bytes,
      /^HTTP\/1\.1 200/,
    );
    t.match((await tlsRequest(port, { cert: client }, '/m')).bytes, /^HTTP\/1\.1 200/);
  });

  t.test('portLevelMtls: each port takes only the transports its mode allows', async (t) => {
    const metrics = await startUpstream('metrics');
    t.teardown(() => metrics.close());
    const sidecarRes = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: cart, namespace: shop}
spec:
  ingress:
    - {port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: "127.0.0.1:${app.port}"}
    - {port: {number: 9090, protocol: HTTP, name: http-metrics}, defaultEndpoint: "127.0.0.1:${metrics.port}"}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
  portLevelMtls: {9090: {mode: PERMISSIVE}}
`;
    const sc = await startSidecar(sidecarRes, {
      workload: { namespace: 'shop', serviceAccount: 'cart', labels: { app: 'cart' } },
      sidecar: { inboundPort: 0 },
      skiff: { certificates: provider },
    });
    t.teardown(() => sc.stop());
    const port = sc.inbound ?? -1;
    const plain = (host: string) =>
      rawTcp(port, `GET /p HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);
    const before = app.requests.length;
    t.match((await plain('cart:9090')).bytes, /^HTTP\/1\.1 200/, 'plaintext reaches the PERMISSIVE port');
    t.equal(metrics.requests.length, 1);
    t.match(
      (await plain('cart:9080')).bytes,
      /^HTTP\/1\.1 404/,
      'plaintext finds no route to the STRICT port',
    );
    t.match((await plain('cart')).bytes, /^HTTP\/1\.1 404/, "nor through the first port's catch-all");
    t.equal(app.requests.length, before, 'the STRICT port got nothing in plaintext');
    t.match((await tlsRequest(port, { cert: client, host: 'cart:9080' }, '/m')).bytes, /^HTTP\/1\.1 200/);
    t.match((await tlsRequest(port, { cert: client, host: 'cart:9090' }, '/m')).bytes, /^HTTP\/1\.1 200/);
    t.equal(app.requests.length, before + 1, 'mTLS reaches the STRICT port');
    t.notMatch(sc.loaded.warnings.map((w) => w.message).join('\n'), /different mTLS modes/);
  });

  t.test('STRICT without a workload certificate fails at start with the fix', async (t) => {
    await t.rejects(
      startSidecar(peerAuth('STRICT'), {
        workload: { namespace: 'shop' },
        sidecar: { inboundPort: 0, appPort: app.port },
      }),
      /requires mTLS with the workload certificate, but none is configured: start Skiff with --cert-dir/,
    );
  });
});
