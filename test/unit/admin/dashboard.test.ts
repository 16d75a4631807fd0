import t from 'tap';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { acceptsHtml, dashboardJson, dashboardPage } from '../../../lib/admin/dashboard-endpoint.js';
import { DashboardHistory } from '../../../lib/admin/dashboard-history.js';
import { buildDashboard, DASHBOARD_METRICS, type DashboardInput } from '../../../lib/admin/dashboard-json.js';
import { dashboardCsp, dashboardHtml, escapeHtml } from '../../../lib/admin/dashboard-page.js';
import { type Snapshot, takeSnapshot } from '../../../lib/admin/dashboard-series.js';
import { parseSampleLine, readExposition } from '../../../lib/admin/exposition-reader.js';
import type { AdminContext } from '../../../lib/admin/types.js';
import { HealthFlag } from '../../../lib/cluster/types.js';
import type { Bootstrap } from '../../../lib/config/model.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import { cumulativeQuantile } from '../../../lib/stats/stat-list.js';

const read = (text: string) => readExposition(text, (n) => DASHBOARD_METRICS.has(n));

t.test('escapeHtml escapes markup and quotes', async (t) => {
  t.equal(
    escapeHtml(`<img src=x onerror="a('1')">&amp;`),
    '&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt;&amp;amp;',
  );
  t.equal(escapeHtml('plain.name-1'), 'plain.name-1');
});

