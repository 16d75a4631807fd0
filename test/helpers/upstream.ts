import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a fake upstream saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  /** Node's rawHeaders: wire case and order. */
  readonly rawHeaders: string[];
  readonly headers: IncomingMessage['headers'];
  readonly bodyLength: number;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

export interface FakeUpstream {
  readonly port: number;
  readonly name: string;
  readonly requests: SeenRequest[];
  /** Replace the behaviour for the next requests. */
  handle(h: UpstreamHandler): void;
  close(): Promise<void>;
}

/** Default: 200 with a body naming the upstream, and the request echoed in headers. */
function defaultHandler(name: string): UpstreamHandler {
  return (_req, res, seen) => {
    const body = `${name} ${seen.method} ${seen.url}`;
    res.writeHead(200, {
      'content-type': 'text/plain',
      'x-upstream': name,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
}

/**
 * A real HTTP/1.1 server on 127.0.0.1:0 that records every request it receives (after reading
 * the whole body) and answers with a replaceable handler. Tests script failures through it.
 */
export async function startUpstream(name = 'upstream', handler?: UpstreamHandler): Promise<FakeUpstream> {
  let current: UpstreamHandler = handler ?? defaultHandler(name);
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let bodyLength = 0;
    req.on('data', (c: Buffer) => {
      bodyLength += c.length;
    });
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        rawHeaders: req.rawHeaders,
        headers: req.headers,
        bodyLength,
      };
      requests.push(seen);
      current(req, res, seen);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    name,
    requests,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
