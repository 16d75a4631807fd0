import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SkiffError } from '../errors.js';
import { EXPOSITION_CONTENT_TYPE } from '../stats/exposition.js';
import { parseStatsQuery } from './stats-query.js';
import type { AdminContext } from './types.js';

/** A small single-purpose HTTP server Skiff started (readiness or stats port). */
export interface ProbeServer {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (ctx: AdminContext, req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Istio's readiness port (15021): `GET /healthz/ready` answers 200 once Skiff is LIVE (clusters
 * warmed, listeners bound) and 503 while starting or draining, which is what kubelet probes.
 */
export function startReadinessServer(ctx: AdminContext, address: string, port: number): Promise<ProbeServer> {
  return startProbeServer('readiness', address, port, ctx, (c, req, res) => {
    if (req.url?.split('?')[0] !== '/healthz/ready') return notFound(res);
    const live = c.state() === 'LIVE';
    res.writeHead(live ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(live ? '' : `${c.state()}\n`);
  });
}

/** Istio's merged-metrics port (15090): `GET /stats/prometheus`, the same text as the admin's. */
export function startStatsServer(ctx: AdminContext, address: string, port: number): Promise<ProbeServer> {
  return startProbeServer('stats', address, port, ctx, async (c, req, res) => {
    const url = new URL(req.url ?? '/', 'http://stats');
    if (url.pathname !== '/stats/prometheus') return notFound(res);
    const q = parseStatsQuery(url.searchParams);
    if ('error' in q) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`${q.error}\n`);
      return;
    }
    const body = await c.prometheus({ filter: q.filter, usedOnly: q.usedOnly });
    res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE });
    res.end(body);
  });
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}

async function startProbeServer(
  what: string,
  address: string,
  port: number,
  ctx: AdminContext,
  handle: Handler,
): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    Promise.resolve(handle(ctx, req, res)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: Error) =>
      reject(
        new SkiffError(
          'SKIFF_ERR_LISTEN',
          `${what} port cannot listen on ${address}:${port}: ${err.message}`,
        ),
      ),
    );
    server.listen(port, address, () => resolve());
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
