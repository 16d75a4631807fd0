import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SocketAddress } from '../config/model.js';
import { SkiffError } from '../errors.js';
import { type AdminReply, ENDPOINT_BY_PATH, helpText, TEXT } from './endpoints.js';
import type { AdminContext } from './types.js';

function send(res: ServerResponse, reply: AdminReply): void {
  res.statusCode = reply.status;
  res.setHeader('content-type', reply.contentType);
  res.setHeader('cache-control', 'no-cache, max-age=0');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-length', Buffer.byteLength(reply.body));
  if (reply.headers !== undefined) for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
  if (reply.after !== undefined) res.once('finish', reply.after);
  res.end(reply.body);
}

async function dispatch(ctx: AdminContext, req: IncomingMessage): Promise<AdminReply> {
  const url = new URL(req.url ?? '/', 'http://admin');
  const endpoint = ENDPOINT_BY_PATH.get(url.pathname);
  if (endpoint === undefined) return { status: 404, contentType: TEXT, body: `invalid path. ${helpText()}` };
  const method = req.method ?? 'GET';
  if (endpoint.mutates && method !== 'POST') {
    return { status: 400, contentType: TEXT, body: `Method ${method} not allowed, POST required.\n` };
  }
  return endpoint.handle(ctx, url.searchParams, { accept: req.headers.accept ?? '' });
}

/** The admin request handler (usable on any node:http server). */
export function createAdminHandler(ctx: AdminContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Admin requests carry no body we use; drain it so keep-alive connections stay usable.
    req.resume();
    dispatch(ctx, req).then(
      (reply) => send(res, reply),
      (err: unknown) => {
        const msg = err instanceof Error ? err.message : String(err);
        send(res, { status: 500, contentType: TEXT, body: `admin handler failed: ${msg}\n` });
      },
    );
  };
}

/** Binds the admin server (port 0 = ephemeral) and resolves once it listens. */
export async function startAdminServer(
  ctx: AdminContext,
  address: SocketAddress,
): Promise<{ address: string; port: number; close(): Promise<void> }> {
  const server = createServer(createAdminHandler(ctx));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      reject(
        new SkiffError(
          'SKIFF_ERR_LISTEN',
          `admin cannot listen on ${address.address}:${address.port}: ${err.message}`,
          {
            cause: err,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(address.port, address.address, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
