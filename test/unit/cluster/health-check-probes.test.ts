import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import t from 'tap';
import { CheckResult, type HealthCheckProbe } from '../../../lib/cluster/health-check-probe.js';
import { checkHeaders, httpProbeFactory } from '../../../lib/cluster/http-health-check.js';
import { payloadMatches, tcpProbeFactory } from '../../../lib/cluster/tcp-health-check.js';
import type { HttpHealthCheckConfig } from '../../../lib/config/model.js';
import { eventually } from '../../helpers/wait.js';
import { fakeHealthCheckStats, fakeHost, withTimeout } from './fixtures.js';
import { closedPort } from './servers.js';

function httpCfg(over: Partial<HttpHealthCheckConfig> = {}): HttpHealthCheckConfig {
  return {
    kind: 'http',
    host: null,
    path: '/healthz',
    method: 'GET',
    requestHeadersToAdd: [],
    requestHeadersToRemove: [],
    expectedStatuses: [{ start: 200, end: 201 }],
    retriableStatuses: [],
    serviceNameMatcher: null,
    ...over,
  };
}

function hostAt(port: number) {
  const h = fakeHost(1);
  return { ...h, address: '127.0.0.1', port, authority: `127.0.0.1:${port}` };
}

function check(probe: HealthCheckProbe): Promise<CheckResult> {
  return withTimeout(new Promise<CheckResult>((resolve) => probe.start(resolve)), 5000, 'check result');
}

/** An HTTP server answering with `reply`, counting open connections. */
async function httpServer(reply: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: http.IncomingMessage[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    seen.push(req);
    reply(req, res);
  });
  server.on('connection', (s: net.Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    open: () => sockets.size,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

t.test('checkHeaders: user-agent, host default, remove before add', async (t) => {
  t.same(checkHeaders(httpCfg(), 'backend'), { 'user-agent': 'Envoy/HC', host: 'backend' });
  t.same(
    checkHeaders(
      httpCfg({
        host: 'svc.local',
        requestHeadersToRemove: ['user-agent'],
        requestHeadersToAdd: [
          { key: 'x-a', value: '1', appendAction: 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue: false },
          { key: 'x-a', value: '2', appendAction: 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue: false },
          { key: 'x-b', value: '', appendAction: 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue: false },
          { key: 'x-c', value: 'no', appendAction: 'OVERWRITE_IF_EXISTS', keepEmptyValue: false },
        ],
      }),
      'backend',
    ),
    { 'x-a': ['1', '2'], host: 'svc.local' },
  );
});

t.test('HTTP probe: request shape and status classification', async (t) => {
  let status = 200;
  let extra: Record<string, string> = {};
  const srv = await httpServer((_req, res) => {
    // A HEAD answer without content-length makes Node's server close the connection.
    res.writeHead(status, { 'content-length': '4', ...extra });
    res.end('body');
  });
  t.teardown(srv.close);
  const stats = fakeHealthCheckStats();
  const probe = httpProbeFactory(
    httpCfg({ method: 'HEAD', retriableStatuses: [{ start: 503, end: 504 }] }),
    true,
    'backend',
    stats,
  )(hostAt(srv.port));
  t.teardown(() => probe.close());
  t.equal(await check(probe), CheckResult.Success);
  const req = srv.seen[0]!;
  t.equal(req.method, 'HEAD');
  t.equal(req.url, '/healthz');
  t.equal(req.headers.host, 'backend');
  t.equal(req.headers['user-agent'], 'Envoy/HC');
  status = 503;
  t.equal(await check(probe), CheckResult.Retriable);
  status = 500;
  t.equal(await check(probe), CheckResult.Failed);
  status = 200;
  extra = { 'x-envoy-degraded': '1' };
  t.equal(await check(probe), CheckResult.Degraded);
  extra = { 'x-envoy-immediate-health-check-fail': 'true' };
  t.equal(await check(probe), CheckResult.Failed, 'immediate-fail header fails even a 200');
  t.equal(srv.connections(), 1, `reuse_connection: one connection for every check (${srv.connections()})`);
  t.equal(stats.verifyCluster.value, 0);
});

t.test('HTTP probe: service_name_matcher verifies the checked cluster', async (t) => {
  let name = 'backend-prod';
  const srv = await httpServer((_req, res) => {
    res.writeHead(200, { 'x-envoy-upstream-healthchecked-cluster': name });
    res.end();
  });
  t.teardown(srv.close);
  const stats = fakeHealthCheckStats();
  const probe = httpProbeFactory(
    httpCfg({ serviceNameMatcher: { kind: 'prefix', value: 'backend', ignoreCase: false } }),
    false,
    'backend',
    stats,
  )(hostAt(srv.port));
  t.teardown(() => probe.close());
  t.equal(await check(probe), CheckResult.Success);
  name = 'other';
  t.equal(await check(probe), CheckResult.Failed);
  t.equal(stats.verifyCluster.value, 2);
  t.equal(srv.connections(), 2, 'no reuse: a connection per check');
  await eventually(() => srv.open() === 0, 'connections closed after each check');
});

t.test('HTTP probe: refused, cut short, aborted and closed leave no socket', async (t) => {
  const stats = fakeHealthCheckStats();
  const refused = httpProbeFactory(httpCfg(), true, 'b', stats)(hostAt(await closedPort()));
  t.equal(await check(refused), CheckResult.NetworkFailure);
  refused.close();

  const srv = await httpServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-length': '10' });
      res.write('abc');
      setTimeout(() => res.destroy(), 10);
    }
    // Any other path hangs.
  });
  t.teardown(srv.close);
  const cut = httpProbeFactory(httpCfg(), true, 'b', stats)(hostAt(srv.port));
  t.equal(await check(cut), CheckResult.NetworkFailure, 'body cut short');
  cut.close();

  const hang = httpProbeFactory(httpCfg({ path: '/hang' }), true, 'b', stats)(hostAt(srv.port));
  let reported = false;
  hang.start(() => {
    reported = true;
  });
  await eventually(() => srv.seen.length === 2, 'hanging request arrived');
  hang.abort();
  await eventually(() => srv.open() === 0, 'aborted check closed its connection');
  await new Promise((r) => setTimeout(r, 20));
  t.notOk(reported, 'no result after abort');
  hang.close();
});

