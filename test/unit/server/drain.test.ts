import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { closeServerGracefully } from '../../../lib/server/drain.js';

const WAIT_MS = 5000;
/** Far beyond WAIT_MS: a drain that resolves within WAIT_MS did not need its deadline. */
const LONG_DEADLINE_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function listen(
  t: Test,
  handler: http.RequestListener,
): Promise<{ server: http.Server; port: number }> {
  // Node's default keepAliveTimeout (5 s) would otherwise close the idle socket for us.
  const server = http.createServer({ keepAliveTimeout: LONG_DEADLINE_MS }, handler);
  server.listen(0, '127.0.0.1');
  await withTimeout(once(server, 'listening'), WAIT_MS, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    if (server.listening) server.close();
  });
  return { server, port: (server.address() as AddressInfo).port };
}

function agent(t: Test): http.Agent {
  const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => a.destroy());
  return a;
}

interface ClientResult {
  status: number;
  body: string;
}

function request(port: number, a: http.Agent): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: a }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

t.test('a server that is not listening resolves at once', async (t) => {
  const server = http.createServer();
  await withTimeout(closeServerGracefully(server, LONG_DEADLINE_MS), WAIT_MS, 'drain');
  t.notOk(server.listening);
});

t.test('an idle keep-alive connection does not hold the drain', async (t) => {
  const { server, port } = await listen(t, (_req, res) => res.end('hi'));
  const a = agent(t);
  const r = await withTimeout(request(port, a), WAIT_MS, 'first response');
  t.same(r, { status: 200, body: 'hi' });
  const sockets = Object.values(a.freeSockets).flat();
  t.equal(sockets.length, 1, 'the client holds one idle keep-alive socket');
  const clientClosed = once(sockets[0]!, 'close');
  await withTimeout(closeServerGracefully(server, LONG_DEADLINE_MS), WAIT_MS, 'drain');
  t.notOk(server.listening);
  await withTimeout(clientClosed, WAIT_MS, 'client socket close');
  t.pass('the idle socket was closed by the server');
});

t.test('an in-flight request finishes, then the drain completes', async (t) => {
  let release!: () => void;
  let gotRequest!: () => void;
  const arrived = new Promise<void>((r) => {
    gotRequest = r;
  });
  const { server, port } = await listen(t, (_req, res) => {
    release = () => res.end('late');
    gotRequest();
  });
  const a = agent(t);
  const response = request(port, a);
  await withTimeout(arrived, WAIT_MS, 'request at the server');
  let drained = false;
  const drain = closeServerGracefully(server, LONG_DEADLINE_MS).then(() => {
    drained = true;
  });
  await new Promise<void>((r) => setImmediate(r));
  t.notOk(drained, 'still draining while a request is in flight');
  t.notOk(server.listening, 'no longer accepting');
  release();
  t.same(await withTimeout(response, WAIT_MS, 'response'), { status: 200, body: 'late' });
  await withTimeout(drain, WAIT_MS, 'drain after the response');
  t.ok(drained);
});

t.test('a hung request is cut at the deadline', async (t) => {
  let gotRequest!: () => void;
  const arrived = new Promise<void>((r) => {
    gotRequest = r;
  });
  const { server, port } = await listen(t, () => gotRequest());
  const a = agent(t);
  const response = request(port, a).then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code ?? err.message,
  );
  await withTimeout(arrived, WAIT_MS, 'request at the server');
  await withTimeout(closeServerGracefully(server, 100), WAIT_MS, 'drain at the deadline');
  t.notOk(server.listening);
  t.equal(await withTimeout(response, WAIT_MS, 'client error'), 'ECONNRESET', 'the client sees the cut');
});
