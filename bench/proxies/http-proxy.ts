// http-proxy pass-through with a keep-alive agent. Usage: node http-proxy.js <upstreamPort> [listenPort]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import httpProxy from 'http-proxy';

const target = `http://127.0.0.1:${process.argv[2] ?? process.env.UPSTREAM_PORT}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
const proxy = httpProxy.createProxyServer({ target, agent });
proxy.on('error', (_err, _req, res) => {
  if (res.headersSent) res.destroy();
  else res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream error\n');
});
const server = http.createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[3] ?? process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`http-proxy listening 127.0.0.1:${(server.address() as AddressInfo).port}`);
});
