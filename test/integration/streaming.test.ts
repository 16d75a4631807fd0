import { Readable } from 'node:stream';
import t from 'tap';
import { request } from 'undici';
import { simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

// 1 GiB each way through the proxy with bounded memory; a paused client must stall the upstream.
const TOTAL = Number(process.env.SKIFF_TEST_STREAM_MB ?? 1024) * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const RSS_BUDGET = 200 * 1024 * 1024;

function rssSampler(): { peak(): number; stop(): void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

t.test('streams a large download and upload with bounded memory', async (t) => {
  let written = 0;
  const up = await startUpstream('big', (req, res) => {
    if (req.url === '/upload') {
      res.end(`got ${up.requests.at(-1)!.bodyLength}`);
      return;
    }
    written = 0;
    res.writeHead(200, { 'content-length': TOTAL });
    const pump = (): void => {
      while (written < TOTAL) {
        const n = Math.min(CHUNK.length, TOTAL - written);
        written += n;
        if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });

  const base = process.memoryUsage().rss;
  const sampler = rssSampler();
  const res = await request(`${proxy.base}/download`, { bodyTimeout: 60_000 });
  let got = 0;
  for await (const chunk of res.body) got += (chunk as Buffer).length;
  t.equal(got, TOTAL, 'whole download arrived');

  let sent = 0;
  const body = Readable.from(
    (function* () {
      while (sent < TOTAL) {
        sent += CHUNK.length;
        yield CHUNK;
      }
    })(),
  );
  const upRes = await request(`${proxy.base}/upload`, {
    method: 'POST',
    body,
    headers: { 'content-length': String(Math.ceil(TOTAL / CHUNK.length) * CHUNK.length) },
    bodyTimeout: 60_000,
  });
  t.equal(
    await upRes.body.text(),
    `got ${Math.ceil(TOTAL / CHUNK.length) * CHUNK.length}`,
    'whole upload arrived',
  );
  sampler.stop();
  t.ok(
    sampler.peak() - base < RSS_BUDGET,
    `RSS grew ${((sampler.peak() - base) / 1048576).toFixed(1)} MiB (budget 200)`,
  );
});

t.test('a client that stops reading stalls the upstream (back-pressure end to end)', async (t) => {
  let written = 0;
  let finished = false;
  const up = await startUpstream('big', (_req, res) => {
    res.writeHead(200, { 'content-length': TOTAL });
    const pump = (): void => {
      while (written < TOTAL) {
        written += CHUNK.length;
        if (!res.write(CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
      finished = true;
      res.end();
    };
    pump();
  });
  const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const res = await request(`${proxy.base}/stall`, { highWaterMark: 64 * 1024 });
  // Do not read. Wait until the upstream's writes stop making progress.
  let last = -1;
  for (let i = 0; i < 100 && written !== last; i++) {
    last = written;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.notOk(finished, 'upstream could not finish while the client was not reading');
  t.ok(written < 64 * 1024 * 1024, `only ${(written / 1048576).toFixed(1)} MiB left the upstream`);
  res.body.destroy();
});

t.test('a chunked request body (no content-length) is streamed upstream', async (t) => {
  const up = await startUpstream('up', (_req, res, seen) => {
    res.end(`got ${seen.bodyLength}`);
  });
  const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const body = Readable.from(['hello ', 'chunked ', 'world']);
  const res = await request(`${proxy.base}/chunked`, { method: 'POST', body });
  t.equal(await res.body.text(), 'got 19');
});
