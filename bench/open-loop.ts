// Open-loop, coordinated-omission-free load: request i is due at t0 + i/rate and its latency is
// measured from that due time, so a stall shows up in every request it delayed. Enough pooled
// keep-alive connections that one slow response never holds back the next send.
// (autocannon -R and h2load --rps time from the actual send and so hide stalls.)
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Dispatcher, Pool } from 'undici';
import { startChild } from './child.js';
import { pauseUpstream } from './upstream.js';

/** What one open-loop run does. */
export interface OpenLoopOptions {
  url: string;
  rate: number;
  durationMs: number;
  connections?: number;
  /** A request that reaches its socket later than this after its due time counts as late. */
  lateMs?: number;
  /** How long to wait for stragglers after the last send before counting them as errors. */
  drainMs?: number;
}

/** Latencies in ms, measured from each request's intended send time. */
export interface OpenLoopResult {
  planned: number;
  completed: number;
  errors: number;
  late: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const { url, rate, durationMs, connections = 64, lateMs = 10, drainMs = 10_000 } = opts;
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  const planned = Math.floor((rate * durationMs) / 1000);
  const latency = new Float64Array(planned);
  let completed = 0;
  let errors = 0;
  let late = 0;
  let finished = false;
  let onSettled: () => void = () => {};
  const settle = (): void => {
    if (completed + errors === planned) onSettled();
  };

  const send = (due: number): void => {
    let failed = false;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: () => void (performance.now() - due > lateMs && late++),
      onResponseStart: (_c, status) => void (failed = status < 200 || status >= 300),
      onResponseData: () => {},
      onResponseEnd: () => {
        if (finished) return;
        if (failed) errors++;
        else latency[completed++] = performance.now() - due;
        settle();
      },
      onResponseError: () => {
        if (finished) return;
        errors++;
        settle();
      },
    };
    pool.dispatch({ path: target.pathname + target.search, method: 'GET' }, handler);
  };

  const interval = 1000 / rate;
  const t0 = performance.now() + 5;
  let next = 0;
  await new Promise<void>((resolve) => {
    onSettled = resolve;
    const tick = (): void => {
      const now = performance.now();
      for (; next < planned && t0 + next * interval <= now; next++) send(t0 + next * interval);
      if (next < planned) {
        setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
        return;
      }
      setTimeout(resolve, drainMs).unref();
    };
    tick();
  });
  finished = true;
  await pool.destroy().catch(() => {});

  const sorted = latency.subarray(0, completed).sort();
  return {
    planned,
    completed,
    errors: planned - completed,
    late,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: completed > 0 ? sorted[completed - 1]! : Number.NaN,
  };
}

export function formatOpenLoop(r: OpenLoopResult): string {
  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  return (
    `p50 ${ms(r.p50)}  p90 ${ms(r.p90)}  p99 ${ms(r.p99)}  p99.9 ${ms(r.p999)}  max ${ms(r.max)}  ` +
    `(${r.completed}/${r.planned} ok, ${r.errors} errors, ${r.late} sent late)`
  );
}

/**
 * Direct to the upstream at 1000 req/s for 10 s with a 500 ms upstream pause at 5 s. About 5% of
 * requests are due during or just before the stall, so an honest tool reports p99 ≈ 400 ms.
 */
export async function selfCheck(): Promise<boolean> {
  const upstream = await startChild(process.execPath, [
    fileURLToPath(new URL('./upstream.js', import.meta.url)),
  ]);
  try {
    const pause = setTimeout(() => void pauseUpstream(upstream.port, 500).catch(() => {}), 5000);
    const r = await runOpenLoop({
      url: `http://127.0.0.1:${upstream.port}/`,
      rate: 1000,
      durationMs: 10_000,
    });
    clearTimeout(pause);
    const ok = r.p99 >= 300 && r.errors === 0;
    console.log(`open-loop self-check (1000 req/s, 10 s, 500 ms upstream pause): ${formatOpenLoop(r)}`);
    console.log(
      `self-check ${ok ? 'PASSED' : 'FAILED'}: p99 ${r.p99.toFixed(0)} ms (expected ≈ 400, needs ≥ 300)`,
    );
    return ok;
  } finally {
    await upstream.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      'self-check': { type: 'boolean' },
      url: { type: 'string' },
      rate: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '64' },
    },
  });
  if (values['self-check']) {
    process.exitCode = (await selfCheck()) ? 0 : 1;
  } else if (values.url) {
    const r = await runOpenLoop({
      url: values.url,
      rate: Number(values.rate),
      durationMs: Number(values.duration) * 1000,
      connections: Number(values.connections),
    });
    console.log(formatOpenLoop(r));
  } else {
    console.error(
      'usage: open-loop --self-check | --url URL [--rate 1000] [--duration 10] [--connections 64]',
    );
    process.exitCode = 2;
  }
}
