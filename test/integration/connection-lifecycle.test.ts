import { connect } from 'node:net';
import t from 'tap';
import { get, proxyToUpstream, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { startUpstream } from '../helpers/upstream.js';

const DIRECT = `
              - { match: { prefix: /direct }, direct_response: { status: 200, body: { inline_string: direct } } }
              - { match: { prefix: / }, route: { cluster: backend } }`;

/** Polls `fn` until it returns true or `ms` pass. */
async function eventually(fn: () => Promise<boolean> | boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

t.test('a local reply keeps the connection open for the next pipelined request', async (t) => {
  const { proxy } = await proxyToUpstream(t, { routes: DIRECT });
  const out = await rawExchange(
    proxy.port,
    'GET /direct HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n',
    /up GET \/after$/,
  );
  t.notMatch(out, /connection: close/i, 'no Connection: close on a body-less local reply');
  t.match(out, /direct[\s\S]*up GET \/after$/, 'the pipelined request after it is answered');
});

t.test('a client that drops pipelined requests leaves no stream open', async (t) => {
  const { proxy } = await proxyToUpstream(
    t,
    {},
    { name: 'up', handler: (_req, res) => setTimeout(() => res.end('late'), 100) },
  );
  const sock = connect(proxy.port, '127.0.0.1');
  sock.on('error', () => {});
  await new Promise((r) => sock.once('connect', r));
  sock.write(
    'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  await new Promise((r) => setTimeout(r, 30));
  sock.destroy();
  const ok = await eventually(async () => {
    const prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
    return (
      /envoy_http_downstream_rq_active\{[^}]*\} 0\b/.test(prom) &&
      /envoy_cluster_upstream_rq_active\{[^}]*\} 0\b/.test(prom)
    );
  });
  t.ok(ok, 'downstream_rq_active and upstream_rq_active return to 0');
});

t.test('garbage after a valid request never corrupts its response', async (t) => {
  const up = await startUpstream('up', (_req, res) => {
    res.writeHead(200, { 'content-length': 20 });
    res.write('0123456789');
    setTimeout(() => res.end('abcdefghij'), 50);
  });
  const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const out = await rawExchange(
    proxy.port,
    'GET / HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n',
    undefined,
    5000,
  );
  t.notMatch(out, /0123456789HTTP\/1\.1 400/, 'no 400 spliced into the body');
  t.equal((await get(`${proxy.base}/`)).status, 200, 'proxy still serves');
});

t.test('request_timeout without request_headers_timeout starts and answers 408', async (t) => {
  const { proxy } = await proxyToUpstream(t, { hcmExtra: '          request_timeout: 0.3s' });
  t.equal((await get(`${proxy.base}/`)).status, 200);
  const out = await rawExchange(
    proxy.port,
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc',
    undefined,
    5000,
  );
  t.match(out, /^HTTP\/1.1 408/, 'a stalled upload gets 408');
});

t.test('responses during drain carry Connection: close', async (t) => {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const up = await startUpstream('up', (_req, res) => {
    void held.then(() => res.end('done'));
  });
  const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const pending = rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', /done$/);
  await eventually(() => up.requests.length === 1);
  const stopping = proxy.stop();
  const late = rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n').catch(() => 'refused');
  release();
  const first = await pending;
  t.match(first, /^HTTP\/1.1 200/, 'the in-flight request completes');
  await stopping;
  t.notMatch(await late, /^HTTP\/1.1 200/, 'new connections are not served once draining');
});

t.test('Connection cannot strip Host or Content-Length', async (t) => {
  const { proxy, up } = await proxyToUpstream(t);
  await rawExchange(
    proxy.port,
    'POST / HTTP/1.1\r\nHost: wanted.example\r\nConnection: host, content-length\r\nContent-Length: 2\r\n\r\nok',
    /\r\n\r\nup POST \/$/,
  );
  t.equal(up.requests.at(-1)!.headers.host, 'wanted.example');
  t.equal(up.requests.at(-1)!.bodyLength, 2);
});

t.test('pipelined requests reach the upstream one at a time, in order', async (t) => {
  let inflight = 0;
  let maxInflight = 0;
  const order: string[] = [];
  const up = await startUpstream('up', (req, res) => {
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    order.push(req.url ?? '');
    setTimeout(() => {
      inflight--;
      res.end(`done ${req.url}`);
    }, 30);
  });
  const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const out = await rawExchange(
    proxy.port,
    'GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: x\r\n\r\n',
    /done \/c$/,
  );
  t.same(order, ['/a', '/b', '/c']);
  t.equal(maxInflight, 1, 'never more than one request of the connection upstream at once');
  t.match(out, /done \/a[\s\S]*done \/b[\s\S]*done \/c$/);
});
