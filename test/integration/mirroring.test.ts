import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import t, { type Test } from 'tap';
import { seededRandom } from '../../lib/util/random.js';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { get, simpleBootstrap, startProxy, staticCluster, type TestProxy } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { eventually } from '../helpers/wait.js';

/** What a recording upstream saw of one request, body included. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Respond = (res: ServerResponse, seen: Seen) => void;

interface Recorder {
  readonly port: number;
  readonly seen: Seen[];
  /** Connections currently open to it. */
  readonly sockets: Set<Socket>;
  respond: Respond;
  close(): Promise<void>;
}

const ok200 =
  (name: string): Respond =>
  (res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': name.length });
    res.end(name);
  };

/** A real upstream that records every request with its body, then answers via `respond`. */
async function recorder(t: Test, name: string, respond: Respond = ok200(name)): Promise<Recorder> {
  const sockets = new Set<Socket>();
  const rec: Recorder = {
    port: 0,
    seen: [],
    sockets,
    respond,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts).toString(),
      };
      rec.seen.push(seen);
      rec.respond(res, seen);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (rec as { port: number }).port = (server.address() as AddressInfo).port;
  t.teardown(() => rec.close());
  return rec;
}

async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A cluster stat from the admin's Prometheus text (NaN when the series does not exist). */
async function stat(proxy: TestProxy, name: string, cluster: string, extra = ''): Promise<number> {
  const body = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  const labels =
    extra === '' ? `envoy_cluster_name="${cluster}"` : `${extra},envoy_cluster_name="${cluster}"`;
  const m = new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(body);
  return m === null ? Number.NaN : Number(m[1]);
}

interface Layout {
  /** Route action fields after `cluster: primary` (YAML lines at route-action indent). */
  readonly route: string;
  readonly mirrorPort: number;
  readonly hcmExtra?: string;
  readonly random?: ReturnType<typeof seededRandom>;
}

/** A proxy routing everything to cluster `primary` (port `primaryPort`) with `layout.route`. */
async function mirrorProxy(t: Test, primaryPort: number, layout: Layout): Promise<TestProxy> {
  const routes = `              - match: { prefix: "/" }
                route:
                  cluster: primary
${layout.route}`;
  const clusters = staticCluster('primary', primaryPort) + staticCluster('mirror', layout.mirrorPort);
  const yaml = simpleBootstrap({ routes, clusters, hcmExtra: layout.hcmExtra ?? '' });
  const proxy = await startProxy(yaml, {}, layout.random === undefined ? {} : { random: layout.random });
  t.teardown(() => proxy.stop());
  return proxy;
}

const MIRROR_ALL = '                  request_mirror_policies: [{ cluster: mirror }]';

t.test(
  'the mirror gets the same method, rewritten path, headers and body, with a -shadow host',
  async (t) => {
    const a = await recorder(t, 'primary');
    const b = await recorder(t, 'mirror');
    const proxy = await mirrorProxy(t, a.port, {
      mirrorPort: b.port,
      route: `${MIRROR_ALL}\n                  prefix_rewrite: /v2/`,
    });
    const r = await get(`${proxy.base}/api/x?q=1`, { headers: { 'x-trace': 'abc' } });
    t.equal(r.status, 200);
    t.equal(r.body, 'primary', 'the primary answers');
    await eventually(() => b.seen.length === 1, 'the GET shadow');
    const [pa, pb] = [a.seen[0]!, b.seen[0]!];
    t.equal(pb.method, 'GET');
    t.equal(pa.url, '/v2/api/x?q=1');
    t.equal(pb.url, pa.url, 'the path after prefix_rewrite');
    t.equal(pa.headers.host, `127.0.0.1:${proxy.port}`);
    t.equal(pb.headers.host, `127.0.0.1-shadow:${proxy.port}`, '-shadow before the port');
    t.equal(pb.headers['x-trace'], 'abc');
    t.equal(pb.headers['x-envoy-original-path'], '/api/x?q=1');
    t.equal(pb.headers['x-envoy-expected-rq-timeout-ms'], pa.headers['x-envoy-expected-rq-timeout-ms']);
    t.equal(pb.headers['x-request-id'], pa.headers['x-request-id'], 'the same request id');

    const body = 'x'.repeat(5000);
    const p = await get(`${proxy.base}/api/post`, { method: 'POST', body });
    t.equal(p.status, 200);
    await eventually(() => b.seen.length === 2, 'the POST shadow');
    t.equal(a.seen[1]!.body, body);
    t.equal(b.seen[1]!.method, 'POST');
    t.equal(b.seen[1]!.body, body, 'the same body');
    t.equal(b.seen[1]!.headers['content-length'], '5000');
    t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_total', 'mirror'), 2, 'normal upstream stats');
    t.equal(await stat(proxy, 'envoy_cluster_upstream_rq', 'mirror', 'envoy_response_code="200"'), 2);
  },
);

