import t from 'tap';
import { CIRCUIT_BREAKER_STATS } from '../../../lib/stats/circuit-breaker-stats.js';
import { CLUSTER, CLUSTER_STATS } from '../../../lib/stats/cluster-stats.js';
import { HTTP_STATS } from '../../../lib/stats/http-stats.js';
import { LISTENER_STATS } from '../../../lib/stats/listener-stats.js';
import { envoyStatName, exposedShape, ISTIO_TAG_NAMES } from '../../../lib/stats/naming.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import { TCP_STATS } from '../../../lib/stats/tcp-stats.js';

function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const i = l.lastIndexOf(' ');
    m.set(l.slice(0, i), Number(l.slice(i + 1)));
  }
  return m;
}

function traffic(r: StatsRegistry): void {
  const c = r.clusterStats('outbound|80||web.ns.svc.cluster.local');
  c.upstreamRqTotal.inc(3);
  c.recordResponse(200);
  c.recordResponse(200);
  c.recordResponse(503);
  c.upstreamRqTime.observe(7);
  const h = r.httpStats('inbound_0.0.0.0_8080');
  h.recordResponse(404);
  r.listenerStats('0.0.0.0', 15006).downstreamCxActive.inc();
}

t.test('envoy naming keeps Envoy default tags', async (t) => {
  const r = new StatsRegistry();
  traffic(r);
  const s = samples(await r.metrics());
  const c = 'envoy_cluster_name="outbound|80||web.ns.svc.cluster.local"';
  t.equal(s.get(`envoy_cluster_upstream_rq_total{${c}}`), 3);
  t.equal(s.get(`envoy_cluster_upstream_rq{envoy_response_code="200",${c}}`), 2);
  t.equal(s.get(`envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",${c}}`), 1);
  t.equal(s.get(`envoy_cluster_upstream_rq_time_count{${c}}`), 1);
  t.equal(
    s.get(
      'envoy_http_downstream_rq_xx{envoy_response_code_class="4",envoy_http_conn_manager_prefix="inbound_0.0.0.0_8080"}',
    ),
    1,
  );
  t.equal(s.get('envoy_listener_downstream_cx_active{envoy_listener_address="0.0.0.0_15006"}'), 1);
});

