/**
 * Two `skiff run` sidecars talking ISTIO_MUTUAL end to end, one CA from `skiff pki init`:
 * web (sidecar A, outbound) → cart (sidecar B, inbound, STRICT + AuthorizationPolicy) → the app.
 */
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { meshCa, meshIssue, startMeshSidecar } from '../helpers/mesh.js';
import { hasOpenssl } from '../helpers/pki.js';
import { get } from '../helpers/proxy.js';
import { rawTcp, runClient, tlsRequest } from '../helpers/tls-client.js';
import { startUpstream } from '../helpers/upstream.js';

const WEB = 'spiffe://cluster.local/ns/shop/sa/web';
const CART = 'spiffe://cluster.local/ns/shop/sa/cart';

/** A's view of cart: one WorkloadEntry on B's inbound port; `tlsMode` label = auto mTLS. */
function clientConfig(cartPort: number, o: { autoMtls: boolean; destinationRule: boolean }): string {
  const labels = o.autoMtls ? '{app: cart, security.istio.io/tlsMode: istio}' : '{app: cart}';
  const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
`;
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart.shop.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {app: cart}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: cart-1, namespace: shop}
spec:
  address: 127.0.0.1
  ports: {http: ${cartPort}}
  labels: ${labels}
  serviceAccount: cart
${o.destinationRule ? dr : ''}`;
}

/** B: STRICT, and only web may call /api/*. */
const SERVER_CONFIG = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-from-web, namespace: shop}
spec:
  action: ALLOW
  rules:
  - from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]
    to: [{operation: {paths: ["/api/*"]}}]
