// TCP proxying bench: `node dist/bench/tcp.js [seconds]`. An echo upstream in its own process,
// Skiff (a tcp_proxy listener) in its own process, the load in this one. Two phases per target:
// bulk (8 connections streaming 64 KiB writes, echoed back) and churn (50 concurrent
// connect → 13 bytes → echo → close loops), against Skiff and a bare stream.pipe proxy (the Node
// floor). Prints one markdown row per target.
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startChild, stopAll } from './child.js';
import { cpuSeconds, peakRssMiB } from './proc-stats.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const seconds = Number(process.argv[2] ?? '8');
const CHUNK = Buffer.alloc(64 * 1024, 7);
const SMALL = Buffer.from('hello, bench\n');

/** Echo upstream as a child: the same script with `--echo`. */
async function startEcho(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const c = await startChild(process.execPath, [fileURLToPath(import.meta.url), '--echo', String(port)], {
    port,
  });
  return { port, stop: c.stop };
}

function skiffConfig(listen: number, upstream: number): string {
  return `static_resources:
  listeners:
  - name: tcp
    address: {socket_address: {address: 127.0.0.1, port_value: ${listen}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: bench
          cluster: echo
  clusters:
  - name: echo
    connect_timeout: 1s
    load_assignment:
      cluster_name: echo
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${upstream}}}}
`;
}

/** Streams CHUNKs on `conns` connections for `ms`, counting bytes echoed back. */
function bulk(port: number, conns: number, ms: number): Promise<number> {
  return new Promise((resolve) => {
    let echoed = 0;
    let open = conns;
    const deadline = Date.now() + ms;
    for (let i = 0; i < conns; i++) {
      const s = net.connect({ port, host: '127.0.0.1' });
      const pump = (): void => {
        while (Date.now() < deadline) if (!s.write(CHUNK)) return;
        s.end();
      };
      s.on('connect', pump);
      s.on('drain', pump);
      s.on('data', (d: Buffer) => {
        echoed += d.length;
      });
      s.on('close', () => {
        if (--open === 0) resolve(echoed);
      });
      s.on('error', () => {});
    }
  });
}

/** `concurrency` loops of connect → write 13 bytes → read them back → close, for `ms`. */
function churn(port: number, concurrency: number, ms: number): Promise<{ ok: number; failed: number }> {
  const deadline = Date.now() + ms;
  let ok = 0;
  let failed = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      let got = 0;
      s.setTimeout(5000, () => s.destroy(new Error('timeout')));
      s.on('connect', () => s.write(SMALL));
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= SMALL.length) s.end();
      });
      s.on('error', () => {});
      s.on('close', () => {
        if (got >= SMALL.length) ok++;
        else failed++;
        resolve();
      });
    });
  const loop = async (): Promise<void> => {
    while (Date.now() < deadline) await one();
  };
  return Promise.all(Array.from({ length: concurrency }, loop)).then(() => ({ ok, failed }));
}

async function measure(name: string, port: number, pid: number | null): Promise<void> {
  await churn(port, 10, 1000);
  const c0 = pid === null ? 0 : cpuSeconds(pid);
  const bytes = await bulk(port, 8, seconds * 1000);
  const c1 = pid === null ? 0 : cpuSeconds(pid);
  const cx = await churn(port, 50, seconds * 1000);
  const c2 = pid === null ? 0 : cpuSeconds(pid);
  const mib = bytes / 1048576;
  const cpu = (v: number): string => (pid === null ? '—' : v.toFixed(1));
  const rss = pid === null ? '—' : peakRssMiB(pid).toFixed(0);
  console.log(
    `| ${name} | ${(mib / seconds).toFixed(0)} | ${cpu(((c1 - c0) / (mib / 1024)) * 1)} | ${(cx.ok / seconds).toFixed(0)} | ${cx.failed} | ${pid === null ? '—' : (((c2 - c1) * 1e6) / Math.max(cx.ok, 1)).toFixed(0)} | ${rss} |`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--echo') {
    net.createServer((s) => s.pipe(s).on('error', () => {})).listen(Number(process.argv[3]), '127.0.0.1');
    return;
  }
  if (process.argv[2] === '--pipe') {
    // The floor for a Node TCP proxy: stream.pipe both ways, nothing else.
    const to = Number(process.argv[4]);
    net
      .createServer((d) => {
        const u = net.connect({ port: to, host: '127.0.0.1' });
        d.on('error', () => u.destroy());
        u.on('error', () => d.destroy());
        d.pipe(u).pipe(d);
      })
      .listen(Number(process.argv[3]), '127.0.0.1');
    return;
  }
  const echo = await startEcho();
  const listen = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'skiff-tcp-bench-'));
  const file = join(dir, 'tcp.yaml');
  writeFileSync(file, skiffConfig(listen, echo.port));
  const skiff = await startChild(
    process.execPath,
    [join(root, 'bin', 'skiff'), 'run', '-c', file, '--admin-port', '0', '--log-level', 'warn'],
    { cwd: root, port: listen, timeoutMs: 20_000 },
  );
  console.log(
    `${seconds} s per phase; bulk = 8 connections of 64 KiB writes echoed back; churn = 50 concurrent connect/13 B echo/close loops`,
  );
  console.log(
    '| target | bulk MiB/s echoed | proxy CPU s per GiB | churn conn/s | failed | proxy CPU µs per conn | peak RSS MiB |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  await measure('direct', echo.port, null);
  await measure('skiff tcp_proxy', listen, skiff.pid);
  await skiff.stop();
  const pipePort = await freePort();
  const pipe = await startChild(
    process.execPath,
    [fileURLToPath(import.meta.url), '--pipe', String(pipePort), String(echo.port)],
    { port: pipePort },
  );
  await measure('node stream.pipe', pipePort, pipe.pid);
  await pipe.stop();
  await echo.stop();
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
