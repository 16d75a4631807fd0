/**
 * Envoy stats in Prometheus form through running proxies in both modes: names per mode, the
 * admin `/stats` formats, and `promtool check metrics` (skipped when promtool is missing).
 */
import t from 'tap';
import { checkWithPromtool } from '../helpers/promtool.js';
import { get, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { startSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

function seriesLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

t.test('Envoy bootstrap: Envoy tag names, promtool-clean, /stats formats', async (t) => {
  const up = await startUpstream('up', (req, res) => {
    res.statusCode = req.url === '/fail' ? 503 : 200;
    res.end('ok');
  });
  const routes = '              - { match: { prefix: / }, route: { cluster: backend } }';
  const proxy = await startProxy(
    simpleBootstrap({ routes }),
    { UPSTREAM: up.port },
    { statsPort: 0, probeAddress: '127.0.0.1' },
  );
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  for (let i = 0; i < 4; i++) t.equal((await get(`${proxy.base}/x`)).status, 200);
  t.equal((await get(`${proxy.base}/fail`)).status, 503);
  const admin = proxy.adminBase!;
  const prom = (await get(`${admin}/stats/prometheus`)).body;
  t.match(prom, /^envoy_cluster_upstream_rq\{envoy_response_code="503",envoy_cluster_name="backend"\} 1$/m);
  t.match(
    prom,
    /^envoy_cluster_upstream_rq_xx\{envoy_response_code_class="2",envoy_cluster_name="backend"\} 4$/m,
  );
  t.match(prom, /^envoy_cluster_upstream_rq_time_count\{envoy_cluster_name="backend"\} 5$/m);
  t.match(prom, /^envoy_cluster_upstream_cx_connect_ms_count\{envoy_cluster_name="backend"\} [1-9]/m);
  t.match(prom, /^envoy_listener_downstream_cx_active\{envoy_listener_address="[^"]+"\} \d/m);
  t.match(
    prom,
    /^envoy_http_downstream_rq_xx\{envoy_response_code_class="5",envoy_http_conn_manager_prefix="test"\} 1$/m,
  );
  for (const name of [
    'envoy_cluster_upstream_rq_pending_overflow',
    'envoy_cluster_upstream_cx_active',
    'envoy_cluster_membership_healthy',
    'envoy_cluster_outlier_detection_ejections_active',
    'envoy_cluster_upstream_rq_time',
    'envoy_listener_downstream_cx_active',
    'envoy_server_uptime',
  ]) {
    t.match(prom, new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'), name);
  }
  await checkWithPromtool(t, prom);

  const port15090 = proxy.skiff.probePort('stats')!;
  const probe = await get(`http://127.0.0.1:${port15090}/stats/prometheus?usedonly&filter=upstream_rq_total`);
  t.same(seriesLines(probe.body), ['envoy_cluster_upstream_rq_total{envoy_cluster_name="backend"} 5']);
  t.equal((await get(`http://127.0.0.1:${port15090}/stats/prometheus?filter=(`)).status, 400);

  const text = (await get(`${admin}/stats?usedonly&filter=%5Ecluster%5C.backend%5C.upstream_rq_`)).body;
  const lines = text.trimEnd().split('\n');
  t.ok(lines.includes('cluster.backend.upstream_rq_total: 5'));
  t.ok(lines.includes('cluster.backend.upstream_rq_503: 1'));
  t.ok(lines.includes('cluster.backend.upstream_rq_2xx: 4'));
  t.match(
    lines[lines.length - 1],
    /^cluster\.backend\.upstream_rq_time: P0\(nan,[\d.]+\) .* P100\(nan,[\d.]+\)$/,
  );
  const json = JSON.parse((await get(`${admin}/stats?format=json&usedonly&filter=backend`)).body) as {
    stats: Array<{
      name?: string;
      value?: number;
      histograms?: { computed_quantiles: Array<{ name: string }> };
    }>;
  };
  t.same(
    json.stats.find((s) => s.name === 'cluster.backend.upstream_rq_5xx'),
    { name: 'cluster.backend.upstream_rq_5xx', value: 1 },
  );
  const histos = json.stats.find((s) => s.histograms !== undefined)?.histograms;
  t.ok(histos?.computed_quantiles.some((q) => q.name === 'cluster.backend.upstream_rq_time'));
  const bad = await get(`${admin}/stats?filter=%28`);
  t.equal(bad.status, 400);
  t.match(bad.body, /^Invalid re2 regex/);
});

const SE = (port: number, host: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${host.split('.')[0]}, namespace: shop}
spec:
  hosts: [${host}]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${port}}}]
`;

t.test('sidecar under traffic: Istio tag names, promtool-clean on admin and 15090', async (t) => {
  const app = await startUpstream('orders', (req, res) => {
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end('ok');
  });
  const sc = await startSidecar(
    `${SE(app.port, 'orders.shop.svc.cluster.local')}---\n${SE(1, 'down.shop.svc.cluster.local')}`,
    {
      workload: { name: 'web', namespace: 'shop', serviceAccount: 'web', labels: { app: 'web' } },
      skiff: { statsPort: 0, probeAddress: '127.0.0.1' },
    },
  );
  t.teardown(async () => {
    await sc.stop();
    await app.close();
  });
  const host = { host: 'orders.shop:8080' };
  for (let i = 0; i < 3; i++)
    t.equal((await get(`http://127.0.0.1:${sc.outbound}/x`, { headers: host })).status, 200);
  t.equal((await get(`http://127.0.0.1:${sc.outbound}/fail`, { headers: host })).status, 500);
  t.equal(
    (await get(`http://127.0.0.1:${sc.outbound}/`, { headers: { host: 'down.shop:8080' } })).status,
    503,
  );

  const prom = (await get(`${sc.adminBase}/stats/prometheus`)).body;
  const cluster = 'cluster_name="outbound|8080||orders.shop.svc.cluster.local"';
  t.match(prom, `envoy_cluster_upstream_rq_total{${cluster}} 4`);
  t.match(prom, `envoy_cluster_upstream_rq{response_code="500",${cluster}} 1`);
  t.match(prom, `envoy_cluster_upstream_rq{response_code_class="2xx",${cluster}} 3`);
  t.match(prom, `envoy_cluster_upstream_rq_time_bucket{${cluster},le="+Inf"} 4`);
  t.match(prom, /envoy_http_downstream_rq\{response_code_class="5xx",http_conn_manager_prefix="[^"]+"\} 2/);
  t.match(prom, /envoy_listener_downstream_cx_total\{listener_address="[^"]+"\} [1-9]/);
  t.notMatch(
    prom,
    /\benvoy_(cluster_name|response_code|response_code_class|http_conn_manager_prefix|listener_address)=/,
  );
  t.notMatch(prom, /_rq_xx\b/);
  t.match(prom, /^istio_requests_total\{reporter="source",[^}]*response_code="500"/m);
  await checkWithPromtool(t, prom);

  const probe = (await get(`http://127.0.0.1:${sc.skiff.probePort('stats')!}/stats/prometheus`)).body;
  t.match(probe, `envoy_cluster_upstream_rq_total{${cluster}} 4`);
  await checkWithPromtool(t, probe);

  const text = (await get(`${sc.adminBase}/stats?filter=orders`)).body;
  t.match(
    text,
    'cluster.outbound|8080||orders.shop.svc.cluster.local.upstream_rq_2xx: 3\n',
    '/stats keeps Envoy names',
  );
});
