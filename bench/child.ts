// Child processes of the bench: spawn, wait until a TCP port accepts, and always kill on the way out.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

/** A started child: its pid and (once known) the port it serves on. */
export interface Child {
  proc: ChildProcess;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve(void live.delete(proc));
      const hard = setTimeout(() => proc.kill('SIGKILL'), 3000);
      proc.once('exit', () => {
        clearTimeout(hard);
        live.delete(proc);
        resolve();
      });
      proc.kill('SIGTERM');
    });
}

/** Kills every child still running; used on errors and SIGINT. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => stopper(p)()));
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.setTimeout(500);
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

/** Polls until 127.0.0.1:port accepts a TCP connection, or throws after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, proc?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && (proc.exitCode !== null || proc.pid === undefined))
      throw new Error('exited before listening');
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} did not accept connections within ${timeoutMs} ms`);
}

/** Returns a port that was free a moment ago (for targets that cannot report the one they bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `cmd args`. If `port` is given the child is ready once that port accepts; otherwise the
 * port is read from the first stdout line matching `listening …:PORT`, then polled the same way.
 */
export async function startChild(
  cmd: string,
  args: string[],
  opts: { cwd?: string; port?: number; timeoutMs?: number } = {},
): Promise<Child> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const proc = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  const stop = stopper(proc);
  let output = '';
  const append = (d: Buffer): void => void (output = (output + d).slice(-4000));
  proc.stdout?.on('data', append);
  proc.stderr?.on('data', append);
  proc.on('error', (err) => append(Buffer.from(`${err.message}\n`)));
  try {
    const port =
      opts.port ??
      (await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no "listening" line in time')), timeoutMs);
        const fail = (err: Error): void => {
          clearTimeout(timer);
          reject(err);
        };
        proc.once('error', fail);
        proc.once('exit', (code) => fail(new Error(`exited with code ${code}`)));
        proc.stdout?.on('data', () => {
          const m = /listening\D*?(?:127\.0\.0\.1|localhost|\[::1?\]):(\d+)/.exec(output);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      }));
    await waitForPort(port, timeoutMs, proc);
    return { proc, pid: proc.pid ?? -1, port, stop };
  } catch (err) {
    await stop();
    const tail = output.trim().slice(-500);
    throw new Error(`${(err as Error).message}${tail ? `: ${tail}` : ''} [${cmd} ${args.join(' ')}]`);
  }
}
