import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { simpleBootstrap, startProxy, type Teardown } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const CURL = ['/usr/bin/curl', '/usr/local/bin/curl', '/bin/curl'].find((p) => existsSync(p));

/** Routes only the authority `order-service:8080` upstream; anything else gets a 404 `other`. */
const ROUTES = `              - match: { prefix: "/", headers: [{ name: ":authority", string_match: { exact: "order-service:8080" } }] }
                route: { cluster: backend }
              - match: { prefix: "/" }
                direct_response: { status: 404, body: { inline_string: other } }`;

function hcmExtra(log: string): string {
  return `          http_protocol_options: { allow_absolute_url: true }
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${log}
              log_format: { text_format_source: { inline_string: "%RESPONSE_CODE% %RESPONSE_CODE_DETAILS% %REQ(:SCHEME)% %REQ(:AUTHORITY)% %REQ(:PATH)%\\n" } }`;
}

async function setup(t: Teardown) {
  const up = await startUpstream('orders');
  const log = tempLogPath('absolute');
  const proxy = await startProxy(simpleBootstrap({ routes: ROUTES, hcmExtra: hcmExtra(log) }), {
    UPSTREAM: up.port,
  });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  return { up, proxy, log };
}

function request(target: string, host = 'wrong.example'): string {
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
}

t.test('an absolute-form request is routed and forwarded by its URL', async (t) => {
  const { up, proxy, log } = await setup(t);
  const out = await rawExchange(proxy.port, request('http://order-service:8080/x?y=1'), /orders GET/);
  t.match(out, /^HTTP\/1.1 200/);
  t.equal(up.requests.length, 1);
  t.equal(up.requests[0]!.url, '/x?y=1', 'origin-form path upstream');
  t.equal(up.requests[0]!.headers.host, 'order-service:8080', 'Host overwritten with the URL authority');
  t.equal(up.requests[0]!.headers['x-forwarded-proto'], 'http');

  const bare = await rawExchange(proxy.port, request('HTTP://Order-Service:8080'), /orders GET/);
  t.match(bare, /^HTTP\/1.1 200/);
  t.equal(up.requests[1]!.url, '/', 'empty path becomes /');

  const https = await rawExchange(proxy.port, request('https://order-service:8080/s'), /orders GET/);
  t.match(https, /^HTTP\/1.1 200/);
  t.equal(up.requests[2]!.headers['x-forwarded-proto'], 'http', 'x-forwarded-proto follows the connection');

  const other = await rawExchange(proxy.port, request('http://elsewhere/x', 'order-service:8080'), /other/);
  t.match(other, /^HTTP\/1.1 404/, 'the Host header does not decide the route');
  t.equal(up.requests.length, 3);

  const origin = await rawExchange(proxy.port, request('/plain', 'order-service:8080'), /orders GET/);
  t.match(origin, /^HTTP\/1.1 200/, 'origin-form requests are unchanged');

  await eventually(async () => existsSync(log) && (await readLogLines(log)).length >= 5, 'access log');
  t.same((await readLogLines(log)).slice(0, 5), [
    '200 via_upstream http order-service:8080 /x?y=1',
    '200 via_upstream http order-service:8080 /',
    '200 via_upstream https order-service:8080 /s',
    '404 direct_response http elsewhere /x',
    '200 via_upstream http order-service:8080 /plain',
  ]);
});

t.test('bad absolute URLs get 400 http1.invalid_url and close the connection', async (t) => {
  const { up, proxy, log } = await setup(t);
  for (const target of ['ftp://order-service:8080/x', 'http://order-service:99999/', 'http://', '*']) {
    const out = await rawExchange(proxy.port, `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
    t.match(out, /^HTTP\/1.1 400 Bad Request\r\n/, target);
    t.match(out, /connection: close/i, `${target}: connection closed`);
  }
  t.equal(up.requests.length, 0);
  await eventually(async () => existsSync(log) && (await readLogLines(log)).length >= 4, 'access log');
  for (const line of await readLogLines(log)) t.match(line, /^400 http1\.invalid_url /);
});

t.test(
  'curl -x uses the proxy in absolute form',
  { skip: CURL === undefined ? 'no curl' : false },
  async (t) => {
    const { up, proxy } = await setup(t);
    const body = await new Promise<string>((resolve, reject) => {
      execFile(
        CURL!,
        [
          '-sS',
          '--max-time',
          '10',
          '-x',
          `http://127.0.0.1:${proxy.port}`,
          'http://order-service:8080/via-curl?q=1',
        ],
        { timeout: 15_000 },
        (err, stdout) => (err === null ? resolve(stdout) : reject(err)),
      );
    });
    t.equal(body, 'orders GET /via-curl?q=1');
    t.equal(up.requests[0]!.headers.host, 'order-service:8080');
  },
);