`;

const hasCurl = spawnSync('curl', ['--version']).status === 0;

t.test('two sidecars, one mesh CA', async (t) => {
  const caDir = await meshCa();
  const app = await startUpstream('cart-app');
  t.teardown(() => app.close());
  const server = (serviceAccount: string) =>
    startMeshSidecar({
      caDir,
      namespace: 'shop',
      serviceAccount,
      yaml: SERVER_CONFIG,
      inbound: true,
      appPort: app.port,
    });
  const client = (cartPort: number, o: { autoMtls: boolean; destinationRule: boolean }) =>
    startMeshSidecar({
      caDir,
      namespace: 'shop',
      serviceAccount: 'web',
      yaml: clientConfig(cartPort, o),
      outbound: true,
    });
  const b = await server('cart');
  t.teardown(() => b.stop());
  const bPort = b.inbound!;

  const variants = [
    { name: 'auto mTLS (tlsMode label)', autoMtls: true, destinationRule: false },
    { name: 'DestinationRule ISTIO_MUTUAL', autoMtls: false, destinationRule: true },
  ];
  for (const v of variants) {
    t.test(`${v.name}: identities checked on both sides`, async (t) => {
      const a = await client(bPort, v);
      t.teardown(() => a.stop());
      const base = `http://127.0.0.1:${a.outbound}`;
      const before = app.requests.length;
      const ok = await get(`${base}/api/items`, { headers: { host: 'cart' } });
      t.equal(ok.status, 200, ok.body);
      t.equal(ok.body, 'cart-app GET /api/items');
      t.equal(app.requests.length, before + 1);
      const xfcc = String(app.requests.at(-1)?.headers['x-forwarded-client-cert']);
      t.match(xfcc, new RegExp(`^By=${CART};Hash=[0-9a-f]{64};Subject="O=cluster.local";URI=${WEB}$`));
      // Absolute form, as an app with HTTP_PROXY=A sends it.
      const proxied = await rawTcp(
        a.outbound!,
        'GET http://cart/api/absolute HTTP/1.1\r\nhost: cart\r\nconnection: close\r\n\r\n',
      );
      t.match(proxied.bytes, /^HTTP\/1\.1 200/);
      t.equal(app.requests.at(-1)?.url, '/api/absolute');

      const denied = await get(`${base}/admin`, { headers: { host: 'cart' } });
      t.equal(denied.status, 403);
      t.equal(denied.body, 'RBAC: access denied');
      t.equal(app.requests.length, before + 2, 'the denied request never reached the app');
    });
  }

  t.test('plaintext straight to B is refused (STRICT)', async (t) => {
    const before = app.requests.length;
    t.equal((await rawTcp(bPort, 'GET /api/x HTTP/1.1\r\nhost: cart\r\n\r\n')).bytes, '');
    t.equal(app.requests.length, before);
  });

  t.test('B presents another identity: A answers 503 UF, the app sees nothing', async (t) => {
    const impostor = await server('other');
    t.teardown(() => impostor.stop());
    const a = await client(impostor.inbound!, { autoMtls: true, destinationRule: false });
    t.teardown(() => a.stop());
    const before = app.requests.length;
    const r = await get(`http://127.0.0.1:${a.outbound}/api/items`, { headers: { host: 'cart' } });
    t.equal(r.status, 503);
    t.match(
      r.body,
      /^upstream connect error or disconnect\/reset before headers\. reset reason: connection failure, transport failure reason: TLS_error:.*CERTIFICATE_VERIFY_FAILED/,
    );
    t.equal(app.requests.length, before, 'the app got nothing');
    // UF: the connect (TLS handshake) failed, after Istio's default retries on connect-failure.
    const stats = (await get(`${a.adminBase}/stats`)).body;
    const cluster = 'cluster.outbound|80||cart.shop.svc.cluster.local';
    t.match(stats, `${cluster}.upstream_cx_connect_fail: 3\n`);
    t.match(stats, `${cluster}.upstream_rq_503: 1\n`);
  });

  t.test('curl and openssl s_client with certificates from skiff pki issue', async (t) => {
    const web = await meshIssue(caDir, WEB);
    const intruder = await meshIssue(caDir, 'spiffe://cluster.local/ns/shop/sa/intruder');
    const direct = await tlsRequest(
      bPort,
      { cert: web, ca: web.caPem, alpn: ['istio-http/1.1'] },
      '/api/direct',
    );
    t.match(direct.bytes, /^HTTP\/1\.1 200/);
    t.equal(direct.alpn, 'istio-http/1.1');
    const other = await tlsRequest(bPort, { cert: intruder, ca: intruder.caPem }, '/api/direct');
    t.match(other.bytes, /^HTTP\/1\.1 403/, 'a principal the policy does not name');

    t.test('curl', { skip: hasCurl ? false : 'curl not installed' }, async (t) => {
      const curl = (cert: typeof web, path: string) =>
        runClient('curl', [
          '-sS',
          '--max-time',
          '5',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '--cert',
          cert.certPath,
          '--key',
          cert.keyPath,
          '--cacert',
          cert.caPath,
          // The SVID carries a URI SAN only: curl cannot check a host name against it.
          '--insecure',
          `https://127.0.0.1:${bPort}${path}`,
        ]);
      const ok = await curl(web, '/api/curl');
      t.equal(ok.stdout, '200', ok.stderr);
      t.equal((await curl(web, '/admin')).stdout, '403');
      t.equal((await curl(intruder, '/api/curl')).stdout, '403');
    });

    t.test(
      'openssl s_client with ALPN istio-http/1.1',
      { skip: hasOpenssl() ? false : 'openssl not installed' },
      async (t) => {
        const r = await runClient(
          'openssl',
          [
            's_client',
            '-connect',
            `127.0.0.1:${bPort}`,
            '-cert',
            web.certPath,
            '-key',
            web.keyPath,
            '-CAfile',
            web.caPath,
            '-alpn',
            'istio-http/1.1',
            '-verify_return_error',
            '-ign_eof',
          ],
          'GET /api/openssl HTTP/1.1\r\nhost: cart\r\nconnection: close\r\n\r\n',
        );
        t.match(r.stdout, /ALPN protocol: istio-http\/1\.1/);
        t.match(r.stdout, /Verify return code: 0 \(ok\)/);
        t.match(r.stdout, /HTTP\/1\.1 200/);
      },
    );
  });
});
