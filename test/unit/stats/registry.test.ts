import t from 'tap';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import { SERVER_STATE_CODE } from '../../../lib/stats/server-stats.js';

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

function value(text: string, series: string): number | undefined {
  for (const l of lines(text)) {
    const i = l.lastIndexOf(' ');
    if (l.slice(0, i) === series) return Number(l.slice(i + 1));
  }
  return undefined;
}

t.test('cluster stats: Envoy names and labels, no _total added', async (t) => {
  const r = new StatsRegistry();
  const c = r.clusterStats('outbound|80||web');
  t.equal(r.clusterStats('outbound|80||web'), c, 'same object per name');
  c.upstreamRqTotal.inc();
  c.upstreamRqTotal.inc(2);
  c.upstreamRqActive.inc();
  c.upstreamCxConnectFail.inc();
  c.membershipTotal.set(3);
  const text = await r.metrics();
  const l = 'envoy_cluster_name="outbound|80||web"';
  t.equal(value(text, `envoy_cluster_upstream_rq_total{${l}}`), 3);
  t.equal(value(text, `envoy_cluster_upstream_rq_active{${l}}`), 1);
  t.equal(value(text, `envoy_cluster_upstream_cx_connect_fail{${l}}`), 1);
  t.equal(value(text, `envoy_cluster_upstream_cx_active{${l}}`), 0);
  t.equal(value(text, `envoy_cluster_membership_total{${l}}`), 3);
  t.match(text, '# TYPE envoy_cluster_upstream_rq_total counter');
  t.match(text, '# TYPE envoy_cluster_upstream_cx_active gauge');
  t.notMatch(text, /_total_total|upstream_cx_connect_fail_total/);
  t.equal(r.contentType, 'text/plain; version=0.0.4; charset=utf-8');
});

t.test('recordResponse counts codes, classes and completed', async (t) => {
  const r = new StatsRegistry();
  const c = r.clusterStats('x');
  c.recordResponse(200);
  c.recordResponse(200);
  c.recordResponse(204);
  c.recordResponse(503);
  c.recordResponse(0);
  const text = await r.metrics();
  t.equal(value(text, 'envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="x"}'), 2);
  t.equal(value(text, 'envoy_cluster_upstream_rq{envoy_response_code="204",envoy_cluster_name="x"}'), 1);
  t.equal(value(text, 'envoy_cluster_upstream_rq{envoy_response_code="503",envoy_cluster_name="x"}'), 1);
  t.equal(
    value(text, 'envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",envoy_cluster_name="x"}'),
    3,
  );
  t.equal(
    value(text, 'envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",envoy_cluster_name="x"}'),
    1,
  );
  t.equal(
    value(text, 'envoy_cluster_upstream_rq_xx{envoy_response_code_class="4",envoy_cluster_name="x"}'),
    undefined,
  );
  t.equal(value(text, 'envoy_cluster_upstream_rq_completed{envoy_cluster_name="x"}'), 5);
  t.notMatch(text, 'envoy_response_code="0"');

  const h = r.httpStats('ingress_http');
  t.equal(r.httpStats('ingress_http'), h);
  h.recordResponse(404);
  h.recordResponse(200);
  h.downstreamRqTotal.inc();
  h.noRoute.inc();
  const p = 'envoy_http_conn_manager_prefix="ingress_http"';
  const text2 = await r.metrics();
  t.equal(value(text2, `envoy_http_downstream_rq_xx{envoy_response_code_class="4",${p}}`), 1);
  t.equal(value(text2, `envoy_http_downstream_rq_xx{envoy_response_code_class="2",${p}}`), 1);
  t.equal(value(text2, `envoy_http_downstream_rq_completed{${p}}`), 2);
  t.equal(value(text2, `envoy_http_downstream_rq_total{${p}}`), 1);
  t.equal(value(text2, `envoy_http_no_route{${p}}`), 1);
});

