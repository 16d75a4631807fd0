/** Sidecar-mode access logs through a running sidecar: Istio's TEXT and JSON lines, mTLS peer SAN, 503 UF. */
import { existsSync } from 'node:fs';
import t from 'tap';
import { ISTIO_JSON_FORMAT, ISTIO_TEXT_FORMAT } from '../../lib/accesslog/istio-formats.js';
import type { AccessLogConfig } from '../../lib/config/model.js';
import { TestCertificateProvider } from '../helpers/cert-provider.js';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { hasOpenssl, issueLeaf, makeCa } from '../helpers/pki.js';
import { get } from '../helpers/proxy.js';
import { startSidecar } from '../helpers/sidecar.js';
import { freePort } from '../helpers/skiff-process.js';
import { tlsRequest } from '../helpers/tls-client.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

function registry(name: string, port: number): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${name}, namespace: shop}
spec:
  hosts: [${name}.shop.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${port}}}]
`;
}

function log(path: string, format: Partial<AccessLogConfig>): AccessLogConfig {
  return { name: 'envoy.access_loggers.file', path, textFormat: null, jsonFormat: null, ...format };
}

async function lines(path: string, n: number): Promise<string[]> {
  await eventually(async () => existsSync(path) && (await readLogLines(path)).length >= n, `${n} log lines`);
  return readLogLines(path);
}

t.test("Istio's TEXT format: a served request and a 503 UF", async (t) => {
  const up = await startUpstream('orders');
  const dead = await freePort(); // nothing listens here: connect fails
  const path = tempLogPath('istio-text');
  const sc = await startSidecar(`${registry('orders', up.port)}---\n${registry('gone', dead)}`, {
    workload: { namespace: 'shop' },
    sidecar: { accessLog: log(path, { textFormat: ISTIO_TEXT_FORMAT }) },
  });
  t.teardown(async () => {
    await sc.stop();
    await up.close();
  });
  const ok = await get(`http://127.0.0.1:${sc.outbound}/items?x=1`, {
    headers: { host: 'orders:8080', 'user-agent': 'skiff-test', 'x-request-id': 'req-1' },
  });
  t.equal(ok.status, 200);
  const bad = await get(`http://127.0.0.1:${sc.outbound}/`, { headers: { host: 'gone:8080' } });
  t.equal(bad.status, 503);
  const [served, failed] = await lines(path, 2);
  // %UPSTREAM_LOCAL_ADDRESS% is our end of the upstream connection.
  t.match(
    served,
    new RegExp(
      String.raw`^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "GET /items\?x=1 HTTP/1\.1" 200 - via_upstream - "-" 0 \d+ \d+ \d+ "-" "skiff-test" "req-1" "orders:8080" "127\.0\.0\.1:${up.port}" outbound\|8080\|\|orders\.shop\.svc\.cluster\.local 127\.0\.0\.1:\d+ 127\.0\.0\.1:${sc.outbound} 127\.0\.0\.1:\d+ - \S+$`,
    ),
  );
  t.match(
    failed,
    new RegExp(
      String.raw`^\[[^\]]+\] "GET / HTTP/1\.1" 503 UF(,URX)? upstream_reset_before_response_started\{[^}]*connection_failure[^}]*\} - "[^"]+" 0 \d+ \d+ - "-" "[^"]*" "[^"]+" "gone:8080" "127\.0\.0\.1:${dead}" outbound\|8080\|\|gone\.shop\.svc\.cluster\.local `,
    ),
  );
});

t.test("Istio's JSON format: one typed object per line", async (t) => {
  const up = await startUpstream('orders');
  const path = tempLogPath('istio-json');
  const sc = await startSidecar(registry('orders', up.port), {
    workload: { namespace: 'shop' },
    sidecar: { accessLog: log(path, { jsonFormat: ISTIO_JSON_FORMAT }) },
  });
  t.teardown(async () => {
    await sc.stop();
    await up.close();
  });
  t.equal((await get(`http://127.0.0.1:${sc.outbound}/j`, { headers: { host: 'orders' } })).status, 200);
  const [line] = await lines(path, 1);
  const rec = JSON.parse(line ?? '{}');
  t.same(Object.keys(rec), Object.keys(ISTIO_JSON_FORMAT));
  t.match(rec, {
    method: 'GET',
    path: '/j',
    protocol: 'HTTP/1.1',
    response_code: 200,
    response_flags: '-',
    response_code_details: 'via_upstream',
    authority: 'orders',
    upstream_host: `127.0.0.1:${up.port}`,
    upstream_cluster: 'outbound|8080||orders.shop.svc.cluster.local',
    x_forwarded_for: null,
    requested_server_name: null,
  });
  t.type(rec.duration, 'number');
  t.type(rec.bytes_sent, 'number');
  t.type(rec.upstream_service_time, 'string', 'a header value stays a string');
});

const CART = 'spiffe://cluster.local/ns/shop/sa/cart';
const WEB = 'spiffe://cluster.local/ns/shop/sa/web';

t.test(
  'inbound mTLS: the peer SAN in a custom JSON format',
  { skip: hasOpenssl() ? false : 'no openssl' },
  async (t) => {
    const ca = makeCa();
    const provider = new TestCertificateProvider(issueLeaf(ca, { uris: [CART], name: 'cart' }), CART);
    const app = await startUpstream('cart');
    const path = tempLogPath('mtls');
    const sc = await startSidecar(
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec: {mtls: {mode: STRICT}}\n',
      {
        workload: { namespace: 'shop', serviceAccount: 'cart' },
        sidecar: {
          inboundPort: 0,
          appPort: app.port,
          accessLog: log(path, {
            jsonFormat: {
              peer: '%DOWNSTREAM_PEER_URI_SAN%',
              local: '%DOWNSTREAM_LOCAL_URI_SAN%',
              tls: '%DOWNSTREAM_TLS_VERSION%',
              code: '%RESPONSE_CODE%',
              cluster: '%UPSTREAM_CLUSTER%',
            },
          }),
        },
        skiff: { certificates: provider },
      },
    );
    t.teardown(async () => {
      await sc.stop();
      await app.close();
    });
    const r = await tlsRequest(sc.inbound ?? -1, { cert: issueLeaf(ca, { uris: [WEB], name: 'web' }) }, '/m');
    t.match(r.bytes, /^HTTP\/1\.1 200/);
    const [line] = await lines(path, 1);
    t.match(JSON.parse(line ?? '{}'), {
      peer: WEB,
      local: CART,
      tls: /^TLSv1\.[23]$/,
      code: 200,
      cluster: /^inbound\|\d+\|\|$/,
    });
  },
);
