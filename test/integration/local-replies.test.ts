import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { Client, request } from 'undici';
import { startBlackhole } from '../helpers/blackhole.js';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { get, simpleBootstrap, startProxy, staticCluster } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

/** A port that refuses connections: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A raw TCP server whose behaviour per connection is scripted (for UC / resets). */
async function rawUpstream(onSocket: (s: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const s = createNetServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    onSocket(sock);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const x of sockets) x.destroy();
        s.close(() => r());
      }),
  };
}

t.test('local replies follow Envoy: status, body, flag', async (t) => {
  const good = await startUpstream('good');
  const refused = await closedPort();
  const closer = await rawUpstream((sock) => sock.once('data', () => sock.destroy()));
  const resetter = await rawUpstream((sock) =>
    sock.once('data', () => {
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
      setTimeout(() => sock.resetAndDestroy(), 20);
    }),
  );
  const garbage = await rawUpstream((sock) =>
    sock.once('data', () => sock.write('HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\ncontent-length: 2\r\n\r\nok')),
  );
  const log = tempLogPath();
  const routes = `
              - { match: { prefix: /upe }, route: { cluster: garbage } }
              - { match: { prefix: /nc404 }, route: { cluster: does-not-exist, cluster_not_found_response_code: NOT_FOUND } }
              - { match: { prefix: /nc }, route: { cluster: does-not-exist } }
              - { match: { prefix: /uh }, route: { cluster: empty } }
              - { match: { prefix: /uf }, route: { cluster: refused } }
              - { match: { prefix: /uc }, route: { cluster: closer } }
              - { match: { prefix: /reset }, route: { cluster: resetter } }
              - { match: { prefix: /ok }, route: { cluster: good } }`;
  const clusters =
    staticCluster('refused', refused) +
    staticCluster('closer', closer.port) +
    staticCluster('resetter', resetter.port) +
    staticCluster('good', good.port) +
    staticCluster('garbage', garbage.port) +
    `  - name: empty
    type: STATIC
    load_assignment: { cluster_name: empty, endpoints: [] }
`;
  const hcmExtra = `          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}`;
  const yaml = simpleBootstrap({ routes, clusters, hcmExtra }).replace(
    'route_config:\n            name: local',
    'route_config:\n            name: local\n            validate_clusters: false',
  );
  const proxy = await startProxy(yaml);
  t.teardown(async () => {
    await proxy.stop();
    await good.close();
    await closer.close();
    await resetter.close();
    await garbage.close();
  });
  const u = proxy.base;

  const nr = await get(`${u}/nowhere`);
  t.equal(nr.status, 404, 'no route → 404');
  t.equal(nr.body, '');

  const nc = await get(`${u}/nc`);
  t.equal(nc.status, 503, 'unknown cluster → 503');

  t.equal((await get(`${u}/nc404`)).status, 404, 'cluster_not_found_response_code NOT_FOUND');

  const uh = await get(`${u}/uh`);
  t.equal(uh.status, 503);
  t.equal(uh.body, 'no healthy upstream');

  const uf = await get(`${u}/uf`);
  t.equal(uf.status, 503);
  t.equal(
    uf.body,
    'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused',
  );

  const uc = await get(`${u}/uc`);
  t.equal(uc.status, 503);
  t.equal(
    uc.body,
    'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
  );

  await t.rejects(get(`${u}/reset`), 'reset after headers resets the downstream');

  const upe = await get(`${u}/upe`);
  t.equal(upe.status, 502, 'an invalid upstream response is a 502');
  t.equal(
    upe.body,
    'upstream connect error or disconnect/reset before headers. reset reason: protocol error',
  );

  const ok = await get(`${u}/ok`);
  t.equal(ok.status, 200, 'the proxy still serves after all of the above');
  const prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  t.match(
    prom,
    /envoy_cluster_upstream_rq\{envoy_response_code="503",envoy_cluster_name="refused"\} 1/,
    'local 503 charged to the cluster',
  );
  t.match(prom, /envoy_cluster_upstream_rq\{envoy_response_code="502",envoy_cluster_name="garbage"\} 1/);

  await proxy.stop();
  const lines = await readLogLines(log);
  const flagOf = (path: string): string | undefined => {
    const line = lines.find((l) => l.includes(` ${path} HTTP/1.1"`));
    return line?.split('"')[2]?.trim().split(' ')[1];
  };
  t.equal(flagOf('/nowhere'), 'NR');
  t.equal(flagOf('/nc'), 'NC');
  t.equal(flagOf('/uh'), 'UH');
  t.equal(flagOf('/uf'), 'UF');
  t.equal(flagOf('/uc'), 'UC');
  t.equal(flagOf('/reset'), 'UC');
  t.equal(flagOf('/upe'), 'UPE');
  t.equal(flagOf('/ok'), '-');
});

t.test('route timeout → 504 UT, upstream aborted and not reused', async (t) => {
  let hung = 0;
  const slow = await startUpstream('slow', (_req, res) => {
    hung++;
    res.on('close', () => {});
  });
  const routes = '              - { match: { prefix: / }, route: { cluster: backend, timeout: 0.2s } }';
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: slow.port });
  t.teardown(async () => {
    await proxy.stop();
    await slow.close();
  });
  const r = await get(`${proxy.base}/slow`);
  t.equal(r.status, 504);
  t.equal(r.body, 'upstream request timeout');
  t.equal(hung, 1);
  const r2 = await get(`${proxy.base}/slow`, { headers: { 'x-envoy-upstream-rq-timeout-ms': '100' } });
  t.equal(r2.status, 504, 'x-envoy-upstream-rq-timeout-ms overrides');
  t.notOk('x-envoy-upstream-rq-timeout-ms' in slow.requests.at(-1)!.headers, 'override header consumed');
});

