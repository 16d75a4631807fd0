import type { Socket } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { OutlierResult } from '../../../lib/cluster/types.js';
import { echo, startTcpServer, TcpClient } from '../../helpers/tcp.js';
import { dialLoopback, harness, recordingObservers, TestCluster, testHost, until } from './tcp-fixtures.js';

const { NoClusterFound: NC, NoHealthyUpstream: UH, UpstreamOverflow: UO } = ResponseFlag;
const { UpstreamConnectionFailure: UF, UpstreamRetryLimitExceeded: URX, DurationTimeout: DT } = ResponseFlag;
const { LocalOriginConnectFailed: FAILED, LocalOriginConnectSuccessFinal: OK } = OutlierResult;

async function echoServer(t: Test, tag = '') {
  const up = await startTcpServer(echo(tag));
  t.teardown(() => up.close());
  return up;
}

t.test('NC: no cluster by the picked name closes at once and counts no_route', async (t) => {
  const obs = recordingObservers();
  const h = await harness({
    clusters: [],
    config: { clusters: [{ name: 'missing', weight: 1 }] },
    observers: obs,
  });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.responseFlags, NC);
  t.equal(h.logged[0]!.upstreamCluster, null);
  t.equal(h.logged[0]!.upstreamHost, null);
  t.equal(h.stats.downstreamCxNoRoute.value, 1);
  t.equal(h.stats.downstreamCxTotal.value, 1);
  t.same(obs.log.events, ['closed'], 'closed once, never opened');
  t.same(h.scheduler.live(), [], 'no timer left behind');
});

t.test('UH: a cluster without a usable host', async (t) => {
  const cluster = new TestCluster('backend', []);
  const h = await harness({ clusters: [cluster] });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.responseFlags, UH);
  t.equal(h.logged[0]!.upstreamCluster, 'backend');
  t.equal(h.logged[0]!.upstreamHost, null);
  t.equal(cluster.stats.upstreamCxNoneHealthy.value, 1);
  t.equal(cluster.rm.connections.count, 0);
});

t.test('UO: max_connections full refuses the next connection; closing gives the slot back', async (t) => {
  const up = await echoServer(t);
  const host = testHost(1, { kind: 'port', port: up.port });
  const cluster = new TestCluster('backend', [host], 1);
  const h = await harness({ clusters: [cluster] });
  t.teardown(() => h.close());
  const first = new TcpClient(h.port);
  first.socket.write('x');
  await first.waitFor(/^x$/);
  t.equal(cluster.rm.connections.count, 1);
  const second = new TcpClient(h.port);
  await second.waitClosed();
  await until(() => h.logged.length === 1, 'second logged');
  t.equal(h.logged[0]!.responseFlags, UO);
  t.equal(cluster.stats.upstreamCxOverflow.value, 1);
  t.equal(host.dials, 1, 'the refused connection never dialled');
  first.destroy();
  await until(() => h.logged.length === 2, 'first logged');
  t.equal(cluster.rm.connections.count, 0);
});

t.test('a failed connect is retried on another host, feeding outlier detection', async (t) => {
  const up = await echoServer(t);
  const bad = testHost(1, { kind: 'fail' });
  const good = testHost(2, { kind: 'port', port: up.port });
  const cluster = new TestCluster('backend', [bad, good]);
  const h = await harness({ clusters: [cluster], config: { maxConnectAttempts: 2 } });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  c.socket.write('hi');
  await c.waitFor(/^hi$/);
  t.same(bad.outcomes, [FAILED]);
  t.same(good.outcomes, [OK]);
  t.equal(bad.counters.cxConnectFail, 1);
  t.equal(cluster.stats.upstreamCxConnectFail.value, 1);
  t.equal(cluster.stats.upstreamCxTotal.value, 1);
  t.equal(h.sessions[0]!.upstreamHost, good.authority);
  c.socket.end();
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.responseFlags, 0, 'a successful retry sets no flag');
  t.equal(h.logged[0]!.upstreamHost, good.authority);
});

