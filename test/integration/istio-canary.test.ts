/**
 * The seed's VirtualService and DestinationRule (config-examples/istio/istio-canary.yaml, byte
 * for byte the article's) served in sidecar mode against real v1/v2 upstreams registered by
 * ServiceEntry + WorkloadEntries.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Agent, request } from 'undici';
import { seededRandom } from '../../lib/util/random.js';
import { get } from '../helpers/proxy.js';
import { startSidecar, type TestSidecar } from '../helpers/sidecar.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const EXAMPLES = fileURLToPath(new URL('../../../config-examples/istio/', import.meta.url));
const CANARY = readFileSync(`${EXAMPLES}istio-canary.yaml`, 'utf8');
const SEED = '/work/shared/seed/istio-canary.yaml';

function registry(v1: readonly FakeUpstream[], v2: FakeUpstream): string {
  const we = (name: string, port: number, version: string): string => `
apiVersion: networking.istio.io/v1beta1
kind: WorkloadEntry
metadata: {name: ${name}, namespace: production}
spec:
  address: 127.0.0.1
  ports: {http: ${port}}
  labels: {app: order-service, version: ${version}}
  serviceAccount: order-service`;
  return [
    `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: order-service, namespace: production}
spec:
  hosts: [order-service.production.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {app: order-service}}`,
    ...v1.map((u, i) => we(`order-v1-${i}`, u.port, '1.8.3')),
    we('order-v2', v2.port, '2.0.0-canary'),
  ].join('\n---\n');
}

interface Setup {
  readonly v1: FakeUpstream[];
  readonly v2: FakeUpstream;
  readonly proxy: TestSidecar;
  readonly url: string;
}

async function setup(t: { teardown(fn: () => unknown): void }, v1Count = 1): Promise<Setup> {
  const v1: FakeUpstream[] = [];
  for (let i = 0; i < v1Count; i++) v1.push(await startUpstream(`v1-${i}`));
  const v2 = await startUpstream('v2');
  const proxy = await startSidecar(`${CANARY}\n---\n${registry(v1, v2)}`, {
    workload: { namespace: 'production', serviceAccount: 'frontend', labels: { app: 'frontend' } },
    skiff: { random: seededRandom(42) },
  });
  t.teardown(async () => {
    await proxy.stop();
    await Promise.all([...v1, v2].map((u) => u.close()));
  });
  return { v1, v2, proxy, url: `http://127.0.0.1:${proxy.outbound}/orders` };
}

const HOST = { host: 'order-service' };

t.test('the example is the seed file unchanged', async (t) => {
  if (!existsSync(SEED)) {
    t.pass('seed not present on this machine');
    return;
  }
  t.equal(CANARY, readFileSync(SEED, 'utf8'));
});

t.test('x-canary: yes goes only to v2; its route carries the 15 s timeout and 3 s per try', async (t) => {
  const s = await setup(t);
  for (let i = 0; i < 40; i++) {
    const r = await get(s.url, { headers: { ...HOST, 'x-canary': 'yes' } });
    t.equal(r.status, 200);
  }
  t.equal(s.v2.requests.length, 40);
  t.equal(s.v1[0]!.requests.length, 0);
  // Envoy tells the upstream the deadline it enforces: the per-try timeout when one is set.
  t.equal(s.v2.requests[0]!.headers['x-envoy-expected-rq-timeout-ms'], '3000');
});

t.test('everyone else is split 95/5 within statistical bounds, with the 10 s route timeout', async (t) => {
  const s = await setup(t);
  const n = 1000;
  const agent = new Agent({ connections: 16 });
  t.teardown(() => agent.close());
  const batch = 50;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const r = await request(s.url, { headers: HOST, dispatcher: agent });
        await r.body.text();
        if (r.statusCode !== 200) t.fail(`status ${r.statusCode}`);
      }),
    );
  }
  const v2 = s.v2.requests.length;
  t.equal(v2 + s.v1[0]!.requests.length, n);
  // Binomial(1000, 0.05): mean 50, sd 6.9; ±5 sd.
  t.ok(v2 >= 16 && v2 <= 85, `v2 got ${v2} of ${n}`);
  t.equal(s.v1[0]!.requests[0]!.headers['x-envoy-expected-rq-timeout-ms'], '10000');
});

t.test('a hanging v2 hits the seed rule perTryTimeout (3 s): 504, not retried on that rule', async (t) => {
  const s = await setup(t);
  s.v2.handle(() => {
    // never answers
  });
  const started = Date.now();
  const r = await get(s.url, { headers: { ...HOST, 'x-canary': 'yes' } });
  t.equal(r.status, 504);
  t.equal(r.body, 'upstream request timeout');
  t.ok(Date.now() - started >= 2900, 'after the per-try timeout');
  // retryOn connect-failure,refused-stream,503 does not cover a per-try timeout.
  t.equal(s.v2.requests.length, 1);
});

t.test('503s from v2 are retried twice (three attempts in all), as the seed rule says', async (t) => {
  const s = await setup(t);
  let calls = 0;
  s.v2.handle((_req, res) => {
    calls++;
    res.writeHead(calls < 3 ? 503 : 200, { 'content-length': '2' });
    res.end('ok');
  });
  const r = await get(s.url, { headers: { ...HOST, 'x-canary': 'yes' } });
  t.equal(r.status, 200, 'the third attempt succeeds');
  t.equal(calls, 3);
  calls = -10;
  const r2 = await get(s.url, { headers: { ...HOST, 'x-canary': 'yes' } });
  t.equal(r2.status, 503, 'when every attempt fails the last 503 is returned');
  t.equal(calls, -7, 'after 1 + 2 attempts');
});

t.test(
  'the connection pool overflows as Istio sets it: 200 connections + 100 pending, then 503 UO',
  async (t) => {
    const s = await setup(t);
    const held: Array<() => void> = [];
    s.v1[0]!.handle((_req, res) => {
      held.push(() => {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      });
    });
    s.v2.handle((_req, res) => {
      held.push(() => {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      });
    });
    const agent = new Agent({ connections: 400, pipelining: 0 });
    t.teardown(() => agent.close());
    const total = 360;
    const replies = Array.from({ length: total }, () =>
      request(s.url, { headers: HOST, dispatcher: agent }).then(async (r) => {
        await r.body.text();
        return { status: r.statusCode, overloaded: r.headers['x-envoy-overloaded'] };
      }),
    );
    // The subsets are separate clusters; v1 gets ~95 % (~340), more than its 200 + 100.
    await eventually(async () => {
      const stats = await get(`${s.proxy.adminBase}/stats/prometheus`);
      return /envoy_cluster_upstream_rq_pending_overflow\{[^}]*outbound\|8080\|v1\|order-service[^}]*\} [1-9]/.test(
        stats.body,
      );
    }, 'the v1 pending-overflow counter');
    t.ok(held.length <= 200 + 20, `at most 200 connections to v1 (+ v2's): ${held.length} held`);
    const releaser = setInterval(() => {
      for (const release of held.splice(0)) release();
    }, 10);
    const done = await Promise.all(replies);
    clearInterval(releaser);
    const overflow = done.filter((d) => d.status === 503);
    t.ok(overflow.length >= 1, `${overflow.length} requests overflowed`);
    t.ok(
      overflow.every((d) => d.overloaded === 'true'),
      'with x-envoy-overloaded: true',
    );
    t.equal(done.filter((d) => d.status === 200).length + overflow.length, total);
  },
);

t.test(
  'a failing v1 endpoint is ejected after 5 consecutive 5xx and v1 traffic moves to the other',
  async (t) => {
    const s = await setup(t, 2);
    s.v1[0]!.handle((_req, res) => {
      res.writeHead(500, { 'content-length': '0' });
      res.end();
    });
    let failures = 0;
    for (let i = 0; i < 200 && failures < 5; i++) {
      const r = await get(s.url, { headers: HOST });
      if (r.status === 500) failures++;
    }
    t.equal(failures, 5, 'five 500s reach the client before the ejection');
    const before = s.v1[0]!.requests.length;
    for (let i = 0; i < 60; i++) {
      const r = await get(s.url, { headers: HOST });
      t.not(r.status, 500);
    }
    t.equal(s.v1[0]!.requests.length, before, 'the ejected endpoint gets nothing more');
    t.ok(s.v1[1]!.requests.length > 0);
    const clusters = await get(`${s.proxy.adminBase}/clusters`);
    t.match(
      clusters.body,
      /outbound\|8080\|v1\|order-service\.production\.svc\.cluster\.local::127\.0\.0\.1:\d+::health_flags::\/failed_outlier_check/,
    );
  },
);