t.test('a chunked POST body is mirrored whole', async (t) => {
  const a = await recorder(t, 'primary');
  const b = await recorder(t, 'mirror');
  const proxy = await mirrorProxy(t, a.port, { mirrorPort: b.port, route: MIRROR_ALL });
  const res = await rawExchange(
    proxy.port,
    'POST /c HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
      '4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n',
  );
  t.match(res, /^HTTP\/1\.1 200 /);
  await eventually(() => b.seen.length === 1, 'the shadow');
  t.equal(b.seen[0]!.body, 'one,two,three');
  t.equal(a.seen[0]!.body, 'one,two,three');
  t.equal(b.seen[0]!.headers['content-length'], '13', 'the shadow sends the buffered whole');
});

t.test('disable_shadow_host_suffix_append keeps the host; several policies each send', async (t) => {
  const a = await recorder(t, 'primary');
  const b = await recorder(t, 'mirror');
  const proxy = await mirrorProxy(t, a.port, {
    mirrorPort: b.port,
    route:
      '                  request_mirror_policies: [{ cluster: mirror }, { cluster: mirror, disable_shadow_host_suffix_append: true }]',
  });
  t.equal((await get(`${proxy.base}/h`, { headers: { host: 'svc.local:8080' } })).status, 200);
  await eventually(() => b.seen.length === 2, 'two shadows');
  t.same(b.seen.map((s) => s.headers.host).sort(), ['svc.local-shadow:8080', 'svc.local:8080']);
});

t.test('a hanging mirror changes nothing; the route timeout ends its shadow', async (t) => {
  const log = tempLogPath('mirror');
  const a = await recorder(t, 'primary');
  const b = await recorder(t, 'mirror', () => {});
  const proxy = await mirrorProxy(t, a.port, {
    mirrorPort: b.port,
    route: `${MIRROR_ALL}\n                  timeout: 1s`,
    hcmExtra: `          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}
              log_format: { text_format_source: { inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_CLUSTER%\\n" } }`,
  });
  for (let i = 0; i < 3; i++) {
    const r = await get(`${proxy.base}/slow/${i}`);
    t.equal(r.status, 200);
    t.equal(r.body, 'primary');
  }
  await eventually(() => b.seen.length === 3, 'every shadow reached the mirror');
  // Every primary answered while its shadow hung (the mirror never answers at all).
  const hanging = await stat(proxy, 'envoy_cluster_upstream_rq_active', 'mirror');
  const timedOut = await stat(proxy, 'envoy_cluster_upstream_rq_timeout', 'mirror');
  t.equal(hanging + (Number.isNaN(timedOut) ? 0 : timedOut), 3, 'each shadow hangs until its timeout');
  await eventually(
    async () => (await stat(proxy, 'envoy_cluster_upstream_rq_timeout', 'mirror')) === 3,
    'the route timeout to end the shadows',
  );
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_active', 'mirror'), 0);
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq', 'mirror', 'envoy_response_code="504"'), 3);
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_timeout', 'primary'), 0);
  await proxy.stop();
  t.same(await readLogLines(log), ['200 - primary', '200 - primary', '200 - primary'], 'no flag, no mirror');
});

t.test('the primary response does not wait for a slow mirror', async (t) => {
  const a = await recorder(t, 'primary');
  const held: ServerResponse[] = [];
  const b = await recorder(t, 'mirror', (res) => held.push(res));
  const proxy = await mirrorProxy(t, a.port, { mirrorPort: b.port, route: MIRROR_ALL });
  const r = await get(`${proxy.base}/x`, { method: 'POST', body: 'payload' });
  t.equal(r.status, 200);
  await eventually(() => held.length === 1, 'the mirror to hold the shadow');
  t.equal(b.seen[0]!.body, 'payload');
  // Only now, after the primary answered, does the mirror answer.
  held[0]!.writeHead(200, { 'content-length': 4 });
  held[0]!.end('late');
  await eventually(
    async () => (await stat(proxy, 'envoy_cluster_upstream_rq_completed', 'mirror')) === 1,
    'the late shadow response to be read',
  );
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_active', 'mirror'), 0);
});

