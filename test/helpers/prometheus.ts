/** A real Prometheus server (Debian's `prometheus` binary) on loopback, and its HTTP API. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './skiff-process.js';

/** One scrape target: `host:port` serving `/stats/prometheus`, and an `instance_name` label for it. */
export interface ScrapeTarget {
  readonly address: string;
  readonly name: string;
}

/** One alert as `/api/v1/alerts` lists it. */
export interface PromAlert {
  readonly labels: Record<string, string>;
  readonly state: string;
  readonly value: string;
}

/** One instant-vector sample as `/api/v1/query` returns it. */
export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** A running Prometheus with its API base URL. */
export interface PrometheusServer {
  readonly base: string;
  output(): string;
  alerts(): Promise<PromAlert[]>;
  query(expr: string): Promise<PromSample[]>;
  /** `/api/v1/targets`: scrape URL → health (`up`, `down`, `unknown`). */
  targets(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** Why Prometheus tests cannot run here, or false when the binary answers `--version`. */
export function prometheusMissing(bin = 'prometheus'): string | false {
  const r = spawnSync(bin, ['--version'], { timeout: 10_000, stdio: 'ignore' });
  if (r.error === undefined && r.status === 0) return false;
  return `the prometheus binary is not installed (Debian package prometheus): ${r.error?.message ?? `exit ${r.status}`}`;
}

/** The `prometheus.yml` for scraping `targets` every second and evaluating `rulesPath` every second. */
export function prometheusConfig(targets: readonly ScrapeTarget[], rulesPath: string): string {
  const statics = targets
    .map((t) => `      - targets: ['${t.address}']\n        labels: {instance_name: ${t.name}}`)
    .join('\n');
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: ['${rulesPath}']
scrape_configs:
  - job_name: skiff
    metrics_path: /stats/prometheus
    static_configs:
${statics}
`;
}

/** The `data` of a successful API answer; throws on HTTP or API errors. */
async function api(base: string, path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null || !('status' in body) || body.status !== 'success')
    throw new Error(`prometheus ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return 'data' in body ? body.data : undefined;
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && key in o ? (o as Record<string, unknown>)[key] : undefined;
}

function stringMap(o: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof o === 'object' && o !== null)
    for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
  return out;
}

function list(o: unknown): unknown[] {
  return Array.isArray(o) ? o : [];
}

/** Starts Prometheus with `config` (temp storage, a free loopback port) and waits until it is ready. */
export async function startPrometheus(
  config: (dir: string) => string,
  bin = 'prometheus',
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-prom-'));
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, config(dir));
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const append = (d: Buffer): void => {
    out += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited (${child.exitCode}):\n${out}`);
    }
    const ready = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    output: () => out,
    async alerts() {
      return list(field(await api(base, '/api/v1/alerts'), 'alerts')).map((a) => ({
        labels: stringMap(field(a, 'labels')),
        state: String(field(a, 'state')),
        value: String(field(a, 'value')),
      }));
    },
    async query(expr) {
      const data = await api(base, `/api/v1/query?query=${encodeURIComponent(expr)}`);
      return list(field(data, 'result')).map((s) => ({
        metric: stringMap(field(s, 'metric')),
        value: Number(list(field(s, 'value'))[1]),
      }));
    },
    async targets() {
      const out: Record<string, string> = {};
      for (const t of list(field(await api(base, '/api/v1/targets'), 'activeTargets')))
        out[String(field(t, 'scrapeUrl'))] = String(field(t, 'health'));
      return out;
    },
    stop,
  };
}
