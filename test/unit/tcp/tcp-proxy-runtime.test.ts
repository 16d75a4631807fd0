import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { AccessLogSinks } from '../../../lib/accesslog/sink.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import {
  buildTcpProxyRuntime,
  isTcpRuntime,
  TCP_DRAIN_TIMEOUT_MS,
  type TcpRuntimeDeps,
} from '../../../lib/tcp/tcp-proxy-runtime.js';
import { serveTcp } from '../../../lib/tcp/tcp-session.js';
import { systemScheduler } from '../../../lib/util/scheduler.js';
import { FakeClock, FakeScheduler, fixedRandom } from '../../helpers/fake-time.js';
import { echo, startTcpServer, TcpClient, tcpProxyConfig } from '../../helpers/tcp.js';
import { TestCluster, testHost, until } from './tcp-fixtures.js';

function deps(over: Partial<TcpRuntimeDeps> = {}): TcpRuntimeDeps {
  return {
    clusters: { get: () => undefined },
    stats: new StatsRegistry(),
    sinks: new AccessLogSinks(),
    clock: new FakeClock(0),
    random: fixedRandom(0),
    ...over,
  };
}

t.test('defaults as Envoy: 1 MiB connect buffer, drain timeout, system timers, no observers', async (t) => {
  const rt = buildTcpProxyRuntime(tcpProxyConfig(), deps());
  t.equal(rt.kind, 'tcp');
  t.ok(isTcpRuntime(rt));
  t.notOk(isTcpRuntime({ kind: 'hcm' }));
  t.notOk(isTcpRuntime({}));
  t.equal(rt.bufferLimitBytes, 1024 * 1024);
  t.equal(rt.drainTimeoutMs, TCP_DRAIN_TIMEOUT_MS);
  t.equal(rt.scheduler, systemScheduler);
  t.equal(rt.observers, null);
  t.equal(rt.accessLog, null, 'no access_log, nothing to call per connection');
  t.equal(rt.picker.pick(), 'backend');
});

t.test('chains with one stat_prefix share their tcp.* cells', async (t) => {
  const d = deps();
  const a = buildTcpProxyRuntime(tcpProxyConfig({ statPrefix: 'db' }), d);
  const b = buildTcpProxyRuntime(tcpProxyConfig({ statPrefix: 'db' }), d);
  const c = buildTcpProxyRuntime(tcpProxyConfig({ statPrefix: 'cache' }), d);
  t.equal(a.stats, b.stats);
  t.not(a.stats, c.stats);
  a.stats.downstreamCxTotal.inc();
  const text = await d.stats.metrics();
  t.match(text, /envoy_tcp_downstream_cx_total\{envoy_tcp_prefix="db"\} 1/);
});

t.test('a built runtime serves a connection and writes its access-log line', async (t) => {
  const up = await startTcpServer(echo());
  t.teardown(() => up.close());
  const cluster = new TestCluster('backend', [testHost(1, { kind: 'port', port: up.port })]);
  const path = join(mkdtempSync(join(tmpdir(), 'skiff-tcp-')), 'access.log');
  const sinks = new AccessLogSinks();
  const rt = buildTcpProxyRuntime(
    tcpProxyConfig({
      accessLog: [
        {
          name: 'file',
          path,
          textFormat: '%UPSTREAM_CLUSTER% %UPSTREAM_HOST% %BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_FLAGS%\n',
          jsonFormat: null,
        },
      ],
    }),
    deps({
      clusters: { get: (n) => (n === 'backend' ? cluster : undefined) },
      sinks,
      scheduler: new FakeScheduler(),
    }),
  );
  const open = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => {
    open.add(s);
    serveTcp(rt, s, null);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  );
  const c = new TcpClient((server.address() as { port: number }).port);
  c.socket.end('abc');
  await c.waitFor(/^abc$/);
  await c.waitClosed();
  await until(() => cluster.rm.connections.count === 0, 'session closed');
  await sinks.closeAll();
  t.equal(readFileSync(path, 'utf8'), `backend ${cluster.list[0]!.authority} 3 3 -\n`);
});
