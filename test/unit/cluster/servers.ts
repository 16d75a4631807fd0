import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  readonly port: number;
  readonly server: http.Server;
  close(): Promise<void>;
}

/** An HTTP server answering every request with `name`; port 0 unless given. */
export async function startServer(name: string, host = '127.0.0.1', port = 0): Promise<TestServer> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(name);
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that was just bound and released, so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = await startServer('gone');
  await s.close();
  return s.port;
}
