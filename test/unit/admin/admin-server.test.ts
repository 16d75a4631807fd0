import { request } from 'node:http';
import t from 'tap';
import { startAdminServer } from '../../../lib/admin/admin-server.js';
import type { AdminContext, ServerState } from '../../../lib/admin/types.js';
import { ResourceManager } from '../../../lib/cluster/resource-manager.js';
import { type Cluster, HealthFlag, type Host, NO_PASSIVE_HEALTH } from '../../../lib/cluster/types.js';
import type { Bootstrap, ClusterConfig } from '../../../lib/config/model.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';

function fakeHost(cluster: () => Cluster, address: string, port: number, flags: number): Host {
  return {
    get cluster() {
      return cluster();
    },
    address,
    port,
    authority: `${address}:${port}`,
    hostname: 'web.local',
    weight: 3,
    priority: 0,
    labels: {},
    locality: { region: 'r', zone: 'z', subZone: 's' },
    healthFlags: flags,
    edsHealthStatus: 'HEALTHY',
    healthy: () => flags === 0,
    dispatcher: () => {
      throw new Error('not used');
    },
    outlier: NO_PASSIVE_HEALTH,
    counters: {
      activeRequests: 1,
      rqTotal: 10,
      rqSuccess: 8,
      rqError: 2,
      rqTimeout: 1,
      cxTotal: 4,
      cxActive: 2,
      cxConnectFail: 1,
    },
  };
}

