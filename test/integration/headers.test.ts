import t from 'tap';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { get, proxyToUpstream, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { startUpstream } from '../helpers/upstream.js';

t.test('request and response header handling', async (t) => {
  const up = await startUpstream('up', (_req, res) => {
    res.setHeader('X-Custom-Case', 'kept');
    res.setHeader('Connection', 'keep-alive, X-Hop');
    res.setHeader('X-Hop', 'must-go');
    res.setHeader('Server', 'app-server');
    res.end('ok');
  });
  const proxy = await startProxy(simpleBootstrap(), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });

  const res = await get(`${proxy.base}/h`, { headers: { 'x-request-id': 'keep-me' } });
  const seen = up.requests.at(-1)!;
  t.equal(seen.headers['x-request-id'], 'keep-me', 'x-request-id kept when present');
  t.equal(seen.headers['x-forwarded-proto'], 'http', 'x-forwarded-proto set');
  t.equal(
    seen.headers['x-envoy-expected-rq-timeout-ms'],
    '15000',
    'default route timeout advertised upstream',
  );
  t.notOk('x-hop' in res.headers, 'names listed in Connection removed from the response');
  t.equal(res.headers['x-custom-case'], 'kept');
  t.match(res.headers['x-envoy-upstream-service-time'], /^\d+$/, 'x-envoy-upstream-service-time');
  t.equal(res.headers.server, 'envoy', 'server header overwritten (server_header_transformation OVERWRITE)');

  await get(`${proxy.base}/h`);
  t.match(
    up.requests.at(-1)!.headers['x-request-id'],
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'UUIDv4 generated',
  );

  // Raw request: header case and order preserved; hop-by-hop and Connection-listed names stripped.
  const raw = await rawExchange(
    proxy.port,
    'GET /raw HTTP/1.1\r\nHost: x\r\nX-First: 1\r\nConnection: keep-alive, X-Drop\r\nX-Drop: gone\r\nKeep-Alive: timeout=5\r\nX-Second: 2\r\nTE: trailers, gzip\r\n\r\n',
    /\r\n\r\nok$/,
  );
  t.match(raw, /^HTTP\/1.1 200/);
  const names = up.requests.at(-1)!.rawHeaders.filter((_, i) => i % 2 === 0);
  t.ok(
    names.indexOf('X-First') !== -1 && names.indexOf('X-First') < names.indexOf('X-Second'),
    'case and order kept',
  );
  t.notOk(names.map((n) => n.toLowerCase()).includes('x-drop'), 'Connection-listed header removed');
  t.notOk(names.map((n) => n.toLowerCase()).includes('keep-alive'), 'keep-alive removed');
  t.equal(up.requests.at(-1)!.headers.te, 'trailers', 'te: trailers is the only TE forwarded');
});

t.test('a custom access-log format with peer addresses works after the response ends', async (t) => {
  const up = await startUpstream('up');
  const log = tempLogPath();
  const hcmExtra = `          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}
              log_format:
                json_format: { peer: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", local: "%DOWNSTREAM_LOCAL_ADDRESS%", code: "%RESPONSE_CODE%", up: "%UPSTREAM_HOST%" }`;
  const proxy = await startProxy(simpleBootstrap({ hcmExtra }), { UPSTREAM: up.port });
  t.teardown(() => up.close());
  await get(`${proxy.base}/json`);
  await proxy.stop();
  const entry = JSON.parse((await readLogLines(log))[0]!) as Record<string, unknown>;
  t.same(entry, {
    peer: '127.0.0.1',
    local: `127.0.0.1:${proxy.port}`,
    code: 200,
    up: `127.0.0.1:${up.port}`,
  });
});

t.test('use_remote_address appends x-forwarded-for and sets x-forwarded-proto', async (t) => {
  const { proxy, up } = await proxyToUpstream(t, { hcmExtra: '          use_remote_address: true' });
  await get(`${proxy.base}/`, { headers: { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https' } });
  t.equal(up.requests.at(-1)!.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
  t.equal(up.requests.at(-1)!.headers['x-forwarded-proto'], 'http');
  t.equal(up.requests.at(-1)!.headers['x-envoy-internal'], 'true', 'a loopback peer is internal');
});

t.test('keep-alive and pipelining downstream', async (t) => {
  const { proxy } = await proxyToUpstream(t);
  const out = await rawExchange(
    proxy.port,
    'GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n',
    /up GET \/three$/,
  );
  const bodies = [...out.matchAll(/up GET (\/(?:one|two|three))/g)].map((m) => m[1]);
  t.same(bodies, ['/one', '/two', '/three'], 'pipelined responses in order on one connection');
});
