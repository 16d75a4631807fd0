import t from 'tap';
import { get, simpleBootstrap, startProxy, type TestProxy } from '../helpers/proxy.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';
import { closedPort } from '../unit/cluster/servers.js';

/** Polls `cond` every 20 ms; fails after 10 s. */
function healthFlags(clusters: string, port: number): string | undefined {
  const m = new RegExp(`backend::127\\.0\\.0\\.1:${port}::health_flags::(\\S+)`).exec(clusters);
  return m?.[1];
}

function statValue(prom: string, name: string): number {
  const m = new RegExp(`^${name}\\{envoy_cluster_name="backend"\\} (\\S+)$`, 'm').exec(prom);
  return m === null ? Number.NaN : Number(m[1]);
}

function cluster(ports: number[], healthCheck: string): string {
  const eps = ports
    .map(
      (p) => `        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${p} } } }`,
    )
    .join('\n');
  return `  - name: backend
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
${eps}
    health_checks:
${healthCheck}
`;
}

const HTTP_CHECK = `    - timeout: 1s
      interval: 0.1s
      no_traffic_interval: 0.1s
      unhealthy_threshold: 2
      healthy_threshold: 2
      http_health_check: { path: /healthz, host: hc.local }`;

async function admin(proxy: TestProxy, path: string): Promise<string> {
  return (await get(`${proxy.adminBase}${path}`)).body;
}

