import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { Pool } from 'undici';
import { simpleBootstrap, startProxy, staticCluster } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

/** Resource counts by kind (sockets, timers, …) as Node reports them. */
function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function settle(): Promise<void> {
  // Closed sockets and cleared timers leave the active list on the next turns of the loop.
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
}

t.test('200 concurrent clients, an upstream failing 20 %: nothing hangs or leaks', async (t) => {
  await settle();
  collectGarbage();
  const baseline = resources();
  const heapBefore = process.memoryUsage().heapUsed;

  let n = 0;
  const up = await startUpstream('flaky', (req, res) => {
    const i = n++;
    if (i % 10 === 3) {
      req.socket.destroy(); // a reset
      return;
    }
    if (i % 10 === 7) {
      res.writeHead(503, { 'content-length': 4 });
      res.end('fail');
      return;
    }
    res.writeHead(200, { 'content-length': 2 });
    res.end('ok');
  });
  const routes = `              - match: { prefix: "/" }
                route:
                  cluster: backend
                  timeout: 20s
                  retry_policy: { retry_on: "5xx,reset", num_retries: 1, retry_back_off: { base_interval: 0.005s } }`;
  // Envoy's default max_retries (3 concurrent retries per cluster) would turn most of these 200
  // concurrent retries into overflows; this test is about hangs and leaks, so the breaker is opened.
  const clusters = staticCluster('backend', up.port).replace(
    '    connect_timeout: 1s',
    '    connect_timeout: 1s\n    circuit_breakers: { thresholds: [{ max_retries: 1024 }] }',
  );
  const proxy = await startProxy(simpleBootstrap({ routes, clusters }));
  const client = new Pool(proxy.base, { connections: 200 });

  const statuses = new Map<number | string, number>();
  const count = (k: number | string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; i < 10; i++) {
      try {
        const r = await client.request({
          path: `/w${w}/${i}`,
          method: i % 4 === 0 ? 'POST' : 'GET',
          body: i % 4 === 0 ? 'payload' : null,
          headersTimeout: 60_000,
          bodyTimeout: 60_000,
        });
        await r.body.text();
        count(r.statusCode);
      } catch (err) {
        count((err as { code?: string }).code ?? 'error');
      }
    }
  };
  await Promise.all(Array.from({ length: 200 }, (_, w) => worker(w)));
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  t.equal(total, 2000, 'every request finished (none hung past its timeout)');
  t.notOk(statuses.has('UND_ERR_HEADERS_TIMEOUT'), 'no request waited for headers until the client gave up');
  t.ok((statuses.get(200) ?? 0) >= 1900, `retries hid most failures (${JSON.stringify([...statuses])})`);

  await client.close();
  await proxy.stop();
  await up.close();
  await settle();
  collectGarbage();
  const after = resources();
  for (const kind of new Set([...Object.keys(baseline), ...Object.keys(after)])) {
    t.equal(after[kind] ?? 0, baseline[kind] ?? 0, `${kind}: back to the baseline`);
  }
  const grown = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  t.ok(grown < 20, `heap returned near its baseline (+${grown.toFixed(1)} MiB)`);
});
