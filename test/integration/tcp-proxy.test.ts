/** tcp_proxy end to end: a running Skiff, real upstream servers and real client sockets. */
import { createServer } from 'node:net';
import t from 'tap';
import { Skiff } from '../../lib/server/skiff.js';
import type { TcpConnectionObserver, TcpSessionView } from '../../lib/tcp/tcp-session-view.js';
import { createLogger } from '../../lib/util/logger.js';
import { staticCluster, type Teardown } from '../helpers/proxy.js';
import { echo, startTcpServer, TcpClient, tcpBootstrap } from '../helpers/tcp.js';
import { eventually } from '../helpers/wait.js';

type Up = Awaited<ReturnType<typeof startTcpServer>>;

async function start(
  t: Teardown,
  b: ReturnType<typeof tcpBootstrap>,
  opts = {},
): Promise<{ skiff: Skiff; port: number; metrics(): Promise<string> }> {
  const skiff = await Skiff.start(b, { logger: createLogger('off'), adminPort: 0, ...opts });
  t.teardown(() => skiff.stop());
  return { skiff, port: skiff.listenerPort('tcp'), metrics: () => skiff.stats.metrics() };
}

async function upstream(t: Teardown, onSocket: Parameters<typeof startTcpServer>[0]): Promise<Up> {
  const up = await startTcpServer(onSocket);
  t.teardown(() => up.close());
  return up;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function metric(text: string, name: string, label: string): number {
  const re = new RegExp(`^${name}\\{[^}]*"${label}"[^}]*\\} (\\d+)$`, 'm');
  const m = re.exec(text);
  return m === null ? -1 : Number(m[1]);
}

t.test('echo through a plaintext listener: bytes, stats, observer', async (t) => {
  const up = await upstream(t, echo());
  const events: string[] = [];
  let view: TcpSessionView | null = null;
  const observer = (v: TcpSessionView): TcpConnectionObserver => {
    view = v;
    return {
      opened: () => events.push('opened'),
      closed: () => events.push(`closed ${v.bytesReceived}/${v.bytesSent}`),
    };
  };
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port)), {
    tcpObservers: () => ({ observe: observer }),
  });
  const c = new TcpClient(p.port);
  c.socket.write('hello');
  await c.waitFor(/^hello$/);
  c.socket.end();
  await c.waitClosed();
  await eventually(() => events.length === 2, 'observer closed');
  t.same(events, ['opened', 'closed 5/5']);
  t.equal(view!.upstreamCluster, 'backend');
  t.equal(view!.upstreamHost, `127.0.0.1:${up.port}`);
  const m = await p.metrics();
  t.equal(metric(m, 'envoy_tcp_downstream_cx_total', 'tcp_test'), 1);
  t.equal(metric(m, 'envoy_tcp_downstream_cx_rx_bytes_total', 'tcp_test'), 5);
  t.equal(metric(m, 'envoy_tcp_downstream_cx_tx_bytes_total', 'tcp_test'), 5);
  t.equal(metric(m, 'envoy_cluster_upstream_cx_total', 'backend'), 1);
  t.equal(metric(m, 'envoy_cluster_upstream_cx_tx_bytes_total', 'backend'), 5);
  t.equal(metric(m, 'envoy_cluster_upstream_cx_rx_bytes_total', 'backend'), 5);
  await eventually(
    async () => metric(await p.metrics(), 'envoy_cluster_upstream_cx_active', 'backend') === 0,
    'cx_active 0',
  );
  t.match(m, /envoy_cluster_upstream_cx_connect_ms_count\{envoy_cluster_name="backend"\} 1/);
});

t.test('server-first upstream: the greeting arrives before the client writes', async (t) => {
  const up = await upstream(t, echo('220 ready\r\n'));
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port)));
  const c = new TcpClient(p.port);
  await c.waitFor(/^220 ready\r\n$/);
  c.socket.write('QUIT');
  await c.waitFor(/QUIT$/);
  c.destroy();
});

