/** `skiff` as a child process (the built CLI), for tests that need several real sidecars. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eventually } from './wait.js';

export const SKIFF_BIN = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));

/** A running `skiff` process and what it printed so far. */
export interface SkiffProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, interleaved as read. */
  output(): string;
  /** Waits (bounded) until the output matches `re`, and returns the match. */
  waitFor(re: RegExp, what: string, ms?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

/** A port the OS just handed out (sidecar port flags need a number: `0` turns a port off). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

/** Starts `skiff ARGS…`. */
export function spawnSkiff(args: readonly string[], env: NodeJS.ProcessEnv = process.env): SkiffProcess {
  const child = spawn(process.execPath, [SKIFF_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  child.stdin.end();
  let out = '';
  const append = (d: Buffer): void => {
    out += d.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    async waitFor(re, what, ms = 10_000) {
      await eventually(() => re.test(out) || child.exitCode !== null, `${what}`, ms).catch((err: Error) => {
        throw new Error(`${err.message}; output so far:\n${out}`);
      });
      const m = re.exec(out);
      if (m === null) throw new Error(`skiff exited (${child.exitCode}) before ${what}:\n${out}`);
      return m;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `skiff ARGS…` to completion (bounded), e.g. `pki init`. */
export async function runSkiff(
  args: readonly string[],
  ms = 20_000,
): Promise<{ code: number | null; output: string }> {
  const p = spawnSkiff(args);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const code = await new Promise<number | null>((resolve) => p.child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output: p.output() };
}
