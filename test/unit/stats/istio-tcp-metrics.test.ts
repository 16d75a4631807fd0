import { spawnSync } from 'node:child_process';
import t from 'tap';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { Families } from '../../../lib/stats/families.js';
import { IstioReporter } from '../../../lib/stats/istio/istio-reporter.js';
import { ISTIO_TCP_LABELS, IstioStats } from '../../../lib/stats/istio/istio-stats.js';
import { TCP_REPORT_INTERVAL_MS } from '../../../lib/stats/istio/istio-tcp-reporter.js';
import { exchangePreamble } from '../../../lib/stats/istio/tcp-metadata-exchange.js';
import { proxyWorkloadFrom, type WorkloadFacts } from '../../../lib/stats/istio/workload-facts.js';
import type { TcpObserverFactory, TcpSessionView } from '../../../lib/tcp/tcp-session-view.js';
import type { DownstreamTlsInfo } from '../../../lib/tls/types.js';
import { FakeScheduler } from '../../helpers/fake-time.js';

const WEB = proxyWorkloadFrom({
  namespace: 'shop',
  serviceAccount: 'web',
  name: 'web',
  labels: { app: 'web' },
  trustDomain: 'cluster.local',
});
const DB = proxyWorkloadFrom({
  namespace: 'data',
  serviceAccount: 'db',
  name: 'db',
  labels: { app: 'db', version: 'v1' },
  trustDomain: 'cluster.local',
});

type MutableView = { -readonly [K in keyof TcpSessionView]: TcpSessionView[K] };

function view(o: Partial<MutableView> = {}): MutableView {
  return {
    startTimeMs: 0,
    downstreamTls: null,
    downstreamRemoteAddress: '127.0.0.1:5000',
    downstreamLocalAddress: '127.0.0.1:15001',
    upstreamCluster: 'outbound|5432||db.data.svc.cluster.local',
    upstreamHost: '10.0.0.9:5432',
    upstreamLocalAddress: null,
    upstreamPeerUriSan: '',
    upstreamLocalUriSan: '',
    upstreamAlpn: '',
    responseFlags: 0,
    bytesReceived: 0,
    bytesSent: 0,
    istioPeer: null,
    ...o,
  };
}

function setup(w = WEB, side: 'source' | 'destination' = 'source') {
  const f = new Families();
  const scheduler = new FakeScheduler();
  const r = new IstioReporter(new IstioStats(f, 'v'), w, side, { scheduler });
  return { f, scheduler, r };
}

/** Series of one metric: labels (in exposition order) and value. */
function series(text: string, metric: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels: Record<string, string> = {};
    for (const m of line.matchAll(/(\w+)="([^"]*)"/g)) labels[m[1]!] = m[2]!;
    out.push({ labels, value: Number(line.slice(line.lastIndexOf(' ') + 1)) });
  }
  return out;
}

function value(f: Families, metric: string): number {
  return series(f.exposition(), metric).reduce((n, s) => n + s.value, 0);
}

const DB_FACTS: WorkloadFacts = {
  workload: 'db',
  namespace: 'data',
  app: 'db',
  version: 'v1',
  canonicalService: 'db',
  canonicalRevision: 'v1',
  cluster: 'Kubernetes',
};

