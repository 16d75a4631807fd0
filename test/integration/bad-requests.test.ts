import t from 'tap';
import { get, proxyToUpstream, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { startUpstream } from '../helpers/upstream.js';

// Request shapes a trusted proxy must refuse before anything reaches an upstream
// (hardening.md §2.2). Each gets a clear 4xx and the proxy keeps serving.
const cases: Array<[string, string, RegExp]> = [
  [
    'CL+TE smuggling',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    /^HTTP\/1.1 400/,
  ],
  [
    'two Content-Length',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    /^HTTP\/1.1 400/,
  ],
  ['duplicate Host', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', /^HTTP\/1.1 400/],
  [
    'HTTP/1.0 with Transfer-Encoding',
    'POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    /^HTTP\/1.1 400/,
  ],
  ['absolute-form target', 'GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1.1 400/],
  ['missing Host', 'GET / HTTP/1.1\r\n\r\n', /^HTTP\/1.1 400/],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n', /^HTTP\/1.1 400/],
  ['bare LF', 'GET / HTTP/1.1\nHost: x\n\n', /^HTTP\/1.1 400/],
  [
    'oversized headers',
    `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
    /^HTTP\/1.1 431/,
  ],
  [
    'too many headers',
    `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 120 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`,
    /^HTTP\/1.1 431/,
  ],
];

t.test('bad requests are refused and never reach the upstream', async (t) => {
  const { proxy, up } = await proxyToUpstream(t);
  for (const [name, raw, expect] of cases) {
    const out = await rawExchange(proxy.port, raw, /\r\n\r\n/);
    t.match(out, expect, name);
  }
  t.equal(up.requests.length, 0, 'nothing reached the upstream');
  t.equal((await get(`${proxy.base}/`)).status, 200, 'proxy still serves');
  t.equal(up.requests.length, 1);
});

t.test('headers_with_underscores_action REJECT_REQUEST', async (t) => {
  const up = await startUpstream('up');
  const extra = '          common_http_protocol_options: { headers_with_underscores_action: REJECT_REQUEST }';
  const proxy = await startProxy(simpleBootstrap({ hcmExtra: extra }), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const out = await rawExchange(
    proxy.port,
    'GET / HTTP/1.1\r\nHost: x\r\nX_Forwarded_For: 1.2.3.4\r\n\r\n',
    /\r\n\r\n/,
  );
  t.match(out, /^HTTP\/1.1 400/);
  t.equal(up.requests.length, 0);
});
