// The targets the bench compares. Each starts as its own process in front of the shared upstream.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, freePort, startChild } from './child.js';

/** A target ready to take load: where to send it and which process tree to measure. */
export interface RunningTarget {
  url: string;
  /** Absent for `direct`, which has no proxy process. */
  pid?: number;
  stop(): Promise<void>;
}

/** Where the bench runs: the repo root, a scratch directory and the shared upstream's port. */
export interface BenchContext {
  root: string;
  tmp: string;
  upstreamPort: number;
}

/** Starts a target, or returns the reason it is skipped on this machine. */
export type StartTarget = (ctx: BenchContext) => Promise<RunningTarget | string>;

const benchDir = fileURLToPath(new URL('.', import.meta.url));

function running(child: Child): RunningTarget {
  return { url: `http://127.0.0.1:${child.port}/`, pid: child.pid, stop: child.stop };
}

function nodeProxy(file: string): StartTarget {
  return async (ctx) =>
    running(await startChild(process.execPath, [join(benchDir, 'proxies', file), String(ctx.upstreamPort)]));
}

async function skiff(ctx: BenchContext): Promise<RunningTarget | string> {
  const bin = join(ctx.root, 'bin', 'skiff');
  if (!existsSync(bin)) return 'bin/skiff not found';
  const port = await freePort();
  const config = readFileSync(join(ctx.root, 'bench', 'skiff-bench.yaml'), 'utf8')
    .replaceAll('__LISTEN_PORT__', String(port))
    .replaceAll('__UPSTREAM_PORT__', String(ctx.upstreamPort))
    .replaceAll('__ACCESS_LOG__', join(ctx.tmp, 'skiff-access.log'));
  const file = join(ctx.tmp, 'skiff-bench.yaml');
  writeFileSync(file, config);
  const args = [bin, 'run', '-c', file, '--admin-port', '0', '--log-level', 'warn'];
  return running(await startChild(process.execPath, args, { cwd: ctx.root, port, timeoutMs: 20_000 }));
}

function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${dir}/access.log combined buffer=64k flush=1s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream bench { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

async function nginx(ctx: BenchContext): Promise<RunningTarget | string> {
  if (spawnSync('nginx', ['-v']).error) return 'nginx not on PATH';
  const dir = join(ctx.tmp, 'nginx');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, ctx.upstreamPort));
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
  return running(await startChild('nginx', args, { port }));
}

/** Every target in the order the bench runs them; `direct` is the limit, the upstream itself. */
export const TARGETS: Readonly<Record<string, StartTarget>> = {
  direct: async (ctx) => ({ url: `http://127.0.0.1:${ctx.upstreamPort}/`, stop: async () => {} }),
  skiff,
  'undici-minimal': nodeProxy('undici-minimal.js'),
  'reply-from': nodeProxy('reply-from.js'),
  'http-proxy': nodeProxy('http-proxy.js'),
  nginx,
};