t.test('500s, resets and refused connections at the mirror never reach the client', async (t) => {
  const a = await recorder(t, 'primary');
  const b = await recorder(t, 'mirror', (res) => {
    res.writeHead(500, { 'content-length': 4 });
    res.end('boom');
  });
  const proxy = await mirrorProxy(t, a.port, { mirrorPort: b.port, route: MIRROR_ALL });
  t.equal((await get(`${proxy.base}/e`)).status, 200);
  await eventually(
    async () => (await stat(proxy, 'envoy_cluster_upstream_rq', 'mirror', 'envoy_response_code="500"')) === 1,
    'the 500 counted on the mirror cluster',
  );
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq', 'primary', 'envoy_response_code="200"'), 1);

  b.respond = (res) => res.socket?.destroy();
  const r = await get(`${proxy.base}/reset`, { method: 'POST', body: 'abc' });
  t.equal(r.status, 200);
  t.equal(r.body, 'primary');
  await eventually(
    async () => (await stat(proxy, 'envoy_cluster_upstream_rq_rx_reset', 'mirror')) === 1,
    'the reset counted on the mirror cluster',
  );

  const refused = await mirrorProxy(t, a.port, { mirrorPort: await closedPort(), route: MIRROR_ALL });
  const c = await get(`${refused.base}/refused`);
  t.equal(c.status, 200);
  t.equal(c.body, 'primary');
  await eventually(
    async () => (await stat(refused, 'envoy_cluster_upstream_cx_connect_fail', 'mirror')) === 1,
    'the connect failure counted on the mirror cluster',
  );
});

t.test('mirror circuit breaker overflow drops the shadow', async (t) => {
  const a = await recorder(t, 'primary');
  const b = await recorder(t, 'mirror', () => {});
  const routes = `              - match: { prefix: "/" }
                route: { cluster: primary, timeout: 0s, request_mirror_policies: [{ cluster: mirror }] }`;
  const mirror = `${staticCluster('mirror', b.port)}    circuit_breakers: { thresholds: [{ max_requests: 1, max_pending_requests: 1 }] }\n`;
  const proxy = await startProxy(
    simpleBootstrap({ routes, clusters: staticCluster('primary', a.port) + mirror }),
  );
  t.teardown(() => proxy.stop());
  for (let i = 0; i < 4; i++) t.equal((await get(`${proxy.base}/o/${i}`)).status, 200);
  t.ok((await stat(proxy, 'envoy_cluster_upstream_rq_pending_overflow', 'mirror')) >= 1, 'overflowed');
  t.ok(b.seen.length <= 2, 'at most one running and one pending');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq', 'primary', 'envoy_response_code="200"'), 4);
  // With timeout 0s the hanging shadows have no deadline: stop must still end them.
  await eventually(() => b.sockets.size >= 1, 'the shadow connection');
  await proxy.stop();
  await eventually(() => b.sockets.size === 0, 'stop to close the shadow connections', 5000);
});

t.test('fractions draw from the injected Random: 0 % never, 50 % some', async (t) => {
  const a = await recorder(t, 'primary');
  const b = await recorder(t, 'mirror');
  const never = await mirrorProxy(t, a.port, {
    mirrorPort: b.port,
    route:
      '                  request_mirror_policies: [{ cluster: mirror, runtime_fraction: { default_value: { numerator: 0 } } }]',
    random: seededRandom(7),
  });
  for (let i = 0; i < 10; i++) t.equal((await get(`${never.base}/n`)).status, 200);
  // GET shadows are dispatched while the primary is forwarded, so the count is final here.
  t.notOk((await stat(never, 'envoy_cluster_upstream_rq_total', 'mirror')) > 0, 'never sent');

  const half = await mirrorProxy(t, a.port, {
    mirrorPort: b.port,
    route:
      '                  request_mirror_policies: [{ cluster: mirror, runtime_fraction: { default_value: { numerator: 5000, denominator: TEN_THOUSAND } } }]',
    random: seededRandom(7),
  });
  const n = 40;
  for (let i = 0; i < n; i++) t.equal((await get(`${half.base}/h`)).status, 200);
  const sent = await stat(half, 'envoy_cluster_upstream_rq_total', 'mirror');
  t.ok(sent > 0 && sent < n, `some but not all mirrored (${sent}/${n})`);
  await eventually(() => b.seen.length === sent, 'the sampled shadows');
  t.equal(a.seen.length, 10 + n);
});

t.test('a body over the buffer limit is not mirrored; the primary still gets it all', async (t) => {
  const a = await recorder(t, 'primary');
  const b = await recorder(t, 'mirror');
  const proxy = await mirrorProxy(t, a.port, {
    mirrorPort: b.port,
    // A Route field (a sibling of `route:`), not a RouteAction one.
    route: `${MIRROR_ALL}\n                per_request_buffer_limit_bytes: 1024`,
  });
  const big = 'b'.repeat(64 * 1024);
  const r = await get(`${proxy.base}/big`, { method: 'POST', body: big });
  t.equal(r.status, 200);
  t.equal(a.seen[0]!.body.length, big.length, 'the primary got the whole body');
  t.equal(await stat(proxy, 'envoy_cluster_retry_or_shadow_abandoned', 'primary'), 1);
  // A small body afterwards is mirrored; it is the first and only thing the mirror sees.
  t.equal((await get(`${proxy.base}/small`, { method: 'POST', body: 'small' })).status, 200);
  await eventually(() => b.seen.length === 1, 'the small shadow');
  t.equal(b.seen[0]!.url, '/small');
  t.equal(b.seen[0]!.body, 'small');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_total', 'mirror'), 1);
});
