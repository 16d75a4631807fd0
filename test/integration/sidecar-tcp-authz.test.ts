/**
 * AuthorizationPolicy on a Sidecar ingress TCP port (captureMode NONE, STRICT mTLS): istiod's
 * network RBAC before the tcp_proxy, checked with real client certificates.
 */
import { connect } from 'node:tls';
import t, { type Test } from 'tap';
import { TestCertificateProvider } from '../helpers/cert-provider.js';
import { hasOpenssl, issueLeaf, makeCa, type TestCa, type TestCert } from '../helpers/pki.js';
import { startSidecar, tcpIngressYaml } from '../helpers/sidecar.js';
import { freePort } from '../helpers/skiff-process.js';
import { startEchoApp } from '../helpers/tcp.js';
import { eventually } from '../helpers/wait.js';

const SERVER_ID = 'spiffe://cluster.local/ns/shop/sa/cart';
const X = 'spiffe://cluster.local/ns/shop/sa/web';
const Y = 'spiffe://cluster.local/ns/shop/sa/intruder';
const CART = { name: 'cart', namespace: 'shop', serviceAccount: 'cart', labels: { app: 'cart' } };

/** mTLS to the port with `cert`, writes `send`, collects what comes back until close (bounded). */
function mtlsExchange(port: number, cert: TestCert, send: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s = connect({
      host: '127.0.0.1',
      port,
      cert: cert.certPem,
      key: cert.keyPem,
      ca: cert.caPem,
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => s.destroy(), 10_000);
    s.on('secureConnect', () => s.write(send));
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got === send) s.end();
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

async function sidecarWith(t: Test, ca: TestCa, policy: string) {
  const app = await startEchoApp();
  const port = await freePort();
  const server = new TestCertificateProvider(issueLeaf(ca, { uris: [SERVER_ID], name: 'cart' }), SERVER_ID);
  const sc = await startSidecar(
    `${tcpIngressYaml(port, 'tcp-db', app.port)}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: guard, namespace: shop}
spec:
${policy}`,
    { workload: CART, skiff: { certificates: server } },
  );
  t.teardown(async () => {
    await sc.stop();
    await app.close();
  });
  return { app, port, sc };
}

const skip = hasOpenssl() ? false : 'openssl CLI not installed';

t.test('ALLOW from principal X: X gets through, Y is closed unseen', { skip }, async (t) => {
  const ca = makeCa();
  const x = issueLeaf(ca, { uris: [X], name: 'web' });
  const y = issueLeaf(ca, { uris: [Y], name: 'intruder' });
  const { app, port, sc } = await sidecarWith(
    t,
    ca,
    '  action: ALLOW\n  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]}]\n',
  );
  t.equal(await mtlsExchange(port, x, 'hello'), 'hello');
  t.equal(app.connections(), 1);
  t.equal(await mtlsExchange(port, y, 'hello'), '', 'Y is closed');
  t.equal(app.connections(), 1, 'the app never saw Y');
  const m = await (await fetch(`${sc.adminBase}/stats/prometheus`)).text();
  // Istio's prefix `tcp.` gives `tcp.rbac.allowed`, which its `tcp_prefix` tag splits as Envoy does.
  t.match(m, /envoy_tcp_allowed\{tcp_prefix="rbac"\} 1/);
  t.match(m, /envoy_tcp_denied\{tcp_prefix="rbac"\} 1/);
  const text = await (await fetch(`${sc.adminBase}/stats?filter=rbac`)).text();
  t.match(text, /^tcp\.rbac\.denied: 1$/m, "/stats shows Envoy's own name");
  // As with Istio (its stats filter sits after RBAC), the denied connection is still reported.
  await eventually(async () => {
    const text = await (await fetch(`${sc.adminBase}/stats/prometheus`)).text();
    return text
      .split('\n')
      .some(
        (l) =>
          l.startsWith('istio_tcp_connections_closed_total{') &&
          l.includes(`source_principal="${Y}"`) &&
          l.includes('connection_security_policy="mutual_tls"') &&
          l.endsWith(' 1'),
      );
  }, 'the denied connection in istio_tcp_connections_closed_total');
});

t.test(
  'HTTP-only fields on TCP: DENY with methods denies all, ALLOW with only paths allows none',
  { skip },
  async (t) => {
    const ca = makeCa();
    const x = issueLeaf(ca, { uris: [X], name: 'web' });
    for (const policy of [
      '  action: DENY\n  rules: [{to: [{operation: {methods: [GET]}}]}]\n',
      '  action: ALLOW\n  rules: [{to: [{operation: {paths: [/public]}}]}]\n',
    ]) {
      const { app, port } = await sidecarWith(t, ca, policy);
      t.equal(await mtlsExchange(port, x, 'hello'), '', policy);
      t.equal(app.connections(), 0);
    }
  },
);
