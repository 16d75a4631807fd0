import t from 'tap';
import { get, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

t.test('admin endpoints on a running proxy', async (t) => {
  const up = await startUpstream('up');
  let quit = false;
  const routes = '              - { match: { prefix: /x }, route: { cluster: backend } }';
  const proxy = await startProxy(
    simpleBootstrap({ routes }),
    { UPSTREAM: up.port },
    { onQuit: () => (quit = true) },
  );
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const admin = proxy.adminBase!;
  for (let i = 0; i < 3; i++) t.equal((await get(`${proxy.base}/x`)).status, 200);
  t.equal((await get(`${proxy.base}/nomatch`)).status, 404);

  const ready = await get(`${admin}/ready`);
  t.equal(ready.status, 200);
  t.equal(ready.body.trim(), 'LIVE');

  const info = JSON.parse((await get(`${admin}/server_info`)).body) as { state: string; version: string };
  t.equal(info.state, 'LIVE');
  t.type(info.version, 'string');

  const dump = JSON.parse((await get(`${admin}/config_dump`)).body) as unknown;
  t.match(JSON.stringify(dump), /"backend"/, 'config_dump names the cluster');

  const clusters = (await get(`${admin}/clusters`)).body;
  t.match(
    clusters,
    new RegExp(`backend::127\\.0\\.0\\.1:${up.port}::rq_total::3`),
    '/clusters per-host rq_total',
  );
  t.match(clusters, new RegExp(`backend::127\\.0\\.0\\.1:${up.port}::health_flags::healthy`));

  t.match((await get(`${admin}/listeners`)).body, new RegExp(`test::127\\.0\\.0\\.1:${proxy.port}`));

  const prom = await get(`${admin}/stats/prometheus`);
  t.equal(prom.status, 200);
  const text = prom.body;
  t.match(text, /envoy_cluster_upstream_rq_total\{envoy_cluster_name="backend"\} 3/);
  t.match(text, /envoy_cluster_upstream_rq_xx\{[^}]*envoy_response_code_class="2"[^}]*\} 3/);
  t.match(text, /envoy_cluster_upstream_cx_active\{envoy_cluster_name="backend"\} \d/);
  t.match(text, /envoy_cluster_upstream_cx_connect_fail\{envoy_cluster_name="backend"\} 0/);
  t.match(text, /envoy_http_downstream_rq_total\{envoy_http_conn_manager_prefix="test"\} 4/);
  t.match(text, /envoy_http_downstream_rq_xx\{[^}]*envoy_response_code_class="4"[^}]*\} 1/);
  t.match(text, /envoy_server_live 1/);

  const getQuit = await get(`${admin}/quitquitquit`);
  t.equal(getQuit.status, 400, 'mutations reject GET');
  t.notOk(quit);
  const postQuit = await get(`${admin}/quitquitquit`, { method: 'POST' });
  t.equal(postQuit.status, 200);
  for (let i = 0; i < 100 && !quit; i++) await new Promise((r) => setTimeout(r, 20));
  t.ok(quit, 'POST /quitquitquit stops the proxy');
  t.equal(proxy.skiff.state(), 'DRAINING');
});

t.test('Istio probe ports: /healthz/ready and /stats/prometheus on their own listeners', async (t) => {
  const up = await startUpstream('probe');
  const proxy = await startProxy(
    simpleBootstrap(),
    { UPSTREAM: up.port },
    { readinessPort: 0, statsPort: 0, probeAddress: '127.0.0.1' },
  );
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const ready = await get(`http://127.0.0.1:${proxy.skiff.probePort('readiness')}/healthz/ready`);
  t.equal(ready.status, 200);
  await get(`${proxy.base}/`);
  const stats = await get(`http://127.0.0.1:${proxy.skiff.probePort('stats')}/stats/prometheus`);
  t.match(stats.body, /^envoy_cluster_upstream_rq_total\{envoy_cluster_name="backend"\} 1$/m);
  t.equal(proxy.skiff.probePort('readiness') === proxy.port, false);
});
