import { connect } from 'node:net';
import t, { type Test } from 'tap';
import { TcpPlainListener } from '../../../lib/listener/tcp-listener.js';
import { Counter, Gauge } from '../../../lib/stats/cells.js';
import { echo, startTcpServer, TcpClient } from '../../helpers/tcp.js';
import { withTimeout } from '../cluster/fixtures.js';
import { harness, TestCluster, testHost, until } from '../tcp/tcp-fixtures.js';

async function runtimeTo(t: Test, tag: string) {
  const up = await startTcpServer(echo(tag));
  t.teardown(() => up.close());
  const h = await harness({
    clusters: [new TestCluster('backend', [testHost(1, { kind: 'port', port: up.port })])],
  });
  t.teardown(() => h.close());
  return { ...h.rt, drainTimeoutMs: 100 };
}

t.test('accepts straight into sessions, counts, swaps runtimes for new connections only', async (t) => {
  const stats = { downstreamCxTotal: new Counter(), downstreamCxActive: new Gauge() };
  const l = new TcpPlainListener(await runtimeTo(t, 'A:'), stats);
  await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r));
  const port = (l.server.address() as { port: number }).port;
  const first = new TcpClient(port);
  await first.waitFor(/^A:$/);
  l.update(await runtimeTo(t, 'B:'));
  const second = new TcpClient(port);
  await second.waitFor(/^B:$/);
  first.socket.write('x');
  await first.waitFor(/^A:x$/);
  t.equal(stats.downstreamCxTotal.value, 2);
  t.equal(stats.downstreamCxActive.value, 2);

  // Open sessions hold the close until the drain deadline destroys them.
  const closed = l.close();
  await withTimeout(first.waitClosed(), 5000, 'first closed at the drain deadline');
  await withTimeout(second.waitClosed(), 5000, 'second closed at the drain deadline');
  await withTimeout(closed, 5000, 'close');
  // The deadline destroys the sockets; their 'close' events (and the gauge) follow.
  await until(() => stats.downstreamCxActive.value === 0, 'active back to 0');
  const refused = await new Promise<string>((r) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', (e: NodeJS.ErrnoException) => r(e.code ?? e.message));
    s.on('connect', () => {
      s.destroy();
      r('connected');
    });
  });
  t.equal(refused, 'ECONNREFUSED', 'no longer accepting');
});

t.test('close with nothing open resolves at once', async (t) => {
  const stats = { downstreamCxTotal: new Counter(), downstreamCxActive: new Gauge() };
  const l = new TcpPlainListener(await runtimeTo(t, ''), stats);
  await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r));
  await withTimeout(l.close(), 1000, 'close');
  t.notOk(l.server.listening);
});