t.test('UF + URX when every connect attempt failed; UF alone after a single attempt', async (t) => {
  const a = testHost(1, { kind: 'fail' });
  const b = testHost(2, { kind: 'fail' });
  const cluster = new TestCluster('backend', [a, b]);
  const obs = recordingObservers();
  const h = await harness({ clusters: [cluster], config: { maxConnectAttempts: 3 }, observers: obs });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  c.socket.write('held');
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.responseFlags, UF | URX);
  t.equal(a.dials + b.dials, 3);
  t.same([...a.outcomes, ...b.outcomes], [FAILED, FAILED, FAILED]);
  t.equal(cluster.stats.upstreamCxConnectFail.value, 3);
  t.equal(cluster.rm.connections.count, 0);
  t.same(obs.log.events, ['closed'], 'closed once without opened when the connect failed');

  const single = testHost(3, { kind: 'fail' });
  const one = await harness({ clusters: [new TestCluster('backend', [single])] });
  t.teardown(() => one.close());
  await new TcpClient(one.port).waitClosed();
  await until(() => one.logged.length === 1, 'access log');
  t.equal(one.logged[0]!.responseFlags, UF);
});

t.test('a connect timeout counts upstream_cx_connect_timeout and logs the transport failure', async (t) => {
  const host = testHost(1, {
    kind: 'custom',
    dial: (cb) => {
      const err = Object.assign(new Error('Connect Timeout Error'), {
        code: 'UND_ERR_CONNECT_TIMEOUT',
        transportFailureReason: 'delayed connect error: 110',
      });
      setImmediate(() => cb(err, null));
    },
  });
  const cluster = new TestCluster('backend', [host]);
  const h = await harness({ clusters: [cluster] });
  t.teardown(() => h.close());
  await new TcpClient(h.port).waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(cluster.stats.upstreamCxConnectTimeout.value, 1);
  t.equal(cluster.stats.upstreamCxConnectFail.value, 1);
  t.equal(h.logged[0]!.responseFlags, UF);
  t.equal(h.logged[0]!.upstreamTransportFailureReason, 'delayed connect error: 110');
});

t.test(
  'bytes read while dialling go upstream first and in order; the buffer limit pauses reading',
  async (t) => {
    const up = await echoServer(t);
    const host = testHost(1, { kind: 'hold' });
    const h = await harness({ clusters: [new TestCluster('backend', [host])], bufferLimitBytes: 8 });
    t.teardown(() => h.close());
    const c = new TcpClient(h.port);
    await until(() => host.held !== null, 'dial');
    c.socket.write('one');
    await until(() => h.sessions[0]!.bytesReceived === 3, 'first chunk');
    t.notOk(h.downs[0]!.isPaused(), 'below the limit reading goes on');
    c.socket.write('two');
    c.socket.write('three');
    await until(() => h.sessions[0]!.bytesReceived === 11, 'held bytes');
    t.ok(h.downs[0]!.isPaused(), 'at the limit reading stops');
    t.equal(c.received, '');
    dialLoopback(up.port, host.held!);
    await c.waitFor(/^onetwothree$/);
    t.notOk(h.downs[0]!.isPaused(), 'reading resumes once connected');
    c.socket.write('four');
    await c.waitFor(/^onetwothreefour$/);
    t.equal(h.sessions[0]!.bytesSent, 15);
  },
);

t.test('a FIN read while dialling is forwarded after the held bytes', async (t) => {
  const up = await echoServer(t);
  const host = testHost(1, { kind: 'hold' });
  const h = await harness({ clusters: [new TestCluster('backend', [host])] });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  await until(() => host.held !== null, 'dial');
  c.socket.end('bye');
  await until(() => h.sessions[0]!.bytesReceived === 3, 'held bytes');
  dialLoopback(up.port, host.held!);
  await c.waitClosed();
  t.equal(c.received, 'bye');
  t.ok(c.ended, 'the echo server answered the FIN with its own');
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.responseFlags, 0);
});

