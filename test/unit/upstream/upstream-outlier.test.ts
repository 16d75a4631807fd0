import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ClusterImpl } from '../../../lib/cluster/cluster.js';
import { systemDnsResolver } from '../../../lib/cluster/dns-resolver.js';
import type { HostImpl } from '../../../lib/cluster/host.js';
import { OutlierResult, type PassiveHealthMonitor } from '../../../lib/cluster/types.js';
import type { UpstreamFailure } from '../../../lib/upstream/upstream-errors.js';
import { type UpstreamCallbacks, UpstreamRequest } from '../../../lib/upstream/upstream-request.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, endpoint, fakeClusterStats, withTimeout } from '../cluster/fixtures.js';
import { closedPort } from '../cluster/servers.js';

const WAIT_MS = 5000;
const R = OutlierResult;

/** Records what the upstream request reports to outlier detection. */
class MonitorRecorder implements PassiveHealthMonitor {
  readonly seen: Array<number | string> = [];
  putHttpResponseCode(code: number): void {
    this.seen.push(code);
  }
  putResult(result: OutlierResult): void {
    this.seen.push(Object.keys(R).find((k) => R[k as keyof typeof R] === result)!);
  }
  uneject(): void {}
}

/** Settles on the first terminal callback; `onHeaders` lets a test act when headers arrive. */
class Callbacks implements UpstreamCallbacks {
  readonly done: Promise<void>;
  onHeaders: () => void = () => {};
  failure: UpstreamFailure | null = null;
  private resolve!: () => void;
  constructor() {
    this.done = new Promise((r) => {
      this.resolve = r;
    });
  }
  onUpstreamHeaders(): boolean {
    this.onHeaders();
    return true;
  }
  onUpstreamData(): boolean {
    return true;
  }
  onRequestProgress(): void {}
  onUpstreamComplete(): void {
    this.resolve();
  }
  onUpstreamFailure(f: UpstreamFailure): void {
    this.failure = f;
    this.resolve();
  }
}

async function upstream(t: Test, handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await withTimeout(once(server, 'listening'), WAIT_MS, 'listening');
  t.teardown(async () => {
    server.closeAllConnections();
    await withTimeout(new Promise<void>((r) => server.close(() => r())), WAIT_MS, 'server close');
  });
  return (server.address() as AddressInfo).port;
}

function monitoredHost(t: Test, port: number): { host: HostImpl; rec: MonitorRecorder } {
  const cluster = new ClusterImpl(clusterConfig({ endpoints: [endpoint('127.0.0.1', port)] }), {
    random: seededRandom(1),
    stats: fakeClusterStats(),
    resolver: systemDnsResolver,
    log: () => {},
    initialDnsTimeoutMs: 1000,
  });
  t.teardown(() => withTimeout(cluster.close(), WAIT_MS, 'cluster close'));
  const host = cluster.hosts()[0] as HostImpl;
  const rec = new MonitorRecorder();
  host.outlier = rec;
  return { host, rec };
}

const GET = { method: 'GET', path: '/', headers: ['host', 'u'], body: null };

/** A few event-loop turns, so a late report would show up. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

t.test('a response reports connect success then its status, and nothing at completion', async (t) => {
  const port = await upstream(t, (_req, res) => {
    res.statusCode = 503;
    res.end('down');
  });
  const { host, rec } = monitoredHost(t, port);
  const cb = new Callbacks();
  new UpstreamRequest(host, cb).start(GET);
  await withTimeout(cb.done, WAIT_MS, 'response');
  await settle();
  t.same(rec.seen, ['LocalOriginConnectSuccess', 503]);
});

t.test('a refused connection reports LocalOriginConnectFailed only', async (t) => {
  const { host, rec } = monitoredHost(t, await closedPort());
  const cb = new Callbacks();
  new UpstreamRequest(host, cb).start(GET);
  await withTimeout(cb.done, WAIT_MS, 'failure');
  await settle();
  t.ok(cb.failure?.connectFailure);
  t.same(rec.seen, ['LocalOriginConnectFailed'], 'onConnect never ran: undici calls it after connecting');
});

t.test('a reset after the response started is a failure too (as Envoy maps resets)', async (t) => {
  const port = await upstream(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial', () => res.destroy());
  });
  const { host, rec } = monitoredHost(t, port);
  const cb = new Callbacks();
  new UpstreamRequest(host, cb).start(GET);
  await withTimeout(cb.done, WAIT_MS, 'failure');
  t.same(rec.seen, ['LocalOriginConnectSuccess', 200, 'LocalOriginConnectFailed']);
});

t.test('the route timeout reports LocalOriginTimeout only while waiting for headers', async (t) => {
  const port = await upstream(t, (req, res) => {
    if (req.url === '/slow-body') {
      res.writeHead(200, { 'content-length': '10' });
      res.flushHeaders();
    }
    // Otherwise hang: the test aborts first.
  });
  const timeout = Object.assign(new Error('upstream request timeout'), { code: 'SKIFF_UPSTREAM_TIMEOUT' });

  const { host, rec } = monitoredHost(t, port);
  const waiting = new Callbacks();
  const ur = new UpstreamRequest(host, waiting);
  const connected = new Promise<void>((resolve) => {
    const original = rec.putResult.bind(rec);
    rec.putResult = (r) => {
      original(r);
      if (r === R.LocalOriginConnectSuccess) resolve();
    };
  });
  ur.start(GET);
  await withTimeout(connected, WAIT_MS, 'connect');
  ur.abort(timeout);
  ur.abort(timeout);
  t.same(rec.seen, ['LocalOriginConnectSuccess', 'LocalOriginTimeout'], 'reported once');

  const other = monitoredHost(t, port);
  const down = new UpstreamRequest(other.host, new Callbacks());
  down.start(GET);
  down.abort(new Error('downstream closed'));
  await settle();
  t.same(other.rec.seen, [], 'a downstream abort says nothing about the host');

  const late = monitoredHost(t, port);
  const cb = new Callbacks();
  const headersIn = new Promise<void>((resolve) => {
    cb.onHeaders = resolve;
  });
  const lateReq = new UpstreamRequest(late.host, cb);
  lateReq.start({ ...GET, path: '/slow-body' });
  await withTimeout(headersIn, WAIT_MS, 'headers');
  lateReq.abort(timeout);
  await settle();
  t.same(late.rec.seen, ['LocalOriginConnectSuccess', 200], 'no timeout charged after headers');
});