t.test('connect timeout → 503 UF "connection timeout"', async (t) => {
  const hole = await startBlackhole();
  if (hole === null) {
    t.pass('python3 is not installed: skipped');
    return;
  }
  t.teardown(() => hole.close());
  const clusters = staticCluster('backend', hole.port).replace(
    'connect_timeout: 1s',
    'connect_timeout: 0.3s',
  );
  const log = tempLogPath();
  const hcmExtra = `          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}`;
  const proxy = await startProxy(simpleBootstrap({ clusters, hcmExtra }));
  t.teardown(() => proxy.stop());
  const r = await get(`${proxy.base}/`);
  t.equal(r.status, 503);
  t.equal(
    r.body,
    'upstream connect error or disconnect/reset before headers. reset reason: connection timeout',
  );
  const prom = await get(`${proxy.adminBase}/stats/prometheus`);
  t.match(prom.body, /envoy_cluster_upstream_cx_connect_timeout\{envoy_cluster_name="backend"\} 1/);
  await proxy.stop();
  t.match((await readLogLines(log))[0], /" 503 UF /);
});

t.test('stream_idle_timeout: 408 "stream timeout" (SI) before a response, reset after', async (t) => {
  const up = await startUpstream('idle', (req, res) => {
    if (req.url === '/stall-body') {
      res.writeHead(200, { 'content-length': 10 });
      res.write('01234');
    }
    // otherwise: never answer
  });
  const log = tempLogPath();
  const hcmExtra = `          stream_idle_timeout: 0.3s
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}`;
  const routes = `
              - { match: { prefix: /route-idle }, route: { cluster: backend, timeout: 0s, idle_timeout: 0.2s } }
              - { match: { prefix: / }, route: { cluster: backend, timeout: 0s } }`;
  const proxy = await startProxy(simpleBootstrap({ hcmExtra, routes }), { UPSTREAM: up.port });
  t.teardown(() => up.close());
  const r = await get(`${proxy.base}/hang`);
  t.equal(r.status, 408);
  t.equal(r.body, 'stream timeout');
  t.equal((await get(`${proxy.base}/route-idle`)).status, 408, 'route idle_timeout applies too');
  await t.rejects(get(`${proxy.base}/stall-body`), 'a stalled response body is reset');
  await proxy.stop();
  const flags = (await readLogLines(log)).map((l) =>
    l.split('"')[2]?.trim().split(' ').slice(0, 2).join(' '),
  );
  t.same(flags, ['408 SI', '408 SI', '200 SI']);
});

t.test('route timeouts on one keep-alive connection: a shorter deadline after longer ones', async (t) => {
  const up = await startUpstream('mixed', (req, res) => {
    if (req.url?.startsWith('/hang')) return; // never answers
    res.end('ok');
  });
  const routes = `
              - { match: { prefix: /hang }, route: { cluster: backend, timeout: 0.2s } }
              - { match: { prefix: / }, route: { cluster: backend, timeout: 30s } }`;
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: up.port });
  const client = new Client(proxy.base, { pipelining: 1 });
  t.teardown(async () => {
    await client.close();
    await proxy.stop();
    await up.close();
  });
  // Fast requests leave the connection's timer armed for their 30 s deadlines.
  for (let i = 0; i < 5; i++) {
    const r = await client.request({ path: '/fast', method: 'GET' });
    t.equal(r.statusCode, 200);
    await r.body.text();
  }
  const started = Date.now();
  const r = await client.request({ path: '/hang', method: 'GET', headersTimeout: 10_000 });
  t.equal(r.statusCode, 504, 'the 0.2 s deadline fired although a 30 s one was armed first');
  t.equal(await r.body.text(), 'upstream request timeout');
  t.ok(Date.now() - started < 5_000, 'well before the longer deadline');
  const again = await client.request({ path: '/fast', method: 'GET' });
  t.equal(again.statusCode, 200, 'the connection still serves');
  await again.body.text();
});

t.test('route timeout counts from the end of the request body', async (t) => {
  const up = await startUpstream('hang', () => {}); // reads the body, never answers
  const routes = '              - { match: { prefix: / }, route: { cluster: backend, timeout: 0.2s } }';
  const proxy = await startProxy(simpleBootstrap({ routes }), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const body = new PassThrough();
  let uploadDone = 0;
  const pending = request(`${proxy.base}/upload`, { method: 'POST', body, headersTimeout: 10_000 });
  // 0.5 s of upload, longer than the route timeout: it must not fire while the body streams.
  for (let i = 0; i < 5; i++) {
    body.write('x'.repeat(1000));
    await new Promise((r) => setTimeout(r, 100));
  }
  body.end();
  uploadDone = Date.now();
  const r = await pending;
  t.equal(r.statusCode, 504);
  await r.body.text();
  t.ok(Date.now() - uploadDone >= 150, 'the deadline ran from the end of the upload');
  t.equal(up.requests.at(-1)?.bodyLength, 5000, 'the whole body reached the upstream first');
});
