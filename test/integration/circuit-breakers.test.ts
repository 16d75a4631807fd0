import type { ServerResponse } from 'node:http';
import t from 'tap';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { get, simpleBootstrap, startProxy, staticCluster } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';
import { withTimeout } from '../unit/cluster/fixtures.js';

const WAIT_MS = 5000;
const OVERFLOW_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';

/** An upstream that holds every response until released; `arrived(n)` waits for n requests. */
async function slowUpstream() {
  const held: ServerResponse[] = [];
  const waiters: Array<() => void> = [];
  const up = await startUpstream('slow', (_req, res) => {
    held.push(res);
    for (const w of waiters.splice(0)) w();
  });
  return {
    up,
    held,
    async arrived(n: number): Promise<void> {
      while (held.length < n) {
        await withTimeout(new Promise<void>((r) => waiters.push(r)), WAIT_MS, `${n} upstream requests`);
      }
    },
    releaseAll(): void {
      for (const res of held) if (!res.writableEnded) res.end('done');
    },
  };
}

/** Filled by startProxy with the upstream's port. */
const UPSTREAM = '$' + '{UPSTREAM}';

function breakers(thresholds: string): string {
  return `${staticCluster('backend', UPSTREAM)}    circuit_breakers:
      thresholds:
      - ${thresholds}
`;
}

function accessLog(path: string): string {
  return `          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${path}`;
}

