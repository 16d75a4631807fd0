import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { get, startProxy } from '../helpers/proxy.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';

/** The seed article's Envoy cluster, byte for byte (config-examples/seed/envoy-cluster.json). */
const SEED_CLUSTER = readFileSync(
  fileURLToPath(new URL('../../../config-examples/seed/envoy-cluster.json', import.meta.url)),
  'utf8',
);

const LISTENER = `
static_resources:
  listeners:
  - name: outbound
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: outbound
          route_config:
            virtual_hosts:
            - { name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: order-service } }] }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
`;

function endpoints(...ports: number[]): string {
  return `cluster_name: order-service
endpoints:
- lb_endpoints:
${ports.map((p) => `  - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${p} } } }`).join('\n')}
`;
}

/** An order-service instance: healthy on /actuator/health, app answers from `status()`. */
async function instance(name: string, status: () => number, healthChecks: string[]): Promise<FakeUpstream> {
  return startUpstream(name, (req, res) => {
    if (req.url === '/actuator/health') {
      healthChecks.push(`${name} ${req.headers['user-agent']}`);
      res.writeHead(200, { 'content-length': 2 });
      res.end('UP');
      return;
    }
    const body = name;
    res.writeHead(status(), { 'content-length': body.length });
    res.end(body);
  });
}

function flags(clusters: string, port: number): string | undefined {
  return new RegExp(`order-service::127\\.0\\.0\\.1:${port}::health_flags::(\\S+)`).exec(clusters)?.[1];
}

function stat(prom: string, name: string): number {
  const m = new RegExp(`^${name}\\{envoy_cluster_name="order-service"\\} (\\S+)$`, 'm').exec(prom);
  return m === null ? Number.NaN : Number(m[1]);
}

t.test("the seed's Envoy cluster behaves as written", async (t) => {
  const checks: string[] = [];
  let aStatus = 200;
  let bStatus = 200;
  const a = await instance('a', () => aStatus, checks);
  const b = await instance('b', () => bStatus, checks);
  const yaml = `${SEED_CLUSTER}\n---\n${LISTENER}\n---\n${endpoints(a.port, b.port)}`;
  const proxy = await startProxy(yaml);
  t.teardown(async () => {
    await proxy.stop();
    await a.close();
    await b.close();
  });
  const admin = async (path: string) => (await get(`${proxy.adminBase}${path}`)).body;

  // Health checks on /actuator/health: one pass at start-up (healthy_threshold 1) before serving.
  t.same(checks.sort(), ['a Envoy/HC', 'b Envoy/HC'], 'each host was checked once before traffic');
  const start = await admin('/clusters');
  t.equal(flags(start, a.port), 'healthy');
  t.equal(flags(start, b.port), 'healthy');

  // Circuit breakers 500 / 200 / 1000 / 3 are in force (and closed).
  // (max_retries 3 is Envoy's default, which the dump leaves out.)
  const dump = JSON.parse(await admin('/config_dump')) as {
    configs: { static_clusters?: { cluster: { name: string; circuit_breakers?: unknown } }[] }[];
  };
  const seed = dump.configs
    .flatMap((c) => c.static_clusters ?? [])
    .find((c) => c.cluster.name === 'order-service');
  t.same(seed?.cluster.circuit_breakers, {
    thresholds: [
      { priority: 'DEFAULT', max_connections: 500, max_pending_requests: 200, max_requests: 1000 },
    ],
  });
  const prom0 = await admin('/stats/prometheus');
  t.equal(stat(prom0, 'envoy_cluster_circuit_breakers_default_rq_open'), 0);

  // Outlier detection: 5 consecutive 5xx eject the host, for 60 s; traffic moves to the other.
  aStatus = 503;
  let aHits = 0;
  for (let i = 0; i < 60 && aHits < 5; i++) if ((await get(`${proxy.base}/orders`)).body === 'a') aHits++;
  t.equal(aHits, 5, 'a answered five 503s');
  t.match(flags(await admin('/clusters'), a.port), /failed_outlier_check/, 'a is ejected');
  const after = new Set<string>();
  for (let i = 0; i < 10; i++) after.add((await get(`${proxy.base}/orders`)).body);
  t.same([...after], ['b'], 'all traffic goes to b');
  const prom1 = await admin('/stats/prometheus');
  t.equal(stat(prom1, 'envoy_cluster_outlier_detection_ejections_enforced_consecutive_5xx'), 1);
  t.equal(stat(prom1, 'envoy_cluster_outlier_detection_ejections_active'), 1);

  // The 50 % cap: with a ejected, b failing too may not be ejected (that would be 100 %).
  bStatus = 503;
  for (let i = 0; i < 6; i++) await get(`${proxy.base}/orders`);
  const last = await admin('/clusters');
  t.equal(flags(last, b.port), 'healthy', 'b stays in: max_ejection_percent 50');
  t.ok(stat(await admin('/stats/prometheus'), 'envoy_cluster_outlier_detection_ejections_overflow') >= 1);
  t.match(flags(last, a.port), /failed_outlier_check/, 'a is still ejected (base_ejection_time 60s)');
});
