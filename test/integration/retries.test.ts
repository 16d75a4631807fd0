import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import t, { type Test } from 'tap';
import { loadConfigText } from '../../lib/config/load.js';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { fill, get, simpleBootstrap, startProxy, staticCluster, type TestProxy } from '../helpers/proxy.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';

/** The access log HCM block for a log at `path`. */
function accessLog(path: string): string {
  return `          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${path}`;
}

/** A route to `backend` with the given retry policy (YAML flow mapping body). */
function retryRoute(policy: string, extra = ''): string {
  return `              - match: { prefix: "/" }
                route:
                  cluster: backend
                  retry_policy: { ${policy} }${extra}`;
}

async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function stat(proxy: TestProxy, name: string): Promise<number> {
  const body = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  const m = new RegExp(`^${name}\\{envoy_cluster_name="backend"\\} (\\d+)`, 'm').exec(body);
  return m === null ? Number.NaN : Number(m[1]);
}

/** Two upstreams: `bad` answers with `status` (or resets), `good` answers 200. */
async function pair(
  t: Test,
  bad: (up: FakeUpstream) => void,
  routes: string,
  hcmExtra = '',
): Promise<{ proxy: TestProxy; badUp: FakeUpstream; goodUp: FakeUpstream }> {
  const badUp = await startUpstream('bad');
  bad(badUp);
  const goodUp = await startUpstream('good');
  const clusters = staticCluster('backend', badUp.port, goodUp.port);
  const proxy = await startProxy(simpleBootstrap({ routes, clusters, hcmExtra }));
  t.teardown(async () => {
    await proxy.stop();
    await badUp.close();
    await goodUp.close();
  });
  return { proxy, badUp, goodUp };
}

const answer503 = (up: FakeUpstream) =>
  up.handle((_req, res) => {
    res.writeHead(503, { 'content-length': 4 });
    res.end('fail');
  });

t.test('5xx: a 503 is retried on the other host (previous_hosts) and the 200 goes back', async (t) => {
  const routes = retryRoute(
    `retry_on: 5xx, num_retries: 2, retry_host_predicate: [{ name: envoy.retry_host_predicates.previous_hosts }]`,
  );
  const { proxy, badUp, goodUp } = await pair(t, answer503, routes);
  for (let i = 0; i < 6; i++) {
    const r = await get(`${proxy.base}/item`);
    t.equal(r.status, 200, `request ${i} succeeds`);
    t.equal(r.body, 'good GET /item');
  }
  t.ok(badUp.requests.length >= 1, 'the failing host was tried');
  t.equal(goodUp.requests.length, 6, 'each request ended on the good host');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry'), badUp.requests.length);
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry_success'), badUp.requests.length);
});

