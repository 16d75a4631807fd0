import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SkiffError } from '../errors.js';

export interface DemoUpstream {
  readonly version: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A tiny stand-in for the seed article's order-service: answers every request with its version,
 * and echoes the request id so the proxy's header handling is visible.
 */
export function startOrderService(version: string, port: number, host = '127.0.0.1'): Promise<DemoUpstream> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = `order-service ${version}\n`;
      res.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(body),
        'x-order-service-version': version,
        'x-seen-request-id': req.headers['x-request-id'] ?? '',
      });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new SkiffError(
          'SKIFF_ERR_LISTEN',
          `demo order-service ${version}: cannot bind ${host}:${port}: ${err.code ?? err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve({
        version,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