t.test('downstream closing while dialling: finishes once, after the dial, with the slot back', async (t) => {
  const up = await echoServer(t);
  for (const outcome of ['connected', 'failed'] as const) {
    const host = testHost(1, { kind: 'hold' });
    const cluster = new TestCluster('backend', [host]);
    const obs = recordingObservers();
    const h = await harness({ clusters: [cluster], config: { maxConnectAttempts: 3 }, observers: obs });
    t.teardown(() => h.close());
    const c = new TcpClient(h.port);
    await until(() => host.held !== null, 'dial');
    t.equal(cluster.rm.connections.count, 1, `${outcome}: the dial holds a connection`);
    c.socket.resetAndDestroy();
    await until(() => h.downs[0]!.closed, 'downstream closed');
    await tick();
    t.equal(h.logged.length, 0, `${outcome}: not finished while the dial is out`);
    if (outcome === 'connected') dialLoopback(up.port, host.held!);
    else host.held!(new Error('connect ECONNREFUSED'), null);
    await until(() => h.logged.length === 1, 'access log');
    await tick();
    t.equal(h.logged.length, 1, `${outcome}: logged once`);
    t.equal(cluster.rm.connections.count, 0, `${outcome}: slot released`);
    t.equal(host.dials, 1, `${outcome}: no retry for a gone downstream`);
    t.same(obs.log.events, ['closed'], `${outcome}: closed once, never opened`);
    t.same(h.scheduler.live(), [], `${outcome}: no timer left`);
  }
  await until(() => up.sockets.size === 0, 'the late upstream connection closed');
});

t.test('idle timeout: one timer re-armed from the last activity, not per chunk', async (t) => {
  const up = await echoServer(t);
  const h = await harness({
    clusters: [new TestCluster('backend', [testHost(1, { kind: 'port', port: up.port })])],
    config: { idleTimeoutMs: 1000 },
  });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  c.socket.write('a');
  await c.waitFor(/^a$/);
  t.equal(h.scheduler.live().length, 1);
  const scheduled = h.scheduler.timers.length;
  for (const s of ['b', 'c', 'd']) {
    c.socket.write(s);
    await c.waitFor(new RegExp(`${s}$`));
  }
  t.equal(h.scheduler.timers.length, scheduled, 'chunks arm no timer');
  h.clock.wall += 600;
  c.socket.write('e');
  await c.waitFor(/e$/);
  h.clock.wall += 400;
  h.scheduler.fireLast();
  t.equal(h.stats.idleTimeout.value, 0, 'activity 400 ms ago keeps it open');
  t.equal(h.scheduler.live().length, 1);
  t.equal(h.scheduler.live()[0]!.ms, 600, 're-armed for the rest of the idle time');
  t.notOk(c.closed);
  h.clock.wall += 600;
  h.scheduler.fireLast();
  t.equal(h.stats.idleTimeout.value, 1);
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.responseFlags, 0);
  t.equal(h.logged[0]!.bytesReceived, 5);
  t.same(h.scheduler.live(), []);
});

t.test('max_downstream_connection_duration closes with DT, sharing the timer with idle', async (t) => {
  const up = await echoServer(t);
  const h = await harness({
    clusters: [new TestCluster('backend', [testHost(1, { kind: 'port', port: up.port })])],
    config: { idleTimeoutMs: 3000, maxDownstreamConnectionDurationMs: 5000 },
  });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  c.socket.write('a');
  await c.waitFor(/^a$/);
  t.equal(h.scheduler.live().length, 1);
  t.equal(h.scheduler.live()[0]!.ms, 3000, 'idle comes first');
  h.clock.wall += 2500;
  c.socket.write('b');
  await c.waitFor(/b$/);
  h.clock.wall += 500;
  h.scheduler.fireLast();
  t.equal(h.scheduler.live().length, 1);
  t.equal(h.scheduler.live()[0]!.ms, 2000, 'now the duration deadline is first');
  h.clock.wall += 2000;
  h.scheduler.fireLast();
  t.equal(h.stats.maxDownstreamConnectionDuration.value, 1);
  t.equal(h.stats.idleTimeout.value, 0);
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.responseFlags, DT);
  t.equal(h.logged[0]!.durationMs, 5000);
});

