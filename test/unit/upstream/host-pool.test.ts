import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import type { buildConnector as BuildConnector, Dispatcher } from 'undici';
import { ResourceManager } from '../../../lib/cluster/resource-manager.js';
import type { HostCounters } from '../../../lib/cluster/types.js';
import { DEFAULT_THRESHOLDS } from '../../../lib/config/envoy/cluster-circuit-breakers.js';
import type { CircuitBreakerThresholdsConfig } from '../../../lib/config/model.js';
import { HostPool } from '../../../lib/upstream/host-pool.js';
import { poolOptions } from '../../../lib/upstream/pool-options.js';
import { buildConnector } from '../../../lib/upstream/undici-core.js';
import { clusterConfig, type FakeClusterStats, fakeClusterStats, withTimeout } from '../cluster/fixtures.js';

const WAIT_MS = 5000;

/** An upstream that holds every response until the test releases it; records the peer ports. */
async function heldUpstream(t: Test) {
  const held: http.ServerResponse[] = [];
  const ports: number[] = [];
  let arrived: (() => void) | null = null;
  const server = http.createServer((req, res) => {
    ports.push(req.socket.remotePort ?? 0);
    held.push(res);
    arrived?.();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(async () => {
    server.closeAllConnections();
    await withTimeout(new Promise<void>((r) => server.close(() => r())), WAIT_MS, 'server close');
  });
  return {
    port: (server.address() as AddressInfo).port,
    held,
    ports,
    /** Resolves once `n` requests have arrived in total. */
    arrivals(n: number): Promise<void> {
      if (held.length >= n) return Promise.resolve();
      return withTimeout(
        new Promise<void>((resolve) => {
          arrived = () => {
            if (held.length >= n) resolve();
          };
        }),
        WAIT_MS,
        `${n} upstream requests`,
      );
    },
    release(i: number, body = 'ok'): void {
      held[i]!.end(body);
    },
  };
}

/** A legacy undici handler that records the outcome of one request. */
class Probe implements Dispatcher.DispatchHandler {
  status = 0;
  body = '';
  error: Error | null = null;
  connected = false;
  readonly done: Promise<void>;
  private resolve!: () => void;
  constructor() {
    this.done = new Promise((r) => {
      this.resolve = r;
    });
  }
  onConnect(): void {
    this.connected = true;
  }
  onHeaders(status: number): boolean {
    this.status = status;
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.body += chunk.toString();
    return true;
  }
  onComplete(): void {
    this.resolve();
  }
  onError(err: Error): void {
    this.error = err;
    this.resolve();
  }
  settled(what: string): Promise<void> {
    return withTimeout(this.done, WAIT_MS, what);
  }
}

interface Setup {
  pool: HostPool;
  rm: ResourceManager;
  stats: FakeClusterStats;
  counters: HostCounters;
}

function makePool(
  t: Test,
  port: number,
  limits: Partial<CircuitBreakerThresholdsConfig> = {},
  opts: {
    maxRequestsPerConnection?: number;
    idleTimeoutMs?: number;
    connector?: BuildConnector.connector;
  } = {},
): Setup {
  const stats = fakeClusterStats();
  const rm = ResourceManager.fromConfig({ ...DEFAULT_THRESHOLDS, ...limits }, null);
  const counters: HostCounters = {
    activeRequests: 0,
    rqTotal: 0,
    rqSuccess: 0,
    rqError: 0,
    rqTimeout: 0,
    cxTotal: 0,
    cxActive: 0,
    cxConnectFail: 0,
  };
  const cfg = clusterConfig({ idleTimeoutMs: opts.idleTimeoutMs ?? 3_600_000, connectTimeoutMs: 2000 });
  const pool = new HostPool({
    origin: `http://127.0.0.1:${port}`,
    connector: opts.connector ?? buildConnector({ timeout: 2000 }),
    clientOptions: poolOptions(cfg),
    maxRequestsPerConnection: opts.maxRequestsPerConnection ?? 0,
    resources: rm,
    stats,
    counters,
  });
  t.teardown(() => withTimeout(pool.destroy(), WAIT_MS, 'pool destroy'));
  return { pool, rm, stats, counters };
}

function send(pool: HostPool, path = '/'): Probe {
  const p = new Probe();
  pool.dispatch({ method: 'GET', path, headers: [] }, p);
  return p;
}

t.test('at max_connections a request waits as pending and is served when a connection frees', async (t) => {
  const up = await heldUpstream(t);
  const { pool, rm, stats, counters } = makePool(t, up.port, { maxConnections: 1 });
  const a = send(pool, '/a');
  await up.arrivals(1);
  t.ok(a.connected);
  const b = send(pool, '/b');
  t.equal(pool.pending, 1, 'b waits');
  t.equal(pool.connections, 1, 'no second connection');
  t.equal(stats.upstreamRqPendingActive.value, 1);
  t.ok(stats.upstreamCxOverflow.value >= 1, 'upstream_cx_overflow counted');
  t.equal(rm.requests.count, 1);
  t.notOk(b.connected);

  up.release(0, 'first');
  await a.settled('a');
  t.equal(a.body, 'first');
  await up.arrivals(2);
  t.equal(stats.upstreamRqPendingActive.value, 0);
  t.equal(stats.upstreamRqPendingTotal.value, 2, 'a waited for its connection too');
  up.release(1, 'second');
  await b.settled('b');
  t.equal(b.status, 200);
  t.equal(b.body, 'second');
  t.equal(up.ports[0], up.ports[1], 'b reused the connection a freed');
  t.equal(counters.cxTotal, 1);
  t.equal(rm.requests.count, 0);
  t.equal(rm.pendingRequests.count, 0);
  t.equal(rm.connections.count, 1, 'the idle connection still counts');
});

t.test('max_pending_requests: one waits, the next overflows at once', async (t) => {
  const up = await heldUpstream(t);
  const { pool, stats, rm } = makePool(t, up.port, { maxConnections: 1, maxPendingRequests: 1 });
  const a = send(pool);
  await up.arrivals(1);
  const b = send(pool);
  const c = send(pool);
  t.equal(pool.pending, 1);
  t.ok(c.error !== null, 'c failed synchronously');
  t.equal((c.error as { code?: string }).code, 'SKIFF_UPSTREAM_OVERFLOW');
  t.equal(stats.upstreamRqPendingOverflow.value, 1);
  t.equal(rm.pendingRequests.count, 1);
  up.release(0);
  await a.settled('a');
  await up.arrivals(2);
  up.release(1);
  await b.settled('b');
  t.equal(b.error, null);
  t.equal(up.held.length, 2, 'the overflowed request never reached the upstream');
});

t.test('max_requests: a request over the limit fails at once, never queued', async (t) => {
  const up = await heldUpstream(t);
  const { pool, stats, rm } = makePool(t, up.port, { maxRequests: 1 });
  const a = send(pool);
  await up.arrivals(1);
  const b = send(pool);
  t.equal((b.error as { code?: string } | null)?.code, 'SKIFF_UPSTREAM_OVERFLOW');
  t.equal(pool.pending, 0);
  t.equal(stats.upstreamRqPendingOverflow.value, 1, 'counted as upstream_rq_pending_overflow (as Envoy)');
  up.release(0);
  await a.settled('a');
  t.equal(rm.requests.count, 0);
  const c = send(pool);
  await up.arrivals(2);
  up.release(1);
  await c.settled('c');
  t.equal(c.error, null, 'a request fits again once the first ended');
});

t.test('a failed connect fails only the request it was opened for', async (t) => {
  const up = await heldUpstream(t);
  const real = buildConnector({ timeout: 2000 });
  let dials = 0;
  const flaky: BuildConnector.connector = (opts, cb) => {
    dials++;
    if (dials === 1) {
      const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      setImmediate(() => cb(err, null));
      return;
    }
    real(opts, cb);
  };
  const { pool, stats, counters } = makePool(t, up.port, {}, { connector: flaky });
  const failed = once(pool, 'connectionError');
  const a = send(pool, '/a');
  const b = send(pool, '/b');
  t.equal(pool.pending, 2);
  await a.settled('a');
  t.equal((a.error as { code?: string } | null)?.code, 'ECONNREFUSED', 'the oldest waiting request failed');
  await withTimeout(failed, WAIT_MS, 'connectionError event');
  await up.arrivals(1);
  t.equal(b.error, null, 'b is still being served');
  up.release(0, 'b');
  await b.settled('b');
  t.equal(b.body, 'b');
  t.equal(counters.cxConnectFail, 1);
  t.equal(stats.upstreamCxConnectFail.value, 1);
  t.equal(counters.cxTotal, 1);
});

t.test('connect refused: every waiting request gets its own attempt and failure', async (t) => {
  const up = await heldUpstream(t);
  const refuse: BuildConnector.connector = (_opts, cb) => {
    setImmediate(() => cb(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), null));
  };
  const { pool, stats, rm } = makePool(t, up.port, { maxConnections: 1 }, { connector: refuse });
  const a = send(pool);
  const b = send(pool);
  await Promise.all([a.settled('a'), b.settled('b')]);
  t.ok(a.error !== null && b.error !== null);
  t.equal(stats.upstreamCxConnectFail.value, 2);
  t.equal(rm.connections.count, 0);
  t.equal(rm.pendingRequests.count, 0);
  t.equal(pool.pending, 0);
});

t.test('a request aborted while pending leaves the queue and gets no callback', async (t) => {
  const up = await heldUpstream(t);
  const { pool, stats, rm } = makePool(t, up.port, { maxConnections: 1 });
  const a = send(pool);
  await up.arrivals(1);
  const b = send(pool);
  t.equal(pool.pending, 1);
  t.ok(pool.cancel(b));
  t.notOk(pool.cancel(b), 'only once');
  t.equal(pool.pending, 0);
  t.equal(rm.pendingRequests.count, 0);
  t.equal(stats.upstreamRqPendingActive.value, 0);
  t.equal(stats.upstreamRqCancelled.value, 1);
  up.release(0);
  await a.settled('a');
  const c = send(pool);
  await up.arrivals(2);
  up.release(1);
  await c.settled('c');
  t.equal(up.held.length, 2, 'b never reached the upstream');
  t.equal(b.error, null);
  t.notOk(b.connected);
});

t.test('max_requests_per_connection: each connection serves that many requests', async (t) => {
  const up = await heldUpstream(t);
  const { pool, counters, rm } = makePool(t, up.port, {}, { maxRequestsPerConnection: 1 });
  for (let i = 0; i < 3; i++) {
    const p = send(pool);
    await up.arrivals(i + 1);
    up.release(i);
    await p.settled(`request ${i}`);
    t.equal(p.error, null);
  }
  t.equal(new Set(up.ports).size, 3, 'three connections');
  t.equal(counters.cxTotal, 3);
  t.equal(rm.connections.count, 0, 'a used-up connection no longer counts');
});

t.test('an idle connection closed by its keep-alive timeout leaves the pool', async (t) => {
  const up = await heldUpstream(t);
  const { pool, rm, counters } = makePool(t, up.port, {}, { idleTimeoutMs: 50 });
  const gone = once(pool, 'disconnect');
  const a = send(pool);
  await up.arrivals(1);
  up.release(0);
  await a.settled('a');
  await withTimeout(gone, WAIT_MS, 'idle disconnect');
  t.equal(pool.connections, 0);
  t.equal(rm.connections.count, 0);
  t.equal(counters.cxActive, 0);
  const b = send(pool);
  await up.arrivals(2);
  up.release(1);
  await b.settled('b');
  t.equal(b.error, null, 'the next request opens a new connection');
  t.equal(counters.cxTotal, 2);
});

t.test('close() lets in-flight and pending requests finish, then refuses new ones', async (t) => {
  const up = await heldUpstream(t);
  const { pool, rm } = makePool(t, up.port, { maxConnections: 1 });
  const a = send(pool);
  await up.arrivals(1);
  const b = send(pool);
  let closed = false;
  const closing = pool.close().then(() => {
    closed = true;
  });
  t.ok(pool.closed);
  const late = send(pool);
  t.match(late.error, { code: 'UND_ERR_CLOSED' });
  up.release(0);
  await a.settled('a');
  await up.arrivals(2);
  t.notOk(closed, 'still serving b');
  up.release(1);
  await b.settled('b');
  await withTimeout(closing, WAIT_MS, 'close');
  t.equal(rm.connections.count, 0);
});
