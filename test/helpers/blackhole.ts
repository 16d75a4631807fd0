import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * A loopback port whose TCP handshakes never complete: a listener with backlog 0 that never
 * accepts, its queue filled by a few half-open connections, so later SYNs are dropped and a
 * client's connect times out. Written in Python because Node always accepts. Returns null when
 * python3 is missing (the caller skips).
 */
export async function startBlackhole(): Promise<{ port: number; close(): void } | null> {
  if (spawnSync('python3', ['--version']).error !== undefined) return null;
  const script = `
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.3)
print(port, flush=True)
time.sleep(120)
`;
  const child: ChildProcess = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('blackhole did not start')), 5000);
    child.stdout!.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(Number(d.toString().trim()));
    });
  });
  return { port, close: () => child.kill('SIGKILL') };
}