t.test('the page is self-contained and escapes the server-rendered version', async (t) => {
  const html = dashboardHtml('1.0<script>', 'n0nce');
  t.match(html, '<b id="version">1.0&lt;script&gt;</b>');
  t.notMatch(html, '1.0<script>');
  t.notMatch(html, /https?:\/\//, 'no external URL (no CDN, no asset)');
  t.notMatch(html, /innerHTML|insertAdjacentHTML|document\.write/, 'values reach the DOM as text only');
  t.match(html, '<script nonce="n0nce">');
  t.match(dashboardCsp('n0nce'), "default-src 'none'; style-src 'nonce-n0nce'; script-src 'nonce-n0nce'");
});

t.test('acceptsHtml decides by the Accept header', async (t) => {
  t.equal(acceptsHtml(undefined), false);
  t.equal(acceptsHtml('*/*'), false, "curl's default gets the text list");
  t.equal(acceptsHtml('text/html,application/xhtml+xml,*/*;q=0.8'), true);
  t.equal(acceptsHtml('application/json, TEXT/HTML;q=0.5'), true);
  t.equal(acceptsHtml('text/html;q=0'), false);
});

t.test('parseSampleLine reads labels with escapes and special values', async (t) => {
  t.same(parseSampleLine('a_total{x="q\\"uo\\\\te",y="n\\nl"} 3'), {
    name: 'a_total',
    labels: { x: 'q"uo\\te', y: 'n\nl' },
    value: 3,
  });
  t.same(parseSampleLine('b 1.5 1700000000'), { name: 'b', labels: {}, value: 1.5 });
  t.equal(parseSampleLine('c{le="+Inf"} +Inf')?.value, Number.POSITIVE_INFINITY);
  t.equal(parseSampleLine('# HELP c x'), null);
  t.equal(parseSampleLine('broken{x="1" 2'), null);
  const m = readExposition('# TYPE a counter\na 1\nb{k="v"} 2\na 3\n', (n) => n === 'a');
  t.same([...m.keys()], ['a']);
  t.same(
    m.get('a')!.map((s) => s.value),
    [1, 3],
  );
});

t.test('histogramQuantile interpolates like Prometheus', async (t) => {
  const bounds = [10, 100, Number.POSITIVE_INFINITY];
  t.equal(cumulativeQuantile(0.5, bounds, [0, 0, 0]), null, 'no samples');
  t.equal(cumulativeQuantile(0.5, bounds, [10, 10, 10]), 5);
  t.equal(cumulativeQuantile(0.5, bounds, [0, 10, 10]), 55);
  t.equal(cumulativeQuantile(0.99, bounds, [0, 0, 4]), 100, '+Inf answers with the highest finite bound');
  t.equal(cumulativeQuantile(0.5, [], []), null);
});

const ENVOY_TEXT = (rq: number, fives: number, fast: number) => `
envoy_cluster_upstream_rq_total{envoy_cluster_name="web"} ${rq}
envoy_cluster_upstream_rq_completed{envoy_cluster_name="web"} ${rq}
envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",envoy_cluster_name="web"} ${rq - fives}
envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",envoy_cluster_name="web"} ${fives}
envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="web",le="5"} ${fast}
envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="web",le="50"} ${rq}
envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="web",le="+Inf"} ${rq}
envoy_cluster_membership_healthy{envoy_cluster_name="web"} 1
envoy_cluster_membership_total{envoy_cluster_name="web"} 2
envoy_cluster_outlier_detection_ejections_active{envoy_cluster_name="web"} 1
envoy_cluster_circuit_breakers_default_rq_pending_open{envoy_cluster_name="web"} 1
envoy_cluster_upstream_rq_pending_overflow{envoy_cluster_name="web"} 4
`;

function input(now: Snapshot, base: Snapshot | null, text: string): DashboardInput {
  return {
    nowWallMs: 0,
    server: { version: 'v', state: 'LIVE', uptimeSeconds: 3 },
    clusters: [
      {
        name: 'web',
        hosts: [
          { address: '10.0.0.1:80', flags: 0, weight: 1, activeRequests: 0, requests: 5, errors: 0 },
          {
            address: '10.0.0.2:80',
            flags: HealthFlag.FailedOutlierCheck,
            weight: 1,
            activeRequests: 0,
            requests: 5,
            errors: 5,
          },
        ],
      },
    ],
    samples: read(text),
    now,
    base,
    localReplies: [
      {
        timeMs: 1000,
        status: 503,
        flags: ResponseFlag.NoHealthyUpstream,
        details: 'no_healthy_upstream',
        method: 'GET',
        authority: 'a',
        path: '/<x>',
        cluster: 'web',
      },
    ],
  };
}

t.test('buildDashboard: rates over the window, gauges, breakers, hosts and local replies', async (t) => {
  const t0 = takeSnapshot(read(ENVOY_TEXT(100, 0, 100)), 1000);
  const t1text = ENVOY_TEXT(120, 5, 110);
  const t1 = takeSnapshot(read(t1text), 3000);
  const first = buildDashboard(input(t0, null, ENVOY_TEXT(100, 0, 100))) as {
    clusters: Record<string, unknown>[];
  };
  t.equal(first.clusters[0]!.requestsPerSecond, null, 'no rate before a second sample');
  t.equal(first.clusters[0]!.p50Ms, 2.5, 'first poll: percentiles over the lifetime');
  const doc = buildDashboard(input(t1, t0, t1text)) as {
    windowSeconds: number;
    clusters: Array<Record<string, unknown>>;
    localReplies: Array<Record<string, unknown>>;
  };
  t.equal(doc.windowSeconds, 2);
  const web = doc.clusters[0]!;
  t.match(web, {
    name: 'web',
    requestsPerSecond: 10,
    errorRate: 0.25,
    p50Ms: 5,
    healthyHosts: 1,
    totalHosts: 2,
    ejectionsActive: 1,
    pendingOverflow: 4,
    breakers: { connections: false, pending: true, requests: false, retries: false },
  });
  t.ok((web.p99Ms as number) > 40 && (web.p99Ms as number) <= 50, 'P99 from the window only');
  t.match(web.hosts, [
    { address: '10.0.0.1:80', health: 'healthy', ejected: false },
    { address: '10.0.0.2:80', health: '/failed_outlier_check', ejected: true },
  ]);
  t.match(doc.localReplies[0], {
    time: '1970-01-01T00:00:01.000Z',
    status: 503,
    flags: 'UH',
    details: 'no_healthy_upstream',
    path: '/<x>',
  });
});

t.test('takeSnapshot reads Istio tag names and per-destination Istio metrics', async (t) => {
  const text = `
envoy_cluster_upstream_rq_total{cluster_name="outbound|80||web.ns.svc.cluster.local"} 9
envoy_cluster_upstream_rq_completed{cluster_name="outbound|80||web.ns.svc.cluster.local"} 8
envoy_cluster_upstream_rq_xx{response_code_class="5xx",cluster_name="outbound|80||web.ns.svc.cluster.local"} 2
istio_requests_total{reporter="source",destination_service="web.ns.svc.cluster.local",response_code="200"} 6
istio_requests_total{reporter="source",destination_service="web.ns.svc.cluster.local",response_code="503"} 2
istio_request_duration_milliseconds_bucket{reporter="source",destination_service="web.ns.svc.cluster.local",response_code="200",le="10"} 6
istio_request_duration_milliseconds_bucket{reporter="source",destination_service="web.ns.svc.cluster.local",response_code="200",le="+Inf"} 6
istio_request_duration_milliseconds_bucket{reporter="source",destination_service="web.ns.svc.cluster.local",response_code="503",le="10"} 0
istio_request_duration_milliseconds_bucket{reporter="source",destination_service="web.ns.svc.cluster.local",response_code="503",le="+Inf"} 2
`;
  const snap = takeSnapshot(read(text), 0);
  t.match(snap.rows.get('c:outbound|80||web.ns.svc.cluster.local'), { requests: 9, completed: 8, errors: 2 });
  t.match(snap.rows.get('d:source|web.ns.svc.cluster.local'), {
    requests: 8,
    errors: 2,
    bounds: [10, Number.POSITIVE_INFINITY],
    cumulative: [6, 8],
  });
  const doc = buildDashboard({ ...input(snap, null, text), clusters: [] }) as {
    destinations: Array<Record<string, unknown>>;
  };
  t.match(doc.destinations, [
    { reporter: 'source', service: 'web.ns.svc.cluster.local', requests: 8, errorRate: 0.25 },
  ]);
});

t.test('DashboardHistory picks the oldest snapshot inside the window', async (t) => {
  const h = new DashboardHistory(4, 10_000, 500);
  const at = (ms: number): Snapshot => ({ atMs: ms, rows: new Map() });
  t.equal(h.baseline(at(0)), null);
  h.add(at(0));
  h.add(at(100));
  t.equal(h.baseline(at(200))!.atMs, 0, 'a poll closer than minGap is not kept');
  for (const ms of [1000, 2000, 3000, 4000]) h.add(at(ms));
  t.equal(h.baseline(at(5000))!.atMs, 1000, 'capacity bounds the ring');
  t.equal(h.baseline(at(20_000))!.atMs, 4000, 'all too old: the newest one');
});

t.test('dashboardJson over a real registry: two polls give a rate', async (t) => {
  const stats = new StatsRegistry();
  const web = stats.clusterStats('web<b>');
  const ctx: AdminContext = {
    state: () => 'LIVE',
    uptimeSeconds: () => 1,
    version: () => 'test',
    commandLine: () => [],
    config: () => ({}) as unknown as Bootstrap,
    listeners: () => [],
    clusters: () => [],
    prometheus: () => stats.metrics(),
    quit: () => {},
  };
  web.upstreamRqTotal.inc(5);
  const a = JSON.parse((await dashboardJson(ctx, 10_000)).body) as {
    windowSeconds: unknown;
    localReplies: unknown;
  };
  t.equal(a.windowSeconds, null);
  t.same(a.localReplies, [], 'no local reply source: empty list');
  web.upstreamRqTotal.inc(10);
  web.recordResponse(200);
  web.upstreamRqTime.observe(3);
  const reply = await dashboardJson(ctx, 11_000);
  t.equal(reply.contentType, 'application/json');
  const b = JSON.parse(reply.body) as { windowSeconds: number };
  t.equal(b.windowSeconds, 1);
  const page = dashboardPage(ctx);
  t.match(page.headers!['content-security-policy'], "script-src 'nonce-");
  t.match(page.contentType, 'text/html');
});
