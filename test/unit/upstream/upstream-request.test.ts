import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { ClusterImpl } from '../../../lib/cluster/cluster.js';
import { systemDnsResolver } from '../../../lib/cluster/dns-resolver.js';
import type { Host } from '../../../lib/cluster/types.js';
import type { HostPool } from '../../../lib/upstream/host-pool.js';
import type { UpstreamFailure } from '../../../lib/upstream/upstream-errors.js';
import {
  type UpstreamCallbacks,
  UpstreamRequest,
  type UpstreamRequestOptions,
} from '../../../lib/upstream/upstream-request.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, endpoint, fakeClusterStats, withTimeout } from '../cluster/fixtures.js';
import { closedPort } from '../cluster/servers.js';

const WAIT_MS = 5000;

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A real upstream on 127.0.0.1:0 whose handler each test sets. */
async function upstream(t: Test, handler: Handler): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await withTimeout(once(server, 'listening'), WAIT_MS, 'listening');
  t.teardown(async () => {
    server.closeAllConnections();
    await withTimeout(new Promise<void>((r) => server.close(() => r())), WAIT_MS, 'server close');
  });
  return { port: (server.address() as AddressInfo).port, server };
}

/** A single-host STATIC cluster; teardown closes its pool before the upstream closes. */
function hostFor(t: Test, port: number): Host {
  const cluster = new ClusterImpl(clusterConfig({ endpoints: [endpoint('127.0.0.1', port)] }), {
    random: seededRandom(1),
    stats: fakeClusterStats(),
    resolver: systemDnsResolver,
    log: () => {},
    initialDnsTimeoutMs: 1000,
  });
  t.teardown(() => withTimeout(cluster.close(), WAIT_MS, 'cluster close'));
  return cluster.hosts()[0]!;
}

type Event =
  | { kind: 'headers'; status: number; headers: Buffer[] }
  | { kind: 'data'; chunk: Buffer }
  | { kind: 'complete'; trailers: Buffer[] | null }
  | { kind: 'failure'; failure: UpstreamFailure };

/** Records every callback; `done` settles on the first terminal one. */
class Recorder implements UpstreamCallbacks {
  readonly events: Event[] = [];
  readonly done: Promise<void>;
  onHeaders: (status: number) => boolean = () => true;
  onData: (chunk: Buffer) => boolean = () => true;
  private resolveDone!: () => void;

  constructor() {
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
  }

  onUpstreamHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.events.push({ kind: 'headers', status: statusCode, headers: rawHeaders });
    return this.onHeaders(statusCode);
  }
  onUpstreamData(chunk: Buffer): boolean {
    this.events.push({ kind: 'data', chunk });
    return this.onData(chunk);
  }
  progress = 0;
  onRequestProgress(): void {
    this.progress++;
  }
  onUpstreamComplete(rawTrailers: Buffer[] | null): void {
    this.events.push({ kind: 'complete', trailers: rawTrailers });
    this.resolveDone();
  }
  onUpstreamFailure(failure: UpstreamFailure): void {
    this.events.push({ kind: 'failure', failure });
    this.resolveDone();
  }

  kinds(): string[] {
    const out: string[] = [];
    for (const e of this.events) if (out[out.length - 1] !== e.kind || e.kind !== 'data') out.push(e.kind);
    return out;
  }

  body(): string {
    return Buffer.concat(this.events.flatMap((e) => (e.kind === 'data' ? [e.chunk] : []))).toString();
  }
}

/** Sees what undici reports even after an abort, when UpstreamRequest stays silent by design. */
class Probe extends UpstreamRequest {
  readonly undiciDone: Promise<void>;
  private resolveUndici!: () => void;
  constructor(host: Host, cb: UpstreamCallbacks) {
    super(host, cb);
    this.undiciDone = new Promise((r) => {
      this.resolveUndici = r;
    });
  }
  override onError(err: Error): void {
    super.onError(err);
    this.resolveUndici();
  }
  override onComplete(trailers: string[] | Buffer[] | null): void {
    super.onComplete(trailers);
    this.resolveUndici();
  }
}

function get(path = '/'): UpstreamRequestOptions {
  return { method: 'GET', path, headers: ['host', 'upstream.test'], body: null };
}