t.test('max_requests 1: a concurrent request gets the 503 overflow reply (UO)', async (t) => {
  const slow = await slowUpstream();
  const log = tempLogPath('cb');
  const proxy = await startProxy(
    simpleBootstrap({
      clusters: breakers('{ max_requests: 1, track_remaining: true }'),
      hcmExtra: accessLog(log),
    }),
    { UPSTREAM: slow.up.port },
  );
  t.teardown(async () => {
    slow.releaseAll();
    await proxy.stop();
    await slow.up.close();
  });
  const first = get(`${proxy.base}/first`);
  await slow.arrived(1);
  const prom1 = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  t.match(prom1, /envoy_cluster_circuit_breakers_default_rq_open\{envoy_cluster_name="backend"\} 1/);
  t.match(prom1, /envoy_cluster_circuit_breakers_default_remaining_rq\{envoy_cluster_name="backend"\} 0/);

  const second = await get(`${proxy.base}/second`);
  t.equal(second.status, 503);
  t.equal(second.body, OVERFLOW_BODY);
  t.equal(second.headers['x-envoy-overloaded'], 'true');
  t.equal(slow.held.length, 1, 'the upstream never saw the second request');

  slow.releaseAll();
  t.equal((await first).status, 200);
  const prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  t.match(prom, /envoy_cluster_upstream_rq_pending_overflow\{envoy_cluster_name="backend"\} 1/);
  t.match(prom, /envoy_cluster_circuit_breakers_default_rq_open\{envoy_cluster_name="backend"\} 0/);
  t.match(prom, /envoy_cluster_circuit_breakers_default_remaining_rq\{envoy_cluster_name="backend"\} 1/);
  t.match(prom, /envoy_cluster_circuit_breakers_high_cx_open\{envoy_cluster_name="backend"\} 0/);
  t.notMatch(
    prom,
    /envoy_cluster_circuit_breakers_high_remaining_rq\{/,
    'no remaining_* without track_remaining',
  );
  t.match(
    prom,
    /envoy_cluster_upstream_rq_xx\{envoy_response_code_class="5",envoy_cluster_name="backend"\} 1/,
  );
  await proxy.stop();
  const lines = await readLogLines(log);
  t.equal(lines.length, 2);
  t.ok(
    lines.some((l) => l.includes('"GET /second HTTP/1.1" 503 UO ')),
    'UO in the access log',
  );
  t.ok(lines.some((l) => l.includes('"GET /first HTTP/1.1" 200 - ')));
});

t.test('max_connections 1 + max_pending_requests 1: one waits, the next overflows', async (t) => {
  const slow = await slowUpstream();
  const proxy = await startProxy(
    simpleBootstrap({ clusters: breakers('{ max_connections: 1, max_pending_requests: 1 }') }),
    { UPSTREAM: slow.up.port },
  );
  t.teardown(async () => {
    slow.releaseAll();
    await proxy.stop();
    await slow.up.close();
  });
  const first = get(`${proxy.base}/1`);
  await slow.arrived(1);
  const queued = get(`${proxy.base}/2`);
  // The pending gauge shows the queued request before the third one is sent.
  let prom = '';
  for (let i = 0; i < 50; i++) {
    prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
    if (/envoy_cluster_upstream_rq_pending_active\{envoy_cluster_name="backend"\} 1/.test(prom)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.match(prom, /envoy_cluster_upstream_rq_pending_active\{envoy_cluster_name="backend"\} 1/);
  t.match(prom, /envoy_cluster_circuit_breakers_default_cx_open\{envoy_cluster_name="backend"\} 1/);
  t.match(prom, /envoy_cluster_circuit_breakers_default_rq_pending_open\{envoy_cluster_name="backend"\} 1/);

  const third = await get(`${proxy.base}/3`);
  t.equal(third.status, 503);
  t.equal(third.body, OVERFLOW_BODY);
  t.equal(third.headers['x-envoy-overloaded'], 'true');

  slow.releaseAll();
  t.equal((await first).status, 200);
  await slow.arrived(2);
  slow.releaseAll();
  const r2 = await queued;
  t.equal(r2.status, 200, 'the pending request was served on the freed connection');
  t.equal(slow.held.length, 2);
  prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  t.match(prom, /envoy_cluster_upstream_rq_pending_overflow\{envoy_cluster_name="backend"\} 1/);
  t.match(prom, /envoy_cluster_upstream_rq_pending_active\{envoy_cluster_name="backend"\} 0/);
  t.match(prom, /envoy_cluster_upstream_cx_overflow\{envoy_cluster_name="backend"\} [1-9]/);
  t.match(prom, /envoy_cluster_upstream_rq_pending_total\{envoy_cluster_name="backend"\} [2-9]/);
  t.match(prom, /envoy_cluster_upstream_cx_total\{envoy_cluster_name="backend"\} 1/);
});

t.test('a client that gives up while pending frees its place in the queue', async (t) => {
  const slow = await slowUpstream();
  const proxy = await startProxy(
    simpleBootstrap({ clusters: breakers('{ max_connections: 1, max_pending_requests: 1 }') }),
    { UPSTREAM: slow.up.port },
  );
  t.teardown(async () => {
    slow.releaseAll();
    await proxy.stop();
    await slow.up.close();
  });
  const first = get(`${proxy.base}/1`);
  await slow.arrived(1);
  const ac = new AbortController();
  const { request } = await import('undici');
  const gaveUp = request(`${proxy.base}/2`, { signal: ac.signal }).catch((e: unknown) => e);
  let prom = '';
  for (let i = 0; i < 50; i++) {
    prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
    if (/envoy_cluster_upstream_rq_pending_active\{envoy_cluster_name="backend"\} 1/.test(prom)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  ac.abort();
  await gaveUp;
  for (let i = 0; i < 50; i++) {
    prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
    if (/envoy_cluster_upstream_rq_pending_active\{envoy_cluster_name="backend"\} 0/.test(prom)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.match(prom, /envoy_cluster_upstream_rq_pending_active\{envoy_cluster_name="backend"\} 0/);
  t.match(prom, /envoy_cluster_upstream_rq_cancelled\{envoy_cluster_name="backend"\} 1/);
  const third = get(`${proxy.base}/3`);
  slow.releaseAll();
  t.equal((await first).status, 200);
  await slow.arrived(2);
  slow.releaseAll();
  t.equal((await third).status, 200, 'the queue had room again');
  t.same(
    slow.up.requests.map((r) => r.url),
    ['/1', '/3'],
    'the abandoned request never reached the upstream',
  );
});
