// The floor any Node proxy should reach: node:http in front of one undici Pool, streaming both
// ways with back-pressure. Usage: node undici-minimal.js <upstreamPort> [listenPort]
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Dispatcher, Pool } from 'undici';

const HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];
function strip(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const name of String(headers.connection ?? '').split(',')) delete out[name.trim().toLowerCase()];
  for (const name of HOP) delete out[name];
  return out;
}

const pool = new Pool(`http://127.0.0.1:${process.argv[2] ?? process.env.UPSTREAM_PORT}`, {
  connections: 128,
});
const server = http.createServer((req, res) => {
  let ctrl: Dispatcher.DispatchController | undefined;
  res.on('close', () => !res.writableFinished && ctrl?.abort(new Error('downstream closed')));
  res.on('drain', () => ctrl?.resume());
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool.dispatch(
    {
      path: req.url ?? '/',
      method: req.method as Dispatcher.HttpMethod,
      headers: strip(req.headers),
      body: hasBody ? req : null,
    },
    {
      onRequestStart: (c) => void (ctrl = c),
      onResponseStart: (_c, status, headers) => void res.writeHead(status, strip(headers)),
      onResponseData: (c, chunk) => void (res.write(chunk) || c.pause()),
      onResponseEnd: () => void res.end(),
      onResponseError: (_c, err) => {
        if (res.headersSent) res.destroy(err);
        else res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream error\n');
      },
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[3] ?? process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`undici-minimal listening 127.0.0.1:${(server.address() as AddressInfo).port}`);
});
