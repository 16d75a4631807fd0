import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { get, simpleBootstrap, startProxy, type Teardown } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { startUpstream } from '../helpers/upstream.js';

const CURL = ['/usr/bin/curl', '/usr/local/bin/curl', '/bin/curl'].find((p) => existsSync(p));

// Istio's PassthroughCluster without iptables: the destination is the request's authority.
const CLUSTERS = `  - name: passthrough
    type: ORIGINAL_DST
    lb_policy: CLUSTER_PROVIDED
    connect_timeout: 1s
    original_dst_lb_config: { use_http_header: true, http_header_name: ":authority" }
  - name: by_header
    type: ORIGINAL_DST
    lb_policy: CLUSTER_PROVIDED
    connect_timeout: 1s
    cleanup_interval: 60s
    original_dst_lb_config: { use_http_header: true }
`;

const ROUTES = `              - { match: { prefix: "/hdr" }, route: { cluster: by_header } }
              - { match: { prefix: "/" }, route: { cluster: passthrough } }`;

async function setup(t: Teardown) {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  const proxy = await startProxy(
    simpleBootstrap({
      clusters: CLUSTERS,
      routes: ROUTES,
      hcmExtra: '          http_protocol_options: { allow_absolute_url: true }',
    }),
  );
  t.teardown(async () => {
    await proxy.stop();
    await a.close();
    await b.close();
  });
  return { a, b, proxy };
}

t.test('ORIGINAL_DST by :authority reaches each destination with one host per address', async (t) => {
  const { a, b, proxy } = await setup(t);
  const hostA = `127.0.0.1:${a.port}`;
  const hostB = `127.0.0.1:${b.port}`;
  const r1 = await get(`${proxy.base}/one`, { headers: { host: hostA } });
  t.equal(r1.status, 200);
  t.equal(r1.body, 'a GET /one');
  const r2 = await get(`${proxy.base}/two`, { headers: { host: hostB } });
  t.equal(r2.body, 'b GET /two');
  const r3 = await get(`${proxy.base}/three`, { headers: { host: hostA } });
  t.equal(r3.body, 'a GET /three');
  t.equal(a.requests[0]!.headers.host, hostA, 'the Host header is forwarded as received');

  // Absolute form: the URL's authority is the destination, whatever the Host header says.
  const abs = await rawExchange(
    proxy.port,
    `GET http://${hostB}/abs?x=1 HTTP/1.1\r\nHost: ${hostA}\r\nConnection: close\r\n\r\n`,
    /b GET/,
  );
  t.match(abs, /^HTTP\/1.1 200/);
  t.match(abs, /b GET \/abs\?x=1/);
  t.equal(b.requests[1]!.headers.host, hostB);

  const clusters = (await get(`${proxy.adminBase}/clusters`)).body;
  t.match(clusters, `passthrough::${hostA}::rq_total::2`);
  t.match(clusters, `passthrough::${hostA}::cx_total::1`, 'the second request reused the pool');
  t.match(clusters, `passthrough::${hostB}::rq_total::2`);
  t.match(clusters, `passthrough::${hostB}::hostname::\n`);
  const json = JSON.parse((await get(`${proxy.adminBase}/clusters?format=json`)).body) as {
    cluster_statuses: Array<{ name: string; host_statuses?: unknown[] }>;
  };
  const pt = json.cluster_statuses.find((c) => c.name === 'passthrough');
  t.equal(pt?.host_statuses?.length, 2, '/clusters?format=json lists the dynamic hosts');
  const prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  t.match(prom, /envoy_cluster_membership_total\{envoy_cluster_name="passthrough"\} 2/);
  t.match(prom, /envoy_cluster_upstream_rq_total\{envoy_cluster_name="passthrough"\} 4/);
});

t.test('no destination: 503 no healthy upstream (UH)', async (t) => {
  const { a, proxy } = await setup(t);
  const bad = await get(`${proxy.base}/x`, { headers: { host: 'not_a valid host' } });
  t.equal(bad.status, 503);
  t.equal(bad.body, 'no healthy upstream');
  const missing = await get(`${proxy.base}/hdr`);
  t.equal(missing.status, 503, 'x-envoy-original-dst-host absent');
  t.equal(missing.body, 'no healthy upstream');
  const ok = await get(`${proxy.base}/hdr/y`, {
    headers: { 'x-envoy-original-dst-host': `127.0.0.1:${a.port}` },
  });
  t.equal(ok.status, 200);
  t.equal(ok.body, 'a GET /hdr/y');
  const prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  t.match(prom, /envoy_cluster_original_dst_host_invalid\{envoy_cluster_name="passthrough"\} 1/);
  t.match(prom, /envoy_cluster_upstream_cx_none_healthy\{envoy_cluster_name="passthrough"\} 1/);
  t.match(prom, /envoy_cluster_upstream_cx_none_healthy\{envoy_cluster_name="by_header"\} 1/);
  t.notMatch(prom, /envoy_cluster_original_dst_host_invalid\{envoy_cluster_name="by_header"\}/);
});

t.test(
  'curl -x through the passthrough cluster',
  { skip: CURL === undefined ? 'no curl' : false },
  async (t) => {
    const { b, proxy } = await setup(t);
    const body = await new Promise<string>((resolve, reject) => {
      execFile(
        CURL!,
        [
          '-sS',
          '--max-time',
          '10',
          '-x',
          `http://127.0.0.1:${proxy.port}`,
          `http://127.0.0.1:${b.port}/curl`,
        ],
        { timeout: 15_000 },
        (err, stdout) => (err === null ? resolve(stdout) : reject(err)),
      );
    });
    t.equal(body, 'b GET /curl');
  },
);
