import t from 'tap';
import { parseStatsQuery, type StatsQuery } from '../../../lib/admin/stats-query.js';
import { selectStats, statsJson, statsText } from '../../../lib/admin/stats-text.js';
import { Histogram } from '../../../lib/stats/cells.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import { histogramQuantile } from '../../../lib/stats/stat-list.js';

function query(s: string): StatsQuery {
  const q = parseStatsQuery(new URLSearchParams(s));
  if ('error' in q) throw new Error(q.error);
  return q;
}

function registry(): StatsRegistry {
  const r = new StatsRegistry();
  const c = r.clusterStats('web');
  c.upstreamRqTotal.inc(5);
  c.recordResponse(200);
  for (const v of [3, 3, 7, 40]) c.upstreamRqTime.observe(v);
  return r;
}

t.test('text: one name: value line per stat, histograms as quantiles after them', async (t) => {
  const text = statsText(selectStats(registry().statList(), query('')));
  const lines = text.trimEnd().split('\n');
  t.ok(lines.includes('cluster.web.upstream_rq_total: 5'));
  t.ok(lines.includes('cluster.web.upstream_rq_200: 1'));
  t.ok(lines.includes('cluster.web.upstream_rq_2xx: 1'));
  const h = lines.findIndex((l) => l.startsWith('cluster.web.upstream_rq_time: '));
  t.ok(h > 0);
  t.match(lines[h]!, /^cluster\.web\.upstream_rq_time: P0\(nan,1\) P25\(nan,[\d.]+\) P50\(nan,[\d.]+\) P75/);
  t.match(lines[h]!, / P99\.9\(nan,[\d.]+\) P100\(nan,50\)$/);
  t.match(text, 'cluster.web.upstream_cx_connect_ms: No recorded values\n');
  const firstHisto = lines.findIndex((l) => l.includes(': P0(') || l.endsWith('No recorded values'));
  t.ok(lines.slice(firstHisto).every((l) => l.includes(': P0(') || l.endsWith('No recorded values')));
});

t.test('filter (partial RE2 match), usedonly and type', async (t) => {
  const all = registry().statList();
  t.same(
    statsText(selectStats(all, query('filter=rq_total&usedonly'))),
    'cluster.web.upstream_rq_total: 5\n',
  );
  t.same(
    statsText(selectStats(all, query('filter=%5Ecluster%5C.web%5C.upstream_rq_%5Cd%7B3%7D%24'))),
    'cluster.web.upstream_rq_200: 1\n',
  );
  const histos = selectStats(all, query('type=Histograms&usedonly'));
  t.same(
    histos.map((e) => e.name),
    ['cluster.web.upstream_rq_time'],
  );
  t.ok(selectStats(all, query('type=Gauges')).every((e) => e.type === 'gauge'));
  t.match(parseStatsQuery(new URLSearchParams('filter=(')), { error: /^Invalid re2 regex: / });
  t.match(parseStatsQuery(new URLSearchParams('filter=a(?=b)')), { error: /lookahead/ });
  t.match(parseStatsQuery(new URLSearchParams('type=Bogus')), { error: /invalid type/ });
});

t.test('json: Envoy shape with a histograms element', async (t) => {
  const j = statsJson(selectStats(registry().statList(), query('usedonly'))) as {
    stats: Array<Record<string, unknown>>;
  };
  t.same(
    j.stats.slice(0, -1).find((s) => s.name === 'cluster.web.upstream_rq_total'),
    {
      name: 'cluster.web.upstream_rq_total',
      value: 5,
    },
  );
  const last = j.stats[j.stats.length - 1] as {
    histograms: {
      supported_quantiles: number[];
      computed_quantiles: Array<{ name: string; values: unknown[] }>;
    };
  };
  t.same(last.histograms.supported_quantiles, [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100]);
  t.equal(last.histograms.computed_quantiles.length, 1);
  const q = last.histograms.computed_quantiles[0]!;
  t.equal(q.name, 'cluster.web.upstream_rq_time');
  t.equal(q.values.length, 10);
  t.same(q.values[9], { interval: null, cumulative: 50 });
  t.same(statsJson([]), { stats: [] });
});

t.test('quantiles interpolate inside the bucket that holds them', async (t) => {
  const h = new Histogram([10, 20, 30]);
  t.equal(histogramQuantile(h, 50), null, 'nothing recorded');
  for (const v of [5, 15, 15, 25]) h.observe(v);
  t.equal(histogramQuantile(h, 0), 0);
  t.equal(histogramQuantile(h, 25), 10);
  t.equal(histogramQuantile(h, 50), 15);
  t.equal(histogramQuantile(h, 100), 30);
  h.observe(1000);
  t.equal(histogramQuantile(h, 100), 30, 'above the last bound reads as that bound');
});