t.test('istio naming: Istio bootstrap tag names, class values keep xx', async (t) => {
  const r = new StatsRegistry();
  r.naming = 'istio';
  traffic(r);
  const text = await r.metrics();
  const s = samples(text);
  const c = 'cluster_name="outbound|80||web.ns.svc.cluster.local"';
  t.equal(s.get(`envoy_cluster_upstream_rq_total{${c}}`), 3);
  t.equal(s.get(`envoy_cluster_upstream_rq{response_code="200",${c}}`), 2);
  t.equal(s.get(`envoy_cluster_upstream_rq{response_code_class="2xx",${c}}`), 2);
  t.equal(s.get(`envoy_cluster_upstream_rq{response_code_class="5xx",${c}}`), 1);
  t.equal(s.get(`envoy_cluster_upstream_rq_time_bucket{${c},le="10"}`), 1);
  t.equal(
    s.get(
      'envoy_http_downstream_rq{response_code_class="4xx",http_conn_manager_prefix="inbound_0.0.0.0_8080"}',
    ),
    1,
  );
  t.equal(s.get('envoy_listener_downstream_cx_active{listener_address="0.0.0.0_15006"}'), 1);
  t.notMatch(text, /envoy_(cluster_name|response_code|http_conn_manager_prefix|listener_address)=/);
  t.notMatch(text, /_rq_xx/, 'no _xx families in Istio naming');
  t.equal(
    text.split('# TYPE envoy_cluster_upstream_rq counter').length,
    2,
    'one TYPE line for the merged family',
  );
  t.notMatch(text, /# TYPE envoy_cluster_upstream_rq_xx /);
});

t.test('naming is applied at scrape time: the same cells serve both', async (t) => {
  const r = new StatsRegistry();
  const cell = r.clusterStats('a').upstreamRqTotal;
  cell.inc();
  t.match(await r.metrics(), 'envoy_cluster_upstream_rq_total{envoy_cluster_name="a"} 1');
  r.naming = 'istio';
  cell.inc();
  t.match(await r.metrics(), 'envoy_cluster_upstream_rq_total{cluster_name="a"} 2');
});

t.test('every declared Envoy stat has a conflict-free Istio shape', async (t) => {
  const seen = new Map<string, string>();
  for (const def of [
    ...CLUSTER_STATS,
    ...CIRCUIT_BREAKER_STATS,
    ...HTTP_STATS,
    ...LISTENER_STATS,
    ...TCP_STATS,
  ]) {
    const shape = exposedShape(def, 'istio');
    t.ok(shape.name.startsWith('envoy_'), shape.name);
    for (const l of shape.labels) t.notOk(l.startsWith('envoy_'), `${def.name} label ${l}`);
    const prev = seen.get(shape.name);
    if (prev !== undefined) t.equal(prev, def.type, `${shape.name} merges same-typed families`);
    seen.set(shape.name, def.type);
  }
  t.same(exposedShape(CLUSTER.upstreamRqTotal, 'envoy').labels, ['envoy_cluster_name']);
  t.same(Object.values(ISTIO_TAG_NAMES).sort(), [
    'cluster_name',
    'http_conn_manager_prefix',
    'listener_address',
    'response_code',
    'response_code_class',
    'tcp_prefix',
  ]);
});

t.test('envoyStatName undoes tag extraction', async (t) => {
  const r = new StatsRegistry();
  traffic(r);
  r.clusterStats('web').circuitBreakers('DEFAULT', false).rqOpen.set(1);
  r.clusterStats('web').outlierDetection.ejectionsActive.set(1);
  r.reload.applied.inc();
  const names = r.statList().map((e) => e.name);
  for (const n of [
    'cluster.outbound|80||web.ns.svc.cluster.local.upstream_rq_total',
    'cluster.outbound|80||web.ns.svc.cluster.local.upstream_rq_200',
    'cluster.outbound|80||web.ns.svc.cluster.local.upstream_rq_5xx',
    'cluster.outbound|80||web.ns.svc.cluster.local.upstream_rq_time',
    'cluster.web.circuit_breakers.default.rq_open',
    'cluster.web.outlier_detection.ejections_active',
    'http.inbound_0.0.0.0_8080.downstream_rq_4xx',
    'listener.0.0.0.0_15006.downstream_cx_active',
    'server.uptime',
    'skiff_config_reload_total{result=applied}',
  ]) {
    t.ok(names.includes(n), n);
  }
  t.same(names, [...names].sort(), 'sorted');
  t.equal(envoyStatName(CLUSTER.upstreamRqByCode, ['418', 'x']), 'cluster.x.upstream_rq_418');
});

t.test('filter and usedonly on the Prometheus text', async (t) => {
  const r = new StatsRegistry();
  traffic(r);
  const used = await r.metrics({ usedOnly: true });
  t.match(used, 'envoy_cluster_upstream_rq_total{');
  t.notMatch(used, 'envoy_cluster_upstream_rq_timeout{', 'zero counters left out');
  t.notMatch(used, '# TYPE envoy_cluster_upstream_rq_timeout ', 'and their HELP/TYPE');
  const f = await r.metrics({ filter: /^listener\./ });
  t.same(
    f.split('\n').filter((l) => l !== '' && !l.startsWith('#')),
    [
      'envoy_listener_downstream_cx_total{envoy_listener_address="0.0.0.0_15006"} 0',
      'envoy_listener_downstream_cx_active{envoy_listener_address="0.0.0.0_15006"} 1',
    ],
  );
});

t.test(
  'network RBAC: a tcp.-prefix is split by the tcp_prefix tag as Envoy does; others keep it whole',
  async (t) => {
    const r = new StatsRegistry();
    r.networkRbacStats('tcp.').denied.inc();
    r.networkRbacStats('tcp.db.').allowed.inc(2);
    r.networkRbacStats('myprefix.').shadowDenied.inc();
    const s = samples(await r.metrics());
    t.equal(s.get('envoy_tcp_denied{envoy_tcp_prefix="rbac"}'), 1);
    t.equal(s.get('envoy_tcp_allowed{envoy_tcp_prefix="db.rbac"}'), 2);
    t.equal(s.get('envoy_rbac_shadow_denied{envoy_rbac_prefix="myprefix."}'), 1);
    const names = r.statList().map((e) => e.name);
    for (const n of ['tcp.rbac.denied', 'tcp.db.rbac.allowed', 'myprefix.rbac.shadow_denied'])
      t.ok(names.includes(n), `/stats lists ${n}`);
    r.naming = 'istio';
    t.equal(samples(await r.metrics()).get('envoy_tcp_denied{tcp_prefix="rbac"}'), 1);
  },
);