t.test('weighted clusters: both are used', async (t) => {
  const a = await upstream(t, echo('A'));
  const b = await upstream(t, echo('B'));
  const p = await start(
    t,
    tcpBootstrap(staticCluster('a', a.port) + staticCluster('b', b.port), {
      clusters: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 1 },
      ],
    }),
  );
  const seen = new Set<string>();
  for (let i = 0; i < 40 && seen.size < 2; i++) {
    const c = new TcpClient(p.port);
    seen.add((await c.waitFor(/^[AB]/))[0]!);
    c.destroy();
  }
  t.same([...seen].sort(), ['A', 'B']);
});

t.test('unknown cluster: closed, downstream_cx_no_route', async (t) => {
  const up = await upstream(t, echo());
  const p = await start(
    t,
    tcpBootstrap(staticCluster('backend', up.port), { clusters: [{ name: 'nope', weight: 1 }] }),
  );
  const c = new TcpClient(p.port);
  await c.waitClosed();
  t.equal(c.received, '');
  t.equal(metric(await p.metrics(), 'envoy_tcp_downstream_cx_no_route', 'tcp_test'), 1);
});

t.test('no healthy host: closed, upstream_cx_none_healthy', async (t) => {
  const empty = `  - name: backend
    type: STATIC
    connect_timeout: 1s
    load_assignment: { cluster_name: backend, endpoints: [] }
`;
  const p = await start(t, tcpBootstrap(empty));
  const c = new TcpClient(p.port);
  await c.waitClosed();
  t.equal(metric(await p.metrics(), 'envoy_cluster_upstream_cx_none_healthy', 'backend'), 1);
});

t.test('refused connect with max_connect_attempts 2 reaches the other host', async (t) => {
  const up = await upstream(t, echo('ok'));
  const dead = await closedPort();
  const p = await start(t, tcpBootstrap(staticCluster('backend', dead, up.port), { maxConnectAttempts: 2 }));
  for (let i = 0; i < 3; i++) {
    const c = new TcpClient(p.port);
    await c.waitFor(/^ok/);
    c.destroy();
  }
  const m = await p.metrics();
  t.ok(metric(m, 'envoy_cluster_upstream_cx_connect_fail', 'backend') >= 1, 'the refused host was tried');
  t.equal(metric(m, 'envoy_cluster_upstream_cx_total', 'backend'), 3);
});

t.test('every attempt refused: closed with connect_fail per attempt', async (t) => {
  const p = await start(
    t,
    tcpBootstrap(staticCluster('backend', await closedPort(), await closedPort()), { maxConnectAttempts: 2 }),
  );
  const c = new TcpClient(p.port);
  await c.waitClosed();
  t.equal(metric(await p.metrics(), 'envoy_cluster_upstream_cx_connect_fail', 'backend'), 2);
});

t.test('max_connections overflow closes the second connection', async (t) => {
  const up = await upstream(t, echo('hi'));
  const clusters = `${staticCluster('backend', up.port)}    circuit_breakers: { thresholds: [{ max_connections: 1 }] }\n`;
  const p = await start(t, tcpBootstrap(clusters));
  const first = new TcpClient(p.port);
  await first.waitFor(/^hi/);
  const second = new TcpClient(p.port);
  await second.waitClosed();
  t.equal(second.received, '');
  t.equal(metric(await p.metrics(), 'envoy_cluster_upstream_cx_overflow', 'backend'), 1);
  first.socket.write('still');
  await first.waitFor(/still$/);
  first.destroy();
});

t.test('idle timeout closes both sides', async (t) => {
  let upClosed = false;
  const up = await upstream(t, (s) => {
    s.once('close', () => {
      upClosed = true;
    });
    echo()(s);
  });
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port), { idleTimeoutMs: 150 }));
  const c = new TcpClient(p.port);
  c.socket.write('x');
  await c.waitFor(/x/);
  await c.waitClosed();
  await eventually(() => upClosed, 'upstream closed');
  t.equal(metric(await p.metrics(), 'envoy_tcp_idle_timeout', 'tcp_test'), 1);
});