t.test('source: labels as Istio for TCP, deltas per interval and at close', async (t) => {
  const { f, scheduler, r } = setup();
  const factory: TcpObserverFactory = r;
  const v = view({ upstreamPeerUriSan: DB.spiffeId, upstreamLocalUriSan: WEB.spiffeId });
  const o = factory.observe(v);
  t.equal(scheduler.live().length, 1, 'one interval armed for the open connection');
  t.equal(scheduler.live()[0]!.ms, TCP_REPORT_INTERVAL_MS);
  t.equal(value(f, 'istio_tcp_connections_opened_total'), 0, 'nothing before the exchange is done');

  v.istioPeer = DB_FACTS;
  v.bytesReceived = 100;
  o.opened();
  const opened = series(f.exposition(), 'istio_tcp_connections_opened_total');
  t.equal(opened.length, 1);
  t.same(Object.keys(opened[0]!.labels), ISTIO_TCP_LABELS, 'Istio’s TCP label set and order');
  t.notOk('response_code' in opened[0]!.labels, 'no response_code on TCP');
  t.notOk('grpc_response_status' in opened[0]!.labels, 'no grpc_response_status on TCP');
  t.match(opened[0]!.labels, {
    reporter: 'source',
    source_workload: 'web',
    source_principal: WEB.spiffeId,
    source_canonical_service: 'web',
    destination_workload: 'db',
    destination_workload_namespace: 'data',
    destination_principal: DB.spiffeId,
    destination_version: 'v1',
    destination_service: 'db.data.svc.cluster.local',
    destination_service_name: 'db',
    destination_service_namespace: 'data',
    request_protocol: 'tcp',
    response_flags: '-',
    connection_security_policy: 'unknown',
  });
  t.equal(opened[0]!.value, 1);
  t.equal(value(f, 'istio_tcp_received_bytes_total'), 0, 'bytes wait for the interval');

  v.bytesSent = 40;
  scheduler.fireLast();
  t.equal(value(f, 'istio_tcp_received_bytes_total'), 100);
  t.equal(value(f, 'istio_tcp_sent_bytes_total'), 40);
  t.equal(scheduler.live().length, 1, 're-armed while the connection is open');

  v.bytesSent = 50;
  v.bytesReceived = 130;
  scheduler.fireLast();
  t.equal(value(f, 'istio_tcp_received_bytes_total'), 130, 'deltas, not totals');
  t.equal(value(f, 'istio_tcp_sent_bytes_total'), 50);

  v.bytesSent = 75;
  v.responseFlags = ResponseFlag.UpstreamConnectionTermination;
  o.closed();
  t.equal(value(f, 'istio_tcp_sent_bytes_total'), 75, 'the rest at close');
  t.equal(value(f, 'istio_tcp_connections_closed_total'), 1);
  t.equal(value(f, 'istio_tcp_connections_opened_total'), 1);
  t.equal(series(f.exposition(), 'istio_tcp_connections_closed_total').length, 1, 'labels fixed at open');
  t.equal(scheduler.live().length, 0, 'no timer without open connections');

  o.closed();
  o.opened();
  t.equal(value(f, 'istio_tcp_connections_closed_total'), 1, 'a second close counts nothing');
  t.equal(value(f, 'istio_tcp_connections_opened_total'), 1);
});

t.test('never opened: counted as opened at close, with the flags of then', async (t) => {
  const { f, scheduler, r } = setup();
  const v = view({ responseFlags: ResponseFlag.UpstreamConnectionFailure, bytesReceived: 12 });
  const o = r.observe(v);
  scheduler.fireLast();
  t.equal(value(f, 'istio_tcp_received_bytes_total'), 0, 'no periodic bytes before opened');
  o.closed();
  const opened = series(f.exposition(), 'istio_tcp_connections_opened_total');
  t.equal(opened.length, 1);
  t.match(opened[0]!.labels, {
    response_flags: 'UF',
    destination_workload: 'unknown',
    destination_canonical_revision: 'latest',
    destination_principal: 'unknown',
  });
  t.equal(value(f, 'istio_tcp_connections_closed_total'), 1);
  t.equal(value(f, 'istio_tcp_received_bytes_total'), 12);
  t.equal(scheduler.live().length, 0);
});

