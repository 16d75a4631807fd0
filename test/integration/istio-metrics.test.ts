/** Istio's standard metrics through real sidecars: labels from workloads, certificates and peer metadata. */
import { execFile } from 'node:child_process';
import t from 'tap';
import { ISTIO_LABELS } from '../../lib/stats/istio/istio-stats.js';
import { VERSION } from '../../lib/version.js';
import { TestCertificateProvider } from '../helpers/cert-provider.js';
import { hasOpenssl, issueLeaf, makeCa } from '../helpers/pki.js';
import { scrapeSamples } from '../helpers/prom-samples.js';
import { get } from '../helpers/proxy.js';
import { startSidecar, type TestSidecar } from '../helpers/sidecar.js';
import { tlsRequest } from '../helpers/tls-client.js';
import { startUpstream } from '../helpers/upstream.js';

const SERVER_ID = 'spiffe://cluster.local/ns/shop/sa/cart';
const CLIENT_ID = 'spiffe://cluster.local/ns/shop/sa/web';

const WEB = {
  name: 'web',
  namespace: 'shop',
  serviceAccount: 'web',
  labels: { app: 'web', version: 'v1' },
};
const CART = {
  name: 'cart',
  namespace: 'shop',
  serviceAccount: 'cart',
  labels: { app: 'cart', version: 'v2' },
};

function serviceEntry(host: string, port: number, extra = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${host.split('.')[0]}, namespace: shop}
spec:
  hosts: [${host}]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${port}}}]
${extra}`;
}

async function requestsTotal(
  sc: TestSidecar,
  match: Record<string, string>,
): Promise<Record<string, string>> {
  const all = await scrapeSamples(sc.adminBase, 'istio_requests_total');
  const found = all.find((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (found === undefined)
    throw new Error(`no istio_requests_total with ${JSON.stringify(match)} in ${JSON.stringify(all)}`);
  return found.labels;
}

t.test('outbound plaintext: source reporter with the full label set; 503 UF; exchange headers', async (t) => {
  const app = await startUpstream('orders');
  const sc = await startSidecar(
    `${serviceEntry('orders.shop.svc.cluster.local', app.port)}---\n${serviceEntry('down.shop.svc.cluster.local', 1)}`,
    { workload: WEB },
  );
  t.teardown(async () => {
    await sc.stop();
    await app.close();
  });
  const ok = await get(`http://127.0.0.1:${sc.outbound}/x`, { headers: { host: 'orders.shop:8080' } });
  t.equal(ok.status, 200);
  t.ok(app.requests[0]?.headers['x-envoy-peer-metadata'], 'the client sidecar sends its metadata');
  t.match(app.requests[0]?.headers['x-envoy-peer-metadata-id'], /^sidecar~/);
  const labels = await requestsTotal(sc, { response_code: '200' });
  t.same(Object.keys(labels), ISTIO_LABELS, 'labels in Istio order');
  t.same(labels, {
    reporter: 'source',
    source_workload: 'web',
    source_canonical_service: 'web',
    source_canonical_revision: 'v1',
    source_workload_namespace: 'shop',
    source_principal: 'unknown',
    source_app: 'web',
    source_version: 'v1',
    source_cluster: 'Kubernetes',
    destination_workload: 'unknown',
    destination_workload_namespace: 'unknown',
    destination_principal: 'unknown',
    destination_app: 'unknown',
    destination_version: 'unknown',
    destination_service: 'orders.shop.svc.cluster.local',
    destination_canonical_service: 'unknown',
    destination_canonical_revision: 'latest',
    destination_service_name: 'orders',
    destination_service_namespace: 'shop',
    destination_cluster: 'unknown',
    request_protocol: 'http',
    response_code: '200',
    grpc_response_status: '',
    response_flags: '-',
    connection_security_policy: 'unknown',
  });
  const durations = await scrapeSamples(sc.adminBase, 'istio_request_duration_milliseconds_count');
  t.equal(durations.find((s) => s.labels.response_code === '200')?.value, 1);
  const sizes = await scrapeSamples(sc.adminBase, 'istio_response_bytes_sum');
  t.ok((sizes.find((s) => s.labels.response_code === '200')?.value ?? 0) > ok.body.length, 'headers + body');
  t.same(
    (await scrapeSamples(sc.adminBase, 'istio_build')).map((s) => s.labels),
    [{ component: 'proxy', tag: VERSION }],
  );

  const down = await get(`http://127.0.0.1:${sc.outbound}/x`, { headers: { host: 'down.shop:8080' } });
  t.equal(down.status, 503);
  const uf = await requestsTotal(sc, { response_code: '503' });
  // Istio's default route retries connect failures twice, so Envoy reports `UF,URX` too.
  t.equal(uf.response_flags, 'UF,URX');
  t.equal(uf.destination_service_name, 'down');

  const grpc = await get(`http://127.0.0.1:${sc.outbound}/pkg.Svc/M`, {
    method: 'POST',
    headers: { host: 'down.shop:8080', 'content-type': 'application/grpc' },
    body: '',
  });
  t.equal(grpc.headers['grpc-status'], '14');
  const g = await requestsTotal(sc, { request_protocol: 'grpc' });
  t.equal(g.grpc_response_status, '14');
  t.equal(g.response_code, '200');
});