t.test('max downstream connection duration closes a busy connection', async (t) => {
  const up = await upstream(t, echo());
  const p = await start(
    t,
    tcpBootstrap(staticCluster('backend', up.port), { maxDownstreamConnectionDurationMs: 200 }),
  );
  const c = new TcpClient(p.port);
  const ping = setInterval(() => c.socket.write('.'), 20);
  t.teardown(() => clearInterval(ping));
  await c.waitClosed();
  t.equal(metric(await p.metrics(), 'envoy_tcp_max_downstream_connection_duration', 'tcp_test'), 1);
});

t.test('half-close: the client ends, the upstream still replies', async (t) => {
  const up = await upstream(t, (s) => {
    let n = 0;
    s.on('data', (d: Buffer) => {
      n += d.length;
    });
    s.on('end', () => s.end(`got ${n}`));
  });
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port)));
  const c = new TcpClient(p.port);
  c.socket.end('12345');
  await c.waitFor(/^got 5$/);
  await c.waitClosed();
  t.ok(c.ended, 'FIN received');
});

t.test('half-close: the upstream ends first, the client can still send', async (t) => {
  let got = '';
  const up = await upstream(t, (s) => {
    s.end('bye');
    s.on('data', (d: Buffer) => {
      got += d.toString();
    });
  });
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port)));
  const c = new TcpClient(p.port);
  await c.waitFor(/^bye$/);
  await eventually(() => c.ended, 'client got FIN');
  c.socket.end('late');
  await eventually(() => got === 'late', 'upstream got the late bytes');
  await c.waitClosed();
});

t.test('an upstream reset closes the downstream', async (t) => {
  const up = await upstream(t, (s) => s.once('data', () => s.resetAndDestroy()));
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port)));
  const c = new TcpClient(p.port);
  c.socket.write('boom');
  await c.waitClosed();
  t.notOk(c.ended && c.error === null && c.received !== '', 'no clean reply');
});

t.test('a downstream reset closes the upstream', async (t) => {
  let upClosed = false;
  const up = await upstream(t, (s) => {
    s.write('hi');
    s.once('close', () => {
      upClosed = true;
    });
  });
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port)));
  const c = new TcpClient(p.port);
  await c.waitFor(/hi/);
  c.socket.resetAndDestroy();
  await eventually(() => upClosed, 'upstream closed');
  t.pass();
});

t.test('50 MB to a slow reader: what the proxy buffers stays bounded', async (t) => {
  const TOTAL = 50 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  const up = await upstream(t, (s) => {
    const pump = (): void => {
      while (written < TOTAL) {
        written += chunk.length;
        if (!s.write(chunk)) {
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    pump();
  });
  const p = await start(t, tcpBootstrap(staticCluster('backend', up.port)));
  const c = new TcpClient(p.port);
  let got = 0;
  c.socket.removeAllListeners('data');
  c.socket.on('data', (d: Buffer) => {
    got += d.length;
  });
  c.socket.pause();
  // Let the pipe fill: the upstream stops when every buffer on the way is full.
  let last = -1;
  await eventually(async () => {
    const stalled = written === last;
    last = written;
    await new Promise((r) => setTimeout(r, 100));
    return stalled && written > 0;
  }, 'the upstream to stall');
  const up2 = up.sockets.values().next().value!;
  t.ok(
    written < 24 * 1024 * 1024,
    `in flight while stalled: ${written} bytes (kernel + proxy), far below 50 MB`,
  );
  t.ok(up2.writableLength <= 16 * 1024 * 1024, 'upstream kept its own back-pressure');
  c.socket.resume();
  await eventually(() => got === TOTAL, 'every byte delivered', 60_000);
  await c.waitClosed(10_000);
  t.equal(got, TOTAL);
});
