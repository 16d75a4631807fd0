import t from 'tap';
import { request } from 'undici';
import { startReadinessServer, startStatsServer } from '../../../lib/admin/probe-servers.js';
import type { AdminContext, ServerState } from '../../../lib/admin/types.js';

function context(state: () => ServerState): AdminContext {
  return {
    state,
    uptimeSeconds: () => 0,
    version: () => 'test',
    commandLine: () => [],
    config: () => ({ sources: [], node: { id: '', cluster: '' }, admin: null, listeners: [], clusters: [] }),
    listeners: () => [],
    clusters: () => [],
    prometheus: async () => 'envoy_server_live 1\n',
    quit: () => {},
  };
}

t.test('readiness: 503 until LIVE, 200 while LIVE, 503 when draining; other paths 404', async (t) => {
  let state: ServerState = 'INITIALIZING';
  const server = await startReadinessServer(
    context(() => state),
    '127.0.0.1',
    0,
  );
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${server.port}`;
  t.equal((await request(`${url}/healthz/ready`)).statusCode, 503);
  state = 'LIVE';
  const ok = await request(`${url}/healthz/ready`);
  t.equal(ok.statusCode, 200);
  t.equal(await ok.body.text(), '');
  state = 'DRAINING';
  const draining = await request(`${url}/healthz/ready`);
  t.equal(draining.statusCode, 503);
  t.equal(await draining.body.text(), 'DRAINING\n');
  t.equal((await request(`${url}/other`)).statusCode, 404);
  t.equal((await request(`${url}/healthz/ready`, { method: 'POST' })).statusCode, 405);
});

t.test('stats: /stats/prometheus in the exposition format', async (t) => {
  const server = await startStatsServer(
    context(() => 'LIVE'),
    '127.0.0.1',
    0,
  );
  t.teardown(() => server.close());
  const r = await request(`http://127.0.0.1:${server.port}/stats/prometheus`);
  t.equal(r.statusCode, 200);
  t.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  t.equal(await r.body.text(), 'envoy_server_live 1\n');
});

t.test('a port that is taken is a clear error', async (t) => {
  const first = await startStatsServer(
    context(() => 'LIVE'),
    '127.0.0.1',
    0,
  );
  t.teardown(() => first.close());
  await t.rejects(
    startStatsServer(
      context(() => 'LIVE'),
      '127.0.0.1',
      first.port,
    ),
    {
      code: 'SKIFF_ERR_LISTEN',
      message: new RegExp(`stats port cannot listen on 127\\.0\\.0\\.1:${first.port}`),
    },
  );
});