t.test('one interval for many connections; series shared per label combination', async (t) => {
  const { f, scheduler, r } = setup();
  const a = view();
  const b = view();
  const c = view({ upstreamCluster: 'PassthroughCluster' });
  const oa = r.observe(a);
  const ob = r.observe(b);
  const oc = r.observe(c);
  t.equal(scheduler.live().length, 1, 'one timer, not one per connection');
  t.equal(r.tcp.openConnections, 3);
  oa.opened();
  ob.opened();
  oc.opened();
  a.bytesSent = 1;
  b.bytesSent = 2;
  c.bytesSent = 4;
  scheduler.fireLast();
  const sent = series(f.exposition(), 'istio_tcp_sent_bytes_total');
  t.equal(sent.length, 2, 'a and b share a series');
  t.same(sent.map((s) => s.value).sort(), [3, 4]);
  const pass = sent.find((s) => s.labels.destination_service_name === 'PassthroughCluster');
  t.match(pass?.labels, { destination_service: 'unknown', destination_service_namespace: 'unknown' });
  ob.closed();
  oa.closed();
  t.equal(scheduler.live().length, 1, 'still armed for c');
  oc.closed();
  t.equal(scheduler.live().length, 0);
  t.equal(r.tcp.openConnections, 0);
  r.observe(view());
  t.equal(scheduler.live().length, 1, 'armed again by the next connection');
  t.ok(r.tcp.exchangePreamble.equals(exchangePreamble(WEB)), 'our exchange preamble');
  t.equal(r.tcp.exchangePreamble, r.tcp.exchangePreamble, 'built once');
});

function tlsInfo(peer: string | null): DownstreamTlsInfo {
  return {
    peerUriSans: peer === null ? [] : [peer],
    peerPrincipal: peer?.slice('spiffe://'.length) ?? '',
    peerCertSha256: peer === null ? '' : 'ab',
    localUriSan: DB.spiffeId,
    alpn: 'istio-peer-exchange',
    version: 'TLSv1.3',
  };
}

t.test('destination: mTLS, peer from the exchange, own service as fallback', async (t) => {
  const { f, r } = setup(DB, 'destination');
  const mtls = view({
    upstreamCluster: 'inbound|5432||',
    downstreamTls: tlsInfo(WEB.spiffeId),
    istioPeer: { ...DB_FACTS, workload: 'web', namespace: 'shop', app: 'web', version: 'unknown' },
  });
  const o1 = r.observe(mtls);
  o1.opened();
  o1.closed();
  const o2 = r.observe(view({ upstreamCluster: 'inbound|5432||' }));
  o2.closed();
  const rows = series(f.exposition(), 'istio_tcp_connections_closed_total');
  t.equal(rows.length, 2);
  t.match(rows[0]!.labels, {
    reporter: 'destination',
    source_workload: 'web',
    source_workload_namespace: 'shop',
    source_principal: WEB.spiffeId,
    destination_workload: 'db',
    destination_principal: DB.spiffeId,
    destination_service: 'db',
    destination_service_name: 'db',
    destination_service_namespace: 'data',
    destination_cluster: 'Kubernetes',
    connection_security_policy: 'mutual_tls',
    request_protocol: 'tcp',
  });
  t.match(rows[1]!.labels, {
    source_workload: 'unknown',
    source_principal: 'unknown',
    destination_principal: 'unknown',
    connection_security_policy: 'none',
  });
});

t.test('the exposition passes promtool', async (t) => {
  const { f, r } = setup();
  const v = view({ bytesSent: 5, bytesReceived: 7 });
  const o = r.observe(v);
  o.opened();
  o.closed();
  const text = f.exposition();
  t.match(text, /# TYPE istio_tcp_sent_bytes_total counter\n/);
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0) {
    t.comment('promtool not installed: check skipped');
    return;
  }
  const res = spawnSync('promtool', ['check', 'metrics'], { input: text, timeout: 20_000, encoding: 'utf8' });
  const lines = `${res.stdout}${res.stderr}`.split('\n').filter((l) => l.trim() !== '');
  t.ok(res.status === 0 || res.status === 3, `promtool exit ${res.status}`);
  // Istio's own histogram unit is the only lint finding these families can cause.
  t.same(
    lines.filter((l) => !/^istio_request_duration_milliseconds use base unit/.test(l)),
    [],
    'no lint on the TCP families',
  );
});
