// The shared upstream every target proxies to: a fixed 13-byte 200 on every request. A control
// request `GET /__bench/pause?ms=N` makes it hold every response that becomes ready in the next
// N ms, which is how the open-loop self-check proves it is free of coordinated omission.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

const BODY = Buffer.from('hello, bench\n');
const PAUSE_PATH = '/__bench/pause';

/** A running upstream: its port, a way to pause it in-process, and a way to close it. */
export interface Upstream {
  port: number;
  pause(ms: number): void;
  close(): Promise<void>;
}

function reply(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
}

export async function startUpstream(port = 0): Promise<Upstream> {
  let pausedUntil = 0;
  const pause = (ms: number): void => {
    pausedUntil = Math.max(pausedUntil, Date.now() + ms);
  };
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.url?.startsWith(PAUSE_PATH)) {
      const ms = Number(new URL(req.url, 'http://x').searchParams.get('ms') ?? '0');
      pause(Number.isFinite(ms) ? Math.min(ms, 60_000) : 0);
      req.resume();
      reply(res);
      return;
    }
    // Read and discard the body, answer once it has all arrived.
    req.resume();
    req.on('end', () => {
      const wait = pausedUntil - Date.now();
      if (wait > 0) setTimeout(reply, wait, res);
      else reply(res);
    });
  });
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Asks a running upstream (possibly in another process) to hold its responses for `ms`. */
export function pauseUpstream(port: number, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `${PAUSE_PATH}?ms=${ms}`, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.setTimeout(5000, () => req.destroy(new Error('pause request timed out')));
    req.on('error', reject);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const up = await startUpstream(Number(process.argv[2] ?? process.env.PORT ?? 0));
  console.log(`upstream listening 127.0.0.1:${up.port}`);
}