t.test('histograms use Envoy default buckets', async (t) => {
  const r = new StatsRegistry();
  const c = r.clusterStats('x');
  c.upstreamRqTime.observe(0.5);
  c.upstreamRqTime.observe(7);
  c.upstreamRqTime.observe(5_000_000);
  const text = await r.metrics();
  const b = (le: string) =>
    value(text, `envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="x",le="${le}"}`);
  t.equal(b('0.5'), 1, 'le is inclusive');
  t.equal(b('5'), 1);
  t.equal(b('10'), 2);
  t.equal(b('3600000'), 2);
  t.equal(b('+Inf'), 3);
  t.equal(value(text, 'envoy_cluster_upstream_rq_time_count{envoy_cluster_name="x"}'), 3);
  t.equal(value(text, 'envoy_cluster_upstream_rq_time_sum{envoy_cluster_name="x"}'), 5_000_007.5);
  const les = lines(text)
    .filter((l) => l.startsWith('envoy_cluster_upstream_rq_time_bucket'))
    .map((l) => /le="([^"]+)"/.exec(l)![1]);
  t.same(les, [
    '0.5',
    '1',
    '5',
    '10',
    '25',
    '50',
    '100',
    '250',
    '500',
    '1000',
    '2500',
    '5000',
    '10000',
    '30000',
    '60000',
    '300000',
    '600000',
    '1800000',
    '3600000',
    '+Inf',
  ]);
  r.httpStats('p').downstreamRqTime.observe(12);
  t.equal(
    value(await r.metrics(), 'envoy_http_downstream_rq_time_count{envoy_http_conn_manager_prefix="p"}'),
    1,
  );
});

t.test('removeCluster drops its series and a later bind starts at zero', async (t) => {
  const r = new StatsRegistry();
  const a = r.clusterStats('a');
  r.clusterStats('b').upstreamRqTotal.inc();
  a.upstreamRqTotal.inc();
  a.recordResponse(200);
  r.removeCluster('a');
  a.recordResponse(500); // a late response on the old object must not resurrect series
  let text = await r.metrics();
  t.notMatch(text, 'envoy_cluster_name="a"');
  t.equal(value(text, 'envoy_cluster_upstream_rq_total{envoy_cluster_name="b"}'), 1);
  const a2 = r.clusterStats('a');
  t.not(a2, a);
  text = await r.metrics();
  t.equal(value(text, 'envoy_cluster_upstream_rq_total{envoy_cluster_name="a"}'), 0);
  r.removeCluster('never-bound');
});

t.test('listener address label uses Envoy underscores', async (t) => {
  const r = new StatsRegistry();
  const l = r.listenerStats('0.0.0.0', 15001);
  t.equal(r.listenerStats('0.0.0.0', 15001), l);
  l.downstreamCxTotal.inc();
  l.downstreamCxActive.inc();
  r.listenerStats('::', 15006).downstreamCxTotal.inc();
  const text = await r.metrics();
  t.equal(value(text, 'envoy_listener_downstream_cx_total{envoy_listener_address="0.0.0.0_15001"}'), 1);
  t.equal(value(text, 'envoy_listener_downstream_cx_active{envoy_listener_address="0.0.0.0_15001"}'), 1);
  t.equal(value(text, 'envoy_listener_downstream_cx_total{envoy_listener_address="[__]_15006"}'), 1);
});

t.test('server gauges are computed at scrape time', async (t) => {
  const r = new StatsRegistry();
  let calls = 0;
  let uptime = 10;
  r.setServerInfo(() => {
    calls++;
    return { live: true, uptimeSeconds: uptime, state: SERVER_STATE_CODE.LIVE, concurrency: 2 };
  });
  t.equal(calls, 0, 'not called until scraped');
  let text = await r.metrics();
  t.ok(calls > 0);
  t.equal(value(text, 'envoy_server_live'), 1);
  t.equal(value(text, 'envoy_server_uptime'), 10);
  t.equal(value(text, 'envoy_server_concurrency'), 2);
  t.equal(value(text, 'envoy_server_state'), 0);
  t.ok((value(text, 'envoy_server_memory_allocated') ?? 0) > 0);
  uptime = 11;
  text = await r.metrics();
  t.equal(value(text, 'envoy_server_uptime'), 11);
});

t.test('registries are independent of each other', async (t) => {
  const a = new StatsRegistry();
  const b = new StatsRegistry();
  a.clusterStats('x').upstreamRqTotal.inc();
  b.clusterStats('x');
  t.equal(value(await b.metrics(), 'envoy_cluster_upstream_rq_total{envoy_cluster_name="x"}'), 0);
});