/** A few turns of the event loop, so a stray late callback would have shown up. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

function rawHeaderMap(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2)
    out[raw[i]!.toString('latin1').toLowerCase()] = raw[i + 1]!.toString();
  return out;
}

t.test('success: headers, data and complete are delivered once and counters balance', async (t) => {
  let seenHost = '';
  const { port } = await upstream(t, (req, res) => {
    seenHost = req.headers.host ?? '';
    res.setHeader('X-Up', 'yes');
    res.end('hello');
  });
  const host = hostFor(t, port);
  const rec = new Recorder();
  const ur = new Probe(host, rec);
  ur.start(get('/x'));
  t.equal(host.counters.activeRequests, 1, 'active while in flight');
  t.equal(host.counters.rqTotal, 1);
  await withTimeout(rec.done, WAIT_MS, 'response');
  await settle();
  t.same(rec.kinds(), ['headers', 'data', 'complete']);
  const head = rec.events[0] as Extract<Event, { kind: 'headers' }>;
  t.equal(head.status, 200);
  t.ok(
    head.headers.every((b) => Buffer.isBuffer(b)),
    'raw header buffers',
  );
  t.equal(rawHeaderMap(head.headers)['x-up'], 'yes');
  t.equal(rec.body(), 'hello');
  t.equal(seenHost, 'upstream.test');
  t.ok(ur.requestStarted);
  t.ok(ur.headersReceived);
  t.same(
    { ...host.counters, cxTotal: 0, cxActive: 0 },
    {
      activeRequests: 0,
      rqTotal: 1,
      rqSuccess: 1,
      rqError: 0,
      rqTimeout: 0,
      cxTotal: 0,
      cxActive: 0,
      cxConnectFail: 0,
    },
  );
  ur.abort(new Error('late abort'));
  t.equal(host.counters.rqError, 0, 'abort after completion changes nothing');
  t.equal(host.counters.activeRequests, 0);
});

t.test('a request body is sent and counted', async (t) => {
  const { port } = await upstream(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(`got ${Buffer.concat(chunks).toString()}`));
  });
  const host = hostFor(t, port);
  const rec = new Recorder();
  const ur = new UpstreamRequest(host, rec);
  ur.start({
    method: 'POST',
    path: '/',
    headers: ['host', 'u', 'content-length', '5'],
    body: Buffer.from('12345'),
  });
  await withTimeout(rec.done, WAIT_MS, 'response');
  t.equal(rec.body(), 'got 12345');
  t.equal(ur.bytesSent, 5);
  t.equal(host.counters.rqSuccess, 1);
});

t.test('data back-pressure: returning false pauses until resume()', async (t) => {
  const big = Buffer.alloc(512 * 1024, 0x61);
  const { port } = await upstream(t, (_req, res) => {
    res.setHeader('content-length', String(big.length));
    res.end(big);
  });
  const host = hostFor(t, port);
  const rec = new Recorder();
  const ur = new UpstreamRequest(host, rec);
  let pauses = 0;
  rec.onData = () => {
    pauses++;
    setImmediate(() => ur.resume());
    return false;
  };
  ur.start(get());
  await withTimeout(rec.done, WAIT_MS, 'resumed response');
  t.equal(rec.body().length, big.length, 'the whole body arrives after resumes');
  t.ok(pauses >= 1);
  t.equal(rec.events[rec.events.length - 1]!.kind, 'complete');
  t.equal(host.counters.rqSuccess, 1);
});

t.test('abort before connect delivers nothing and balances counters', async (t) => {
  let requests = 0;
  const { port } = await upstream(t, (_req, res) => {
    requests++;
    res.end('should not be seen');
  });
  const host = hostFor(t, port);
  const rec = new Recorder();
  const ur = new Probe(host, rec);
  ur.start(get());
  ur.abort(new Error('downstream gone'));
  t.equal(host.counters.activeRequests, 0, 'released at once');
  t.equal(host.counters.rqError, 1);
  ur.abort(new Error('again'));
  t.equal(host.counters.rqError, 1, 'abort is idempotent');
  t.equal((host.dispatcher() as unknown as HostPool).pending, 0, 'it left the pending queue at once');
  await settle();
  t.same(rec.events, [], 'no callback at all');
  t.equal(requests, 0, 'the upstream never saw the request');
  t.equal(host.counters.activeRequests, 0);
  t.equal(host.counters.rqTotal, 1);
  t.equal(host.counters.rqSuccess, 0);
  t.equal(host.counters.rqError, 1);

  // The pool stays usable for the next attempt.
  const rec2 = new Recorder();
  new UpstreamRequest(host, rec2).start(get());
  await withTimeout(rec2.done, WAIT_MS, 'second response');
  t.equal(rec2.body(), 'should not be seen');
  t.equal(host.counters.rqSuccess, 1);
  t.equal(host.counters.activeRequests, 0);
});

t.test('abort after headers delivers nothing further and closes the upstream connection', async (t) => {
  const held: http.ServerResponse[] = [];
  let upstreamClosed!: Promise<unknown>;
  const { port } = await upstream(t, (req, res) => {
    upstreamClosed = once(req.socket, 'close');
    held.push(res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('part one');
  });
  const host = hostFor(t, port);
  const rec = new Recorder();
  const ur = new Probe(host, rec);
  rec.onHeaders = () => {
    ur.abort(new Error('downstream gone'));
    return true;
  };
  ur.start(get());
  await withTimeout(ur.undiciDone, WAIT_MS, 'undici to settle the aborted request');
  await withTimeout(upstreamClosed, WAIT_MS, 'upstream socket close');
  await settle();
  t.same(rec.kinds(), ['headers'], 'headers only: no data, complete or failure');
  t.equal(held.length, 1);
  t.equal(host.counters.activeRequests, 0);
  t.equal(host.counters.rqTotal, 1);
  t.equal(host.counters.rqSuccess, 0);
  t.equal(host.counters.rqError, 1);
});

t.test('a refused port delivers one connect failure', async (t) => {
  const port = await closedPort();
  const host = hostFor(t, port);
  const rec = new Recorder();
  const ur = new UpstreamRequest(host, rec);
  ur.start(get());
  await withTimeout(rec.done, WAIT_MS, 'failure');
  await settle();
  t.same(rec.kinds(), ['failure']);
  const f = (rec.events[0] as Extract<Event, { kind: 'failure' }>).failure;
  t.equal(f.reason, 'remote connection failure');
  t.equal(f.connectFailure, true);
  t.equal(f.afterHeaders, false);
  t.equal(f.flag, ResponseFlag.UpstreamConnectionFailure);
  t.equal(f.transportFailureReason, 'delayed connect error: Connection refused');
  t.notOk(ur.headersReceived);
  t.equal(host.counters.activeRequests, 0);
  t.equal(host.counters.rqTotal, 1);
  t.equal(host.counters.rqError, 1);
  t.equal(host.counters.rqSuccess, 0);
});

t.test('an upstream reset after headers is a failure with afterHeaders', async (t) => {
  const { port } = await upstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial', () => res.socket?.destroy());
  });
  const host = hostFor(t, port);
  const rec = new Recorder();
  const ur = new UpstreamRequest(host, rec);
  ur.start(get());
  await withTimeout(rec.done, WAIT_MS, 'failure');
  await settle();
  const kinds = rec.kinds();
  t.equal(kinds[0], 'headers');
  t.equal(kinds[kinds.length - 1], 'failure');
  t.equal(kinds.filter((k) => k === 'failure' || k === 'complete').length, 1, 'one terminal callback');
  const f = (rec.events[rec.events.length - 1] as Extract<Event, { kind: 'failure' }>).failure;
  t.equal(f.afterHeaders, true);
  t.equal(f.connectFailure, false);
  t.equal(f.reason, 'connection termination');
  t.equal(host.counters.activeRequests, 0);
  t.equal(host.counters.rqError, 1);
});

t.test('an upstream close before headers is a connection termination', async (t) => {
  const { port } = await upstream(t, (req) => {
    req.socket.destroy();
  });
  const host = hostFor(t, port);
  const rec = new Recorder();
  new UpstreamRequest(host, rec).start(get());
  await withTimeout(rec.done, WAIT_MS, 'failure');
  await settle();
  t.same(rec.kinds(), ['failure']);
  const f = (rec.events[0] as Extract<Event, { kind: 'failure' }>).failure;
  t.equal(f.reason, 'connection termination');
  t.equal(f.afterHeaders, false);
  t.equal(f.connectFailure, false);
  t.equal(host.counters.rqError, 1);
  t.equal(host.counters.activeRequests, 0);
});

t.test('invalid request arguments become one failure', async (t) => {
  const { port } = await upstream(t, (_req, res) => res.end());
  const host = hostFor(t, port);
  const rec = new Recorder();
  let inStart = false;
  let duringStart = false;
  rec.onHeaders = () => true;
  const cb: UpstreamCallbacks = {
    onUpstreamHeaders: (s, h) => rec.onUpstreamHeaders(s, h),
    onUpstreamData: (c) => rec.onUpstreamData(c),
    onRequestProgress: () => rec.onRequestProgress(),
    onUpstreamComplete: (tr) => rec.onUpstreamComplete(tr),
    onUpstreamFailure: (f) => {
      duringStart = inStart;
      rec.onUpstreamFailure(f);
    },
  };
  const ur = new UpstreamRequest(host, cb);
  inStart = true;
  ur.start({ method: 'GET', path: '/', headers: ['x-bad', 'a\r\nb'], body: null });
  inStart = false;
  await withTimeout(rec.done, WAIT_MS, 'failure');
  await settle();
  t.same(rec.kinds(), ['failure']);
  t.equal(host.counters.activeRequests, 0);
  t.equal(host.counters.rqError, 1);
  t.comment(`failure delivered ${duringStart ? 'synchronously inside' : 'after'} start()`);
});
