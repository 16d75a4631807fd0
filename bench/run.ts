// The macro bench: each target in front of the same upstream, closed-loop throughput with
// autocannon, then open-loop latency at a fixed rate, with the target's CPU and peak RSS.
// Usage: npm run bench -- [--duration 10] [--latency-duration 10] [--rate 1000] [--targets a,b]
//   [--write] [--note 'text for RESULTS.md']
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startChild, stopAll } from './child.js';
import { formatOpenLoop, runOpenLoop } from './open-loop.js';
import { cpuSeconds, peakRssMiB } from './proc-stats.js';
import { markdownTable, type Row, type RunSettings, resultsMarkdown } from './results.js';
import { type BenchContext, type RunningTarget, TARGETS } from './targets.js';

const CONNECTIONS = 50;
const WARMUP_S = 2;
const root = fileURLToPath(new URL('../..', import.meta.url));

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    'latency-duration': { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    targets: { type: 'string', default: Object.keys(TARGETS).join(',') },
    write: { type: 'boolean', default: false },
    note: { type: 'string' },
  },
});
const settings: RunSettings = {
  command: `npm run bench -- ${process.argv
    .slice(2)
    .map((a) => (/\s/.test(a) ? `'${a}'` : a))
    .join(' ')}`.trim(),
  durationS: Number(values.duration),
  latencyDurationS: Number(values['latency-duration']),
  rate: Number(values.rate),
  connections: CONNECTIONS,
  loadAtStart: os.loadavg()[0] ?? 0,
  note: values.note,
};
for (const [flag, v, max] of [
  ['--duration', settings.durationS, 600],
  ['--latency-duration', settings.latencyDurationS, 600],
  ['--rate', settings.rate, 100_000],
] as const) {
  if (!(v > 0 && v <= max)) throw new Error(`${flag} must be a number in (0, ${max}]`);
}
const names = values.targets.split(',').map((n) => n.trim());
const unknown = names.filter((n) => !(n in TARGETS));
if (unknown.length > 0) throw new Error(`unknown targets: ${unknown.join(', ')}`);

async function measure(name: string, target: RunningTarget): Promise<Row> {
  // The fixed-rate phase runs first, on a fresh process, so its peak RSS is the steady-state
  // footprint of a sidecar at that rate; the throughput flood afterwards shows the worst case.
  await runOpenLoop({ url: target.url, rate: settings.rate, durationMs: WARMUP_S * 1000 });
  const cpu0 = target.pid ? cpuSeconds(target.pid) : Number.NaN;
  const ol = await runOpenLoop({
    url: target.url,
    rate: settings.rate,
    durationMs: settings.latencyDurationS * 1000,
  });
  console.log(`  @${settings.rate} req/s: ${formatOpenLoop(ol)}`);
  const rateRss = target.pid ? peakRssMiB(target.pid) : Number.NaN;
  const cpuRate = target.pid ? cpuSeconds(target.pid) - cpu0 : Number.NaN;
  await autocannon({ url: target.url, connections: CONNECTIONS, duration: WARMUP_S });
  const cpuMid = target.pid ? cpuSeconds(target.pid) : Number.NaN;
  const ac = await autocannon({ url: target.url, connections: CONNECTIONS, duration: settings.durationS });
  console.log(
    `  throughput: ${ac.requests.mean.toFixed(0)} req/s, p50 ${ac.latency.p50} ms, p99 ${ac.latency.p99} ms`,
  );
  // CPU over the two measured phases only (the throughput warm-up is left out).
  const cpu = target.pid ? cpuRate + (cpuSeconds(target.pid) - cpuMid) : Number.NaN;
  return {
    target: name,
    rps: ac.requests.mean,
    acP50: ac.latency.p50,
    acP99: ac.latency.p99,
    olP50: ol.p50,
    olP99: ol.p99,
    olP999: ol.p999,
    olMax: ol.max,
    errors: ac.errors + ac.timeouts + ac.non2xx + ol.errors,
    late: ol.late,
    cpuSeconds: cpu,
    cpuUsPerReq: (cpu * 1e6) / (ac.requests.total + ol.completed),
    rateRssMiB: rateRss,
    peakRssMiB: target.pid ? peakRssMiB(target.pid) : Number.NaN,
  };
}

const tmp = mkdtempSync(join(os.tmpdir(), 'skiff-bench-'));
async function cleanUp(): Promise<void> {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
}

async function main(): Promise<void> {
  try {
    const upstream = await startChild(process.execPath, [join(root, 'dist', 'bench', 'upstream.js')]);
    const ctx: BenchContext = { root, tmp, upstreamPort: upstream.port };
    const rows: Row[] = [];
    for (const name of names) {
      console.log(`${name}:`);
      let target: RunningTarget | string | undefined;
      try {
        target = await TARGETS[name]!(ctx);
        if (typeof target === 'string') {
          console.log(`  skipped: ${target}`);
          rows.push({ target: name, note: `skipped: ${target}` });
          continue;
        }
        rows.push(await measure(name, target));
      } catch (err) {
        console.log(`  failed: ${(err as Error).message}`);
        rows.push({
          target: name,
          note: `failed: ${(err as Error).message.replace(/[\s|]+/g, ' ').slice(0, 160)}`,
        });
      } finally {
        if (typeof target === 'object') await target.stop();
      }
    }
    console.log(`\n${markdownTable(rows)}\n`);
    if (values.write) {
      const file = join(root, 'bench', 'RESULTS.md');
      writeFileSync(file, resultsMarkdown(rows, settings) + keptSections(file));
      console.log('wrote bench/RESULTS.md');
    }
  } finally {
    await cleanUp();
  }
}

process.once('SIGINT', () => {
  console.log('\ninterrupted, stopping children');
  void cleanUp().finally(() => process.exit(130));
});
await main();

/** Hand-written sections (micro benches, hot-path history) below the marker survive --write. */
function keptSections(file: string): string {
  // Declared inside: main() runs from a top-level await above this point.
  const marker = '<!-- hand-written sections below are kept by `npm run bench -- --write` -->';
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(marker);
  return at === -1 ? '' : `\n${text.slice(at)}`;
}