/** Answers the health path with `status()`, everything else with 200 naming the upstream. */
function scripted(up: FakeUpstream, status: () => number): void {
  up.handle((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(status(), { 'content-length': '0' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': up.name });
    res.end(up.name);
  });
}

t.test(
  'HTTP checks: a 503 host is failed and skipped, then recovers after healthy_threshold 200s',
  async (t) => {
    const good = await startUpstream('good');
    const bad = await startUpstream('bad');
    scripted(good, () => 200);
    let badStatus = 503;
    scripted(bad, () => badStatus);
    const proxy = await startProxy(simpleBootstrap({ clusters: cluster([good.port, bad.port], HTTP_CHECK) }));
    t.teardown(async () => {
      await proxy.stop();
      await good.close();
      await bad.close();
    });

    // Start-up waits for every host's first check.
    const clusters = await admin(proxy, '/clusters');
    t.equal(healthFlags(clusters, good.port), 'healthy');
    t.equal(healthFlags(clusters, bad.port), '/failed_active_hc');
    const hc = good.requests.find((r) => r.url === '/healthz')!;
    t.equal(hc.method, 'GET');
    t.equal(hc.headers.host, 'hc.local');
    t.equal(hc.headers['user-agent'], 'Envoy/HC');

    for (let i = 0; i < 10; i++) {
      const res = await get(`${proxy.base}/x`);
      t.equal(res.status, 200);
      t.equal(res.headers['x-upstream'], 'good', `request ${i} goes to the healthy host`);
    }
    t.equal(bad.requests.filter((r) => r.url !== '/healthz').length, 0, 'the failed host saw no traffic');

    const checksBefore = bad.requests.length;
    badStatus = 200;
    await eventually(
      async () => healthFlags(await admin(proxy, '/clusters'), bad.port) === 'healthy',
      'bad host healthy again',
    );
    t.ok(bad.requests.length - checksBefore >= 2, 'it took at least healthy_threshold checks');

    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add(String((await get(`${proxy.base}/x`)).headers['x-upstream']));
    t.same([...seen].sort(), ['bad', 'good'], 'traffic reaches both again');

    const prom = await admin(proxy, '/stats/prometheus');
    t.ok(statValue(prom, 'envoy_cluster_health_check_attempt') >= 4);
    t.ok(statValue(prom, 'envoy_cluster_health_check_success') >= 3);
    t.ok(statValue(prom, 'envoy_cluster_health_check_failure') >= 1);
    t.equal(statValue(prom, 'envoy_cluster_health_check_healthy'), 2);
    t.equal(statValue(prom, 'envoy_cluster_health_check_degraded'), 0);
    t.equal(statValue(prom, 'envoy_cluster_membership_healthy'), 2);
    t.match(prom, /# TYPE envoy_cluster_health_check_network_failure counter/);
    t.match(prom, /# TYPE envoy_cluster_health_check_healthy gauge/);

    // And a host that starts failing again drops out at once (a non-retriable status).
    badStatus = 500;
    await eventually(
      async () => healthFlags(await admin(proxy, '/clusters'), bad.port) === '/failed_active_hc',
      'bad host failed again',
    );
  },
);

t.test('TCP checks: a closed port fails with network failures', async (t) => {
  const up = await startUpstream('up');
  const closed = await closedPort();
  const proxy = await startProxy(
    simpleBootstrap({
      clusters: cluster(
        [up.port, closed],
        `    - timeout: 1s
      interval: 0.1s
      no_traffic_interval: 0.1s
      unhealthy_threshold: 1
      healthy_threshold: 1
      tcp_health_check: {}`,
      ),
    }),
  );
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const clusters = await admin(proxy, '/clusters');
  t.equal(healthFlags(clusters, up.port), 'healthy');
  t.equal(healthFlags(clusters, closed), '/failed_active_hc');
  const prom = await admin(proxy, '/stats/prometheus');
  t.ok(statValue(prom, 'envoy_cluster_health_check_network_failure') >= 1);
  t.equal(statValue(prom, 'envoy_cluster_health_check_healthy'), 1);
  for (let i = 0; i < 4; i++) t.equal((await get(`${proxy.base}/x`)).status, 200);
});

t.test('a check that does not answer within timeout counts as a network failure', async (t) => {
  const up = await startUpstream('up');
  const hang = await startUpstream('hang');
  hang.handle(() => {});
  const proxy = await startProxy(
    simpleBootstrap({
      clusters: cluster(
        [up.port, hang.port],
        `    - timeout: 0.2s
      interval: 0.1s
      no_traffic_interval: 0.1s
      unhealthy_threshold: 1
      healthy_threshold: 1
      http_health_check: { path: /healthz }`,
      ),
    }),
  );
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
    await hang.close();
  });
  const clusters = await admin(proxy, '/clusters');
  t.equal(healthFlags(clusters, up.port), 'healthy');
  t.equal(healthFlags(clusters, hang.port), '/failed_active_hc/active_hc_timeout');
  const prom = await admin(proxy, '/stats/prometheus');
  t.ok(statValue(prom, 'envoy_cluster_health_check_network_failure') >= 1);
  t.equal((await get(`${proxy.base}/x`)).headers['x-upstream'], 'up');
});

t.test('a proxied response with x-envoy-immediate-health-check-fail fails its host at once', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  scripted(a, () => 200);
  scripted(b, () => 200);
  // Slow checks, so only the data path can flip the host within the test.
  const check = HTTP_CHECK.replace('interval: 0.1s', 'interval: 60s').replace(
    'no_traffic_interval: 0.1s',
    'no_traffic_interval: 60s',
  );
  const proxy = await startProxy(simpleBootstrap({ clusters: cluster([a.port, b.port], check) }));
  t.teardown(async () => {
    await proxy.stop();
    await a.close();
    await b.close();
  });
  t.equal(healthFlags(await admin(proxy, '/clusters'), a.port), 'healthy');
  a.handle((_req, res) => {
    res.writeHead(200, { 'x-envoy-immediate-health-check-fail': 'true', 'content-length': '1' });
    res.end('a');
  });
  for (let i = 0; i < 4; i++) await get(`${proxy.base}/`);
  t.match(healthFlags(await admin(proxy, '/clusters'), a.port), /failed_active_hc/);
  const bodies = new Set<string>();
  for (let i = 0; i < 6; i++) bodies.add((await get(`${proxy.base}/`)).body);
  t.same([...bodies], ['b'], 'traffic avoids the failed host');
  t.equal(
    statValue(await admin(proxy, '/stats/prometheus'), 'envoy_cluster_health_check_passive_failure'),
    1,
  );
});