t.test('Envoy mode: no istio_* families', async (t) => {
  const app = await startUpstream('orders');
  const sc = await startSidecar(serviceEntry('orders.shop.svc.cluster.local', app.port), {
    workload: WEB,
    istioMetrics: false,
  });
  t.teardown(async () => {
    await sc.stop();
    await app.close();
  });
  await get(`http://127.0.0.1:${sc.outbound}/x`, { headers: { host: 'orders.shop' } });
  const text = await (await fetch(`${sc.adminBase}/stats/prometheus`)).text();
  t.notMatch(text, /istio_/);
  t.equal(app.requests[0]?.headers['x-envoy-peer-metadata'], undefined);
});

const skip = hasOpenssl() ? false : 'openssl CLI not installed';

t.test(
  'two sidecars over ISTIO_MUTUAL: principals, mutual_tls and exchanged metadata',
  { skip },
  async (t) => {
    const ca = makeCa();
    const server = new TestCertificateProvider(issueLeaf(ca, { uris: [SERVER_ID], name: 'cart' }), SERVER_ID);
    const client = new TestCertificateProvider(issueLeaf(ca, { uris: [CLIENT_ID], name: 'web' }), CLIENT_ID);
    const app = await startUpstream('cart');
    const dest = await startSidecar(
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: PERMISSIVE}}
`,
      { workload: CART, sidecar: { inboundPort: 0, appPort: app.port }, skiff: { certificates: server } },
    );
    const inbound = dest.inbound ?? -1;
    const src = await startSidecar(
      serviceEntry(
        'cart.shop.svc.cluster.local',
        inbound,
        `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart.shop.svc.cluster.local
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
`,
      ),
      { workload: WEB, skiff: { certificates: client } },
    );
    t.teardown(async () => {
      await src.stop();
      await dest.stop();
      await app.close();
    });

    const res = await get(`http://127.0.0.1:${src.outbound}/m`, { headers: { host: 'cart.shop:8080' } });
    t.equal(res.status, 200);
    t.equal(res.headers['x-envoy-peer-metadata'], undefined, 'hidden from the client app');
    t.equal(res.headers['x-envoy-peer-metadata-id'], undefined);
    t.equal(app.requests[0]?.headers['x-envoy-peer-metadata'], undefined, 'hidden from the server app');
    t.equal(app.requests[0]?.headers['x-envoy-peer-metadata-id'], undefined);

    const atDest = await requestsTotal(dest, { reporter: 'destination', response_code: '200' });
    t.match(atDest, {
      source_workload: 'web',
      source_workload_namespace: 'shop',
      source_principal: CLIENT_ID,
      source_app: 'web',
      source_version: 'v1',
      source_canonical_service: 'web',
      source_canonical_revision: 'v1',
      source_cluster: 'Kubernetes',
      destination_workload: 'cart',
      destination_workload_namespace: 'shop',
      destination_principal: SERVER_ID,
      destination_app: 'cart',
      destination_version: 'v2',
      destination_cluster: 'Kubernetes',
      connection_security_policy: 'mutual_tls',
      response_flags: '-',
    });
    const atSrc = await requestsTotal(src, { reporter: 'source', response_code: '200' });
    t.match(atSrc, {
      source_workload: 'web',
      source_principal: CLIENT_ID,
      destination_workload: 'cart',
      destination_workload_namespace: 'shop',
      destination_principal: SERVER_ID,
      destination_app: 'cart',
      destination_version: 'v2',
      destination_canonical_service: 'cart',
      destination_canonical_revision: 'v2',
      destination_service: 'cart.shop.svc.cluster.local',
      destination_service_name: 'cart',
      destination_service_namespace: 'shop',
      destination_cluster: 'Kubernetes',
      connection_security_policy: 'unknown',
    });

    t.test('a client certificate without peer metadata: SAN namespace only', async (t) => {
      const other = issueLeaf(ca, { uris: ['spiffe://cluster.local/ns/ops/sa/probe'], name: 'probe' });
      t.match((await tlsRequest(inbound, { cert: other }, '/direct')).bytes, /^HTTP\/1\.1 200/);
      const l = await requestsTotal(dest, { source_principal: 'spiffe://cluster.local/ns/ops/sa/probe' });
      t.match(l, {
        source_workload: 'unknown',
        source_workload_namespace: 'ops',
        connection_security_policy: 'mutual_tls',
      });
    });

    t.test('PERMISSIVE plaintext: none / unknown', async (t) => {
      const r = await get(`http://127.0.0.1:${inbound}/plain`, { headers: { host: 'cart' } });
      t.equal(r.status, 200);
      t.ok(
        r.headers['x-envoy-peer-metadata'] === undefined ||
          typeof r.headers['x-envoy-peer-metadata'] === 'string',
      );
      const l = await requestsTotal(dest, { connection_security_policy: 'none' });
      t.match(l, {
        source_principal: 'unknown',
        destination_principal: 'unknown',
        source_workload: 'unknown',
      });
    });

    t.test('promtool accepts the exposition', async (t) => {
      const text = await (await fetch(`${dest.adminBase}/stats/prometheus`)).text();
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile('promtool', ['check', 'metrics'], { timeout: 10_000 }, (err, stdout, stderr) =>
          resolve({
            code: err === null ? 0 : typeof err.code === 'number' ? err.code : null,
            out: stdout + stderr,
          }),
        ).stdin?.end(text);
      });
      if (r.code === null || r.code === 127) {
        t.pass('promtool not installed');
        return;
      }
      // promtool lints (help wording, counters without _total); only real parse errors fail here.
      const parseErrors = r.out.split('\n').filter((l) => /error while linting|parsing error/.test(l));
      t.same(parseErrors, [], 'no parse errors');
      t.notMatch(
        r.out,
        /^istio_(?!request_duration_milliseconds use base unit)/m,
        'no lint on istio_* but the unit Istio chose',
      );
    });
  },
);
