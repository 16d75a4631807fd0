// CPU time and peak RSS of a process tree from /proc (Linux only; elsewhere they read as NaN).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pid and all its live descendants (nginx master + worker, a CLI that forks, …). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length && out.length < 256; i++) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${out[i]}/task`);
    } catch {}
    for (const tid of tids) {
      const kids = read(`/proc/${out[i]}/task/${tid}/children`) ?? '';
      for (const kid of kids.split(' ')) if (kid.trim()) out.push(Number(kid));
    }
  }
  return out;
}

/** User + system CPU seconds consumed so far by the process tree rooted at pid. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = read(`/proc/${p}/stat`);
    if (!stat) continue;
    // Fields after "(comm) ": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / ticksPerSecond();
}

/** Sum of the peak resident set sizes (VmHWM) of the process tree, in MiB. */
export function peakRssMiB(pid: number): number {
  let kib = 0;
  for (const p of processTree(pid)) {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(read(`/proc/${p}/status`) ?? '');
    if (m) kib += Number(m[1]);
  }
  return kib > 0 ? kib / 1024 : Number.NaN;
}