t.test('observer and access-log record of a proxied connection with half-close', async (t) => {
  const up = await echoServer(t, 'T:');
  const host = testHost(1, { kind: 'port', port: up.port });
  const cluster = new TestCluster('backend', [host]);
  const obs = recordingObservers();
  const h = await harness({ clusters: [cluster], observers: obs });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  c.socket.write('hello');
  await c.waitFor(/^T:hello$/);
  t.same(obs.log.events, ['opened']);
  t.equal(obs.log.hostAtOpen, host.authority, 'opened after the host was connected');
  h.clock.wall += 250;
  c.socket.end();
  await c.waitClosed();
  t.ok(c.ended, 'the upstream FIN reached downstream');
  await until(() => h.logged.length === 1, 'access log');
  t.same(obs.log.events, ['opened', 'closed']);
  const r = h.logged[0]!;
  t.match(r, {
    bytesReceived: 5,
    bytesSent: 7,
    upstreamHost: host.authority,
    upstreamCluster: 'backend',
    responseFlags: 0,
    durationMs: 250,
    downstreamRemoteAddress: /^127\.0\.0\.1:\d+$/,
    upstreamLocalAddress: /^127\.0\.0\.1:\d+$/,
  });
  t.equal(h.stats.downstreamCxRxBytesTotal.value, 5);
  t.equal(h.stats.downstreamCxTxBytesTotal.value, 7);
  t.match(cluster.stats.upstreamCxTxBytesTotal, { value: 5 });
  t.match(cluster.stats.upstreamCxRxBytesTotal, { value: 7 });
  t.equal(cluster.stats.upstreamCxTotal.value, 1);
  t.equal(cluster.stats.upstreamCxActive.value, 0);
  t.equal(host.counters.cxTotal, 1);
  t.equal(host.counters.cxActive, 0);
  t.equal(cluster.rm.connections.count, 0);
});

t.test('a reset on either side resets the other', async (t) => {
  const upstreamSockets: { s: Socket; error: string | null; ended: boolean }[] = [];
  const up = await startTcpServer((s) => {
    const rec = { s, error: null as string | null, ended: false };
    upstreamSockets.push(rec);
    s.on('error', (e: NodeJS.ErrnoException) => {
      rec.error = e.code ?? e.message;
    });
    s.on('end', () => {
      rec.ended = true;
    });
    s.write('ready');
  });
  t.teardown(() => up.close());
  const h = await harness({
    clusters: [new TestCluster('backend', [testHost(1, { kind: 'port', port: up.port })])],
  });
  t.teardown(() => h.close());

  const a = new TcpClient(h.port);
  await a.waitFor(/ready/);
  a.socket.resetAndDestroy();
  await until(() => upstreamSockets[0]!.s.closed, 'upstream closed');
  t.equal(upstreamSockets[0]!.error, 'ECONNRESET', 'downstream reset → upstream reset');
  t.notOk(upstreamSockets[0]!.ended, 'no FIN before the reset');

  const b = new TcpClient(h.port);
  await b.waitFor(/ready/);
  upstreamSockets[1]!.s.resetAndDestroy();
  await b.waitClosed();
  t.equal(b.error, 'ECONNRESET', 'upstream reset → downstream reset');
  await until(() => h.logged.length === 2, 'both logged');
});