function fakeContext() {
  const stats = new StatsRegistry();
  stats.clusterStats('web').upstreamRqTotal.inc(7);
  stats.clusterStats('web').recordResponse(200);
  const config: Bootstrap = {
    sources: ['test.yaml'],
    node: { id: 'node-1', cluster: 'c1' },
    admin: null,
    listeners: [],
    clusters: [],
  };
  const cluster: Cluster = {
    name: 'web',
    config: {} as unknown as ClusterConfig,
    stats: stats.clusterStats('web'),
    chooseHost: () => null,
    hosts: () => hosts,
    resources: () => new ResourceManager(),
    ready: async () => {},
    close: async () => {},
    onImmediateHealthCheckFail: () => {},
  };
  const hosts: Host[] = [
    fakeHost(() => cluster, '10.0.0.1', 8080, 0),
    fakeHost(() => cluster, '10.0.0.2', 8080, HealthFlag.FailedActiveHc | HealthFlag.FailedOutlierCheck),
  ];
  const state = { value: 'LIVE' as ServerState, quits: 0 };
  const ctx: AdminContext = {
    state: () => state.value,
    uptimeSeconds: () => 123.7,
    version: () => '0.1.0',
    commandLine: () => ['-c', 'envoy.yaml', '--concurrency', '2'],
    config: () => config,
    listeners: () => [
      { name: 'virtualInbound', address: '0.0.0.0', port: 15006 },
      { name: 'v6', address: '::1', port: 80 },
    ],
    clusters: () => [cluster],
    prometheus: (q) => stats.metrics(q),
    stats: () => stats.statList(),
    quit: () => {
      state.quits++;
    },
  };
  return { ctx, state };
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, method: string, path: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

t.test('admin endpoints', async (t) => {
  const { ctx, state } = fakeContext();
  const admin = await startAdminServer(ctx, { address: '127.0.0.1', port: 0 });
  t.teardown(() => admin.close());
  t.equal(admin.address, '127.0.0.1');
  t.ok(admin.port > 0);
  const get = (p: string) => call(admin.port, 'GET', p);

  t.test('/ready', async (t) => {
    let r = await get('/ready');
    t.equal(r.status, 200);
    t.equal(r.body, 'LIVE\n');
    for (const s of ['PRE_INITIALIZING', 'INITIALIZING', 'DRAINING'] as const) {
      state.value = s;
      r = await get('/ready');
      t.equal(r.status, 503, s);
      t.equal(r.body, `${s}\n`);
    }
    state.value = 'LIVE';
  });

  t.test('/server_info', async (t) => {
    const r = await get('/server_info');
    t.equal(r.status, 200);
    t.match(r.headers['content-type'], /application\/json/);
    const info = JSON.parse(r.body);
    t.equal(info.version, '0.1.0');
    t.equal(info.state, 'LIVE');
    t.equal(info.uptime_current_epoch, '123s');
    t.equal(info.uptime_all_epochs, '123s');
    t.equal(info.command_line_options.config_path, 'envoy.yaml');
    t.equal(info.command_line_options.concurrency, 2);
    t.same(info.node, { id: 'node-1', cluster: 'c1' });
  });

  t.test('/config_dump', async (t) => {
    const r = await get('/config_dump');
    t.equal(r.status, 200);
    const admin = 'type.googleapis.com/envoy.admin.v3.';
    t.strictSame(JSON.parse(r.body), {
      configs: [
        {
          '@type': `${admin}BootstrapConfigDump`,
          bootstrap: {
            node: { id: 'node-1', cluster: 'c1' },
            static_resources: { listeners: [], clusters: [] },
          },
        },
        { '@type': `${admin}ClustersConfigDump`, static_clusters: [] },
        { '@type': `${admin}ListenersConfigDump`, static_listeners: [] },
        { '@type': `${admin}RoutesConfigDump`, static_route_configs: [] },
      ],
      skiff: { sources: ['test.yaml'] },
    });
  });

  t.test('/clusters text and json', async (t) => {
    const r = await get('/clusters');
    t.equal(r.status, 200);
    const lines = r.body.trimEnd().split('\n');
    for (const want of [
      'web::10.0.0.1:8080::cx_active::2',
      'web::10.0.0.1:8080::cx_total::4',
      'web::10.0.0.1:8080::cx_connect_fail::1',
      'web::10.0.0.1:8080::rq_active::1',
      'web::10.0.0.1:8080::rq_total::10',
      'web::10.0.0.1:8080::rq_success::8',
      'web::10.0.0.1:8080::rq_error::2',
      'web::10.0.0.1:8080::rq_timeout::1',
      'web::10.0.0.1:8080::weight::3',
      'web::10.0.0.1:8080::hostname::web.local',
      'web::10.0.0.1:8080::health_flags::healthy',
      'web::10.0.0.2:8080::health_flags::/failed_active_hc/failed_outlier_check',
    ]) {
      t.ok(lines.includes(want), want);
    }
    const j = await get('/clusters?format=json');
    t.match(j.headers['content-type'], /application\/json/);
    const body = JSON.parse(j.body);
    t.equal(body.cluster_statuses.length, 1);
    const cs = body.cluster_statuses[0];
    t.equal(cs.name, 'web');
    t.equal(cs.host_statuses.length, 2);
    const h = cs.host_statuses[1];
    t.same(h.address, { socket_address: { address: '10.0.0.2', port_value: 8080 } });
    t.equal(h.weight, 3);
    t.same(h.health_status, {
      eds_health_status: 'HEALTHY',
      failed_active_health_check: true,
      failed_outlier_check: true,
    });
    t.same(
      h.stats.find((s: { name: string }) => s.name === 'rq_total'),
      { name: 'rq_total', value: '10' },
    );
    t.same(
      h.stats.find((s: { name: string }) => s.name === 'cx_active'),
      { type: 'GAUGE', name: 'cx_active', value: '2' },
    );
  });

  t.test('/listeners text and json', async (t) => {
    const r = await get('/listeners');
    t.equal(r.body, 'virtualInbound::0.0.0.0:15006\nv6::[::1]:80\n');
    const j = JSON.parse((await get('/listeners?format=json')).body);
    t.same(j.listener_statuses[0], {
      name: 'virtualInbound',
      local_address: { socket_address: { address: '0.0.0.0', port_value: 15006 } },
    });
  });

  t.test('prometheus stats', async (t) => {
    for (const p of ['/stats/prometheus', '/stats?format=prometheus']) {
      const r = await get(p);
      t.equal(r.status, 200, p);
      t.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      t.match(r.body, 'envoy_cluster_upstream_rq_total{envoy_cluster_name="web"} 7');
    }
  });

  t.test('/stats plain text', async (t) => {
    const r = await get('/stats');
    t.equal(r.status, 200);
    const lines = r.body.trimEnd().split('\n');
    t.ok(lines.includes('cluster.web.upstream_rq_total: 7'));
    t.ok(lines.includes('cluster.web.upstream_rq_200: 1'));
    t.ok(lines.includes('cluster.web.upstream_rq_2xx: 1'));
    t.ok(lines.some((l) => l.startsWith('server.live: ')));
    t.ok(lines.includes('cluster.web.upstream_rq_time: No recorded values'), 'histograms in quantile form');
    const scalars = lines.filter((l) => !l.endsWith('No recorded values') && !l.includes(': P0('));
    t.same(scalars, [...scalars].sort());
    const j = JSON.parse((await get('/stats?format=json&filter=upstream_rq_total')).body);
    t.same(j, { stats: [{ name: 'cluster.web.upstream_rq_total', value: 7 }] });
    const f = await get('/stats?filter=rq_total&usedonly');
    t.equal(f.body, 'cluster.web.upstream_rq_total: 7\n');
    const bad = await get('/stats?filter=(');
    t.equal(bad.status, 400);
    t.match(bad.body, /^Invalid re2 regex: /);
    t.equal((await get('/stats/prometheus?filter=(')).status, 400);
    t.equal((await get('/stats?format=xml')).status, 400);
    const used = await get('/stats/prometheus?usedonly');
    t.match(used.body, 'envoy_cluster_upstream_rq_total{envoy_cluster_name="web"} 7');
    t.notMatch(used.body, 'upstream_rq_timeout');
  });

  t.test('/help, / and unknown paths', async (t) => {
    const help = await get('/help');
    t.equal(help.status, 200);
    t.match(help.body, /^admin commands are:\n/);
    for (const p of ['/ready', '/clusters', '/quitquitquit', '/stats/prometheus', '/server_info']) {
      t.match(help.body, `  ${p}: `);
    }
    t.equal((await get('/')).body, help.body);
    const nf = await get('/nope');
    t.equal(nf.status, 404);
    t.match(nf.body, 'admin commands are:');
  });

  t.test('/quitquitquit requires POST', async (t) => {
    const g = await get('/quitquitquit');
    t.equal(g.status, 400);
    t.match(g.body, /POST required/);
    t.equal(state.quits, 0);
    t.equal((await get('/healthcheck/fail')).status, 400);
    const p = await call(admin.port, 'POST', '/quitquitquit');
    t.equal(p.status, 200);
    t.equal(p.body, 'OK\n');
    t.equal(state.quits, 1);
  });
});

t.test('a port in use is a listen error', async (t) => {
  const { ctx } = fakeContext();
  const a = await startAdminServer(ctx, { address: '127.0.0.1', port: 0 });
  t.teardown(() => a.close());
  await t.rejects(startAdminServer(ctx, { address: '127.0.0.1', port: a.port }), {
    code: 'SKIFF_ERR_LISTEN',
  });
});
