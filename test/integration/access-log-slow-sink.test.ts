/**
 * A destination nobody reads never stalls the proxy: requests keep flowing, lines are dropped and
 * counted in skiff_access_log_dropped_total. A FIFO with a silent reader (in process), and
 * `skiff run --access-log -` whose stdout is a pipe into a child that never reads.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tempLogPath } from '../helpers/files.js';
import { get } from '../helpers/proxy.js';
import { startSidecar } from '../helpers/sidecar.js';
import { freePort } from '../helpers/skiff-process.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));

function registry(port: number): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders.shop.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${port}}}]
`;
}

// 8 copies of an 8000-byte header: ~64 KB per line, so the 4 MiB bound is passed in ~70 requests.
const BIG_FORMAT = `${'%REQ(X-PAD)%'.repeat(8)}\n`;
const PAD = 'p'.repeat(8000);
const REQUESTS = 120;

function dropped(metrics: string): number {
  const m = /^skiff_access_log_dropped_total (\d+)$/m.exec(metrics);
  return m === null ? -1 : Number(m[1]);
}

async function sendMany(port: number): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const r = await get(`http://127.0.0.1:${port}/x`, { headers: { host: 'orders', 'x-pad': PAD } });
    codes.push(r.status);
  }
  return codes;
}

t.test('a FIFO nobody reads: requests flow, lines are dropped and counted', async (t) => {
  const up = await startUpstream('orders');
  const fifo = tempLogPath('fifo');
  execFileSync('mkfifo', [fifo]);
  // A reader that never reads: the pipe fills after 64 KiB.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const sc = await startSidecar(registry(up.port), {
    workload: { namespace: 'shop' },
    sidecar: {
      accessLog: { name: 'envoy.access_loggers.file', path: fifo, textFormat: BIG_FORMAT, jsonFormat: null },
    },
  });
  t.teardown(async () => {
    closeSync(reader);
    await sc.stop();
    await up.close();
    rmSync(fifo, { force: true });
  });
  const before = dropped((await get(`${sc.adminBase}/stats/prometheus`)).body);
  t.equal(before, 0, 'the counter exists and starts at 0');
  const codes = await sendMany(sc.outbound);
  t.same(new Set(codes), new Set([200]), `all ${REQUESTS} requests served`);
  const after = dropped((await get(`${sc.adminBase}/stats/prometheus`)).body);
  t.ok(after > 0, `lines dropped and counted (${after})`);
  t.ok(after < REQUESTS, 'the buffered lines were kept');
  t.equal(sc.skiff.stats.accessLogDropped.value, after);
});

t.test('skiff run --access-log - with stdout piped to a child that never reads', async (t) => {
  const up = await startUpstream('orders');
  const cfg = tempLogPath('registry.yaml');
  writeFileSync(cfg, registry(up.port));
  const [outbound, stats] = [await freePort(), await freePort()];
  const sink: ChildProcess = spawn('sleep', ['300'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const child = spawn(
    process.execPath,
    [
      SKIFF,
      'run',
      '-c',
      cfg,
      '--namespace',
      'shop',
      '--outbound-port',
      String(outbound),
      '--inbound-port',
      '0',
      '--health-port',
      '0',
      '--stats-port',
      String(stats),
      '--admin-port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--access-log',
      '-',
      '--access-log-format',
      BIG_FORMAT,
    ],
    { stdio: ['ignore', sink.stdin ?? 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  t.teardown(async () => {
    child.kill('SIGKILL');
    sink.kill('SIGKILL');
    await up.close();
    rmSync(cfg, { force: true });
  });
  const metrics = async (): Promise<string> => {
    try {
      return (await get(`http://127.0.0.1:${stats}/stats/prometheus`)).body;
    } catch {
      return '';
    }
  };
  await eventually(async () => dropped(await metrics()) === 0, `skiff serving (stderr: ${err})`, 15_000);
  const codes = await sendMany(outbound);
  t.same(new Set(codes), new Set([200]), `all ${REQUESTS} requests served`);
  const after = dropped(await metrics());
  t.ok(after > 0 && after < REQUESTS, `stdout lines dropped and counted (${after})`);
});