t.test('payloadMatches: chunks in order, anywhere after the previous one', async (t) => {
  const b = (s: string) => Buffer.from(s);
  t.ok(payloadMatches(b('xxPONGyyOK'), [b('PONG'), b('OK')]));
  t.notOk(payloadMatches(b('OKxxPONG'), [b('PONG'), b('OK')]));
  t.ok(payloadMatches(b('anything'), []));
});

t.test('TCP probe: connect-only, refused, send/receive', async (t) => {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let reply: (s: net.Socket, data: Buffer) => void = () => {};
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d) => reply(s, d));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );

  const connectOnly = tcpProbeFactory({ kind: 'tcp', send: null, receive: [] }, true)(hostAt(port));
  t.equal(await check(connectOnly), CheckResult.Success);
  t.equal(await check(connectOnly), CheckResult.Success);
  t.equal(connections, 2, 'connect-only checks always close (as Envoy)');
  connectOnly.close();

  const refused = tcpProbeFactory({ kind: 'tcp', send: null, receive: [] }, true)(hostAt(await closedPort()));
  t.equal(await check(refused), CheckResult.NetworkFailure);
  refused.close();

  reply = (s, d) => {
    if (d.toString() !== 'PING') return;
    s.write('PO');
    setTimeout(() => s.write('NG!'), 5);
  };
  const ping = tcpProbeFactory(
    {
      kind: 'tcp',
      send: Buffer.from('PING').toString('hex'),
      receive: [Buffer.from('PONG').toString('hex')],
    },
    true,
  )(hostAt(port));
  connections = 0;
  t.equal(await check(ping), CheckResult.Success, 'answer split over two writes');
  t.equal(await check(ping), CheckResult.Success);
  t.equal(connections, 1, 'reuse_connection keeps the connection');

  reply = (s) => s.end('NOPE');
  t.equal(await check(ping), CheckResult.NetworkFailure, 'closed without the expected bytes');
  reply = () => {};
  let reported = false;
  ping.start(() => {
    reported = true;
  });
  await eventually(() => sockets.size === 1, 'connected');
  ping.close();
  await eventually(() => sockets.size === 0, 'closed probe left no socket');
  t.notOk(reported);
});