t.test('num_retries spent: the last 503 goes downstream with URX', async (t) => {
  const log = tempLogPath();
  const up = await startUpstream('always503');
  answer503(up);
  const routes = retryRoute('retry_on: 5xx, num_retries: 2, retry_back_off: { base_interval: 0.001s }');
  const proxy = await startProxy(simpleBootstrap({ routes, hcmExtra: accessLog(log) }), {
    UPSTREAM: up.port,
  });
  t.teardown(() => up.close());
  const r = await get(`${proxy.base}/x`);
  t.equal(r.status, 503);
  t.equal(r.body, 'fail', 'the upstream response itself, not a local reply');
  t.equal(up.requests.length, 3, 'one try plus two retries');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry'), 2);
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry_limit_exceeded'), 1);
  await proxy.stop();
  t.match((await readLogLines(log))[0], /" 503 URX /);
});

t.test('reset and connect-failure are retried; a dead port and a dropped connection', async (t) => {
  const dead = await closedPort();
  const good = await startUpstream('good');
  const resetting = await startUpstream('resetter', (req) => req.socket.destroy());
  t.teardown(async () => {
    await good.close();
    await resetting.close();
  });
  for (const [policy, port] of [
    ['connect-failure', dead],
    ['reset', resetting.port],
  ] as const) {
    const clusters = staticCluster('backend', port, good.port);
    const routes = retryRoute(
      `retry_on: ${policy}, num_retries: 3, retry_host_predicate: [{ name: envoy.retry_host_predicates.previous_hosts }]`,
    );
    const proxy = await startProxy(simpleBootstrap({ routes, clusters }));
    for (let i = 0; i < 4; i++) t.equal((await get(`${proxy.base}/`)).status, 200, `${policy} #${i}`);
    await proxy.stop();
  }
});

t.test('connect-failure alone does not retry a 503 response', async (t) => {
  const up = await startUpstream('u');
  answer503(up);
  const routes = retryRoute('retry_on: connect-failure, num_retries: 3');
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  t.equal((await get(`${proxy.base}/`)).status, 503);
  t.equal(up.requests.length, 1);
});

t.test('retriable-4xx (409), retriable-status-codes and gateway-error', async (t) => {
  const seen: string[] = [];
  const up = await startUpstream('u', (req, res) => {
    seen.push(req.url ?? '');
    const tries = seen.filter((u) => u === req.url).length;
    const code = tries > 1 ? 200 : Number(req.url?.slice(1));
    res.writeHead(code, { 'content-length': 0 });
    res.end();
  });
  const routes = retryRoute(
    'retry_on: "retriable-4xx,retriable-status-codes,gateway-error", retriable_status_codes: [418], num_retries: 1, retry_back_off: { base_interval: 0.001s }',
  );
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  for (const code of [409, 418, 502, 504])
    t.equal((await get(`${proxy.base}/${code}`)).status, 200, `${code} retried`);
  for (const code of [500, 404, 429])
    t.equal((await get(`${proxy.base}/${code}`)).status, code, `${code} not retried`);
});

t.test(
  'x-envoy-retry-on and x-envoy-max-retries enable retries without a policy, and are consumed',
  async (t) => {
    const up = await startUpstream('u');
    answer503(up);
    const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
    t.teardown(async () => {
      await proxy.stop();
      await up.close();
    });
    t.equal((await get(`${proxy.base}/`)).status, 503);
    t.equal(up.requests.length, 1, 'no policy, no header: one try');
    const r = await get(`${proxy.base}/`, {
      headers: { 'x-envoy-retry-on': '5xx', 'x-envoy-max-retries': '3' },
    });
    t.equal(r.status, 503);
    t.equal(up.requests.length, 1 + 4, 'header policy: one try plus three retries');
    t.notOk('x-envoy-retry-on' in up.requests.at(-1)!.headers, 'x-envoy-retry-on is not forwarded');
    t.notOk('x-envoy-max-retries' in up.requests.at(-1)!.headers, 'x-envoy-max-retries is not forwarded');
  },
);

t.test('attempt count headers when the virtual host asks for them', async (t) => {
  const up = await startUpstream('u');
  let n = 0;
  up.handle((_req, res) => {
    res.writeHead(++n < 3 ? 503 : 200, { 'content-length': 0 });
    res.end();
  });
  const base = simpleBootstrap({ routes: retryRoute('retry_on: 5xx, num_retries: 3') });
  const yaml = base.replace(
    'domains: ["*"]',
    'domains: ["*"]\n              include_request_attempt_count: true\n              include_attempt_count_in_response: true',
  );
  const proxy = await startProxy(yaml, { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const r = await get(`${proxy.base}/`);
  t.equal(r.status, 200);
  t.equal(r.headers['x-envoy-attempt-count'], '3');
  t.same(
    up.requests.map((q) => q.headers['x-envoy-attempt-count']),
    ['1', '2', '3'],
  );
});

t.test('a POST body is replayed on retry; past the buffer limit it is not retried', async (t) => {
  const up = await startUpstream('u');
  let n = 0;
  up.handle((_req, res, seen) => {
    res.writeHead(++n % 2 === 1 ? 503 : 200, { 'content-length': String(seen.bodyLength).length });
    res.end(String(seen.bodyLength));
  });
  const routes = `              - match: { prefix: "/" }
                per_request_buffer_limit_bytes: 1000
                route: { cluster: backend, retry_policy: { retry_on: 5xx, num_retries: 1 } }`;
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const small = await get(`${proxy.base}/`, { method: 'POST', body: 'x'.repeat(600) });
  t.equal(small.status, 200);
  t.equal(small.body, '600', 'the retry carried the whole body');
  t.same(
    up.requests.map((q) => q.bodyLength),
    [600, 600],
  );
  n = 0;
  const big = await get(`${proxy.base}/`, { method: 'POST', body: 'y'.repeat(5000) });
  t.equal(big.status, 503, 'the body outgrew the buffer: the 503 is final');
  t.equal(up.requests.length, 3, 'no second attempt');
  t.equal(up.requests.at(-1)!.bodyLength, 5000, 'the body still streamed whole to the one attempt');
  t.equal(await stat(proxy, 'envoy_cluster_retry_or_shadow_abandoned'), 1);
});

t.test('per_try_timeout: a hung attempt is cut and retried; without a retry it is a 504 UT', async (t) => {
  const log = tempLogPath();
  const up = await startUpstream('u');
  let n = 0;
  up.handle((_req, res) => {
    if (++n === 1) return; // hangs
    res.writeHead(200, { 'content-length': 2 });
    res.end('ok');
  });
  const routes = `              - match: { prefix: "/once" }
                route: { cluster: backend, retry_policy: { retry_on: connect-failure, per_try_timeout: 0.2s } }
${retryRoute('retry_on: 5xx, num_retries: 1, per_try_timeout: 0.2s')}`;
  const proxy = await startProxy(simpleBootstrap({ routes, hcmExtra: accessLog(log) }), {
    UPSTREAM: up.port,
  });
  t.teardown(() => up.close());
  const r = await get(`${proxy.base}/retry`);
  t.equal(r.status, 200, 'the second attempt answered');
  t.equal(
    up.requests[0]!.headers['x-envoy-expected-rq-timeout-ms'],
    '200',
    'the per-try timeout is advertised',
  );
  n = 0;
  const r2 = await get(`${proxy.base}/once`);
  t.equal(r2.status, 504, 'connect-failure does not retry a per-try timeout');
  t.equal(r2.body, 'upstream request timeout');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_per_try_timeout'), 2);
  await proxy.stop();
  const lines = await readLogLines(log);
  t.match(lines[1], /" 504 UT /);
});

t.test('the route timeout covers every attempt and the back-off', async (t) => {
  const up = await startUpstream('u');
  answer503(up);
  const routes = retryRoute(
    'retry_on: 5xx, num_retries: 100, retry_back_off: { base_interval: 0.05s, max_interval: 0.1s }',
    '\n                  timeout: 0.4s',
  );
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const r = await get(`${proxy.base}/`);
  t.equal(r.status, 504);
  t.equal(r.body, 'upstream request timeout');
  t.ok(up.requests.length > 1 && up.requests.length < 100, 'it retried, then the global timeout ended it');
});

t.test('per_try_idle_timeout resets a response that stalls mid-body', async (t) => {
  const up = await startUpstream('u', (_req, res) => {
    res.writeHead(200, { 'content-length': 10 });
    res.write('01234'); // …and never the rest
  });
  const routes = retryRoute('retry_on: 5xx, per_try_idle_timeout: 0.2s', '\n                  timeout: 0s');
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  await t.rejects(get(`${proxy.base}/`), 'the downstream is reset');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_per_try_idle_timeout'), 1);
});

t.test('a bad retry policy is rejected with its field path', async (t) => {
  const yaml = fill(simpleBootstrap({ routes: retryRoute('retry_on: "5xx,bogus"') }), { UPSTREAM: 1 });
  const r = loadConfigText(yaml, 'bad.yaml');
  t.notOk(r.ok);
  t.match(JSON.stringify(r), /retry_policy\.retry_on.*unknown value \\"bogus\\"/);
});

t.test('the max_retries circuit breaker: a retry it refuses is counted and flagged UO', async (t) => {
  const log = tempLogPath();
  const up = await startUpstream('u');
  answer503(up);
  const routes = retryRoute('retry_on: 5xx, num_retries: 3');
  const clusters = staticCluster('backend', up.port).replace(
    '    connect_timeout: 1s',
    '    connect_timeout: 1s\n    circuit_breakers: { thresholds: [{ max_retries: 0 }] }',
  );
  const proxy = await startProxy(simpleBootstrap({ routes, clusters, hcmExtra: accessLog(log) }));
  t.teardown(() => up.close());
  const r = await get(`${proxy.base}/`);
  t.equal(r.status, 503);
  t.equal(r.body, 'fail', 'the first answer goes back');
  t.equal(up.requests.length, 1, 'no retry was made');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry_overflow'), 1);
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry'), 0);
  await proxy.stop();
  t.match((await readLogLines(log))[0], /" 503 UO /);
});

const slowestJitter = { next: () => 0.999, int: (n: number) => n - 1 };
const noJitter = { next: () => 0, int: () => 0 };

t.test('the route timeout also ends a back-off that follows a per-try timeout', async (t) => {
  let n = 0;
  const up = await startUpstream('u', (_req, res) => {
    if (++n === 1) return; // the first attempt hangs
    res.writeHead(200, { 'content-length': 2 });
    res.end('ok');
  });
  const routes = retryRoute(
    'retry_on: 5xx, num_retries: 1, per_try_timeout: 0.1s, retry_back_off: { base_interval: 2s, max_interval: 2s }',
    '\n                  timeout: 0.3s',
  );
  const proxy = await startProxy(
    simpleBootstrap({ routes }),
    { UPSTREAM: up.port },
    { random: slowestJitter },
  );
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const started = Date.now();
  const r = await get(`${proxy.base}/`);
  t.equal(r.status, 504);
  t.ok(Date.now() - started < 1900, 'answered before the 2 s back-off would have ended');
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_total'), 1, 'no attempt after the route deadline');
});

t.test('a body that outgrows the buffer while a retry waits gets 507, not a timeout', async (t) => {
  // Answers 503 at once, before the body ends, so the retry waits while the body still streams.
  const raw = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(503, { 'content-length': 4 });
    res.end('fail');
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  const port = (raw.address() as AddressInfo).port;
  const routes = `              - match: { prefix: "/" }
                per_request_buffer_limit_bytes: 1000
                route: { cluster: backend, retry_policy: { retry_on: 5xx, num_retries: 1, retry_back_off: { base_interval: 1s, max_interval: 1s } } }`;
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: port }, { random: slowestJitter });
  t.teardown(async () => {
    await proxy.stop();
    await new Promise((r) => raw.close(r));
  });
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      `${proxy.base}/`,
      { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write('a'.repeat(500));
    setTimeout(() => req.write('b'.repeat(2000)), 200);
  });
  t.same(res, { status: 507, body: 'exceeded request buffer limit while retrying upstream' });
});

t.test('a retry holds the max_retries breaker until it ends', async (t) => {
  const seen = new Map<string, number>();
  const up = await startUpstream('u', (req, res) => {
    const tries = (seen.get(req.url ?? '') ?? 0) + 1;
    seen.set(req.url ?? '', tries);
    if (tries === 1) {
      res.writeHead(503, { 'content-length': 0 });
      res.end();
      return;
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    }, 500); // the retry is slow
  });
  const clusters = staticCluster('backend', up.port).replace(
    '    connect_timeout: 1s',
    '    connect_timeout: 1s\n    circuit_breakers: { thresholds: [{ max_retries: 1 }] }',
  );
  const routes = retryRoute('retry_on: 5xx, num_retries: 1');
  const proxy = await startProxy(simpleBootstrap({ routes, clusters }), {}, { random: noJitter });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const a = get(`${proxy.base}/a`);
  await new Promise((r) => setTimeout(r, 100));
  const b = await get(`${proxy.base}/b`);
  t.equal((await a).status, 200, 'the first request retried');
  t.equal(b.status, 503, "the second could not: the first one's retry was still running");
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry'), 1);
  t.equal(await stat(proxy, 'envoy_cluster_upstream_rq_retry_overflow'), 1);
});
