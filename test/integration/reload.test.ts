import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Pool } from 'undici';
import { ConfigReloader } from '../../lib/server/config-reloader.js';
import { createRootCa } from '../../lib/tls/pki/root-ca.js';
import { createLogger } from '../../lib/util/logger.js';
import { fill, get, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

/** A config whose responses carry `x-config-version: <version>`. */
function config(version: number, upstreamPort: number, extra = ''): string {
  const routes = `              - match: { prefix: "/" }
                route: { cluster: backend }
                response_headers_to_add: [{ header: { key: x-config-version, value: "${version}" } }]`;
  return fill(simpleBootstrap({ routes }), { UPSTREAM: upstreamPort }) + extra;
}

const BROKEN = (port: number) =>
  config(0, port).replace('connect_timeout: 1s', 'connect_timeout: 1s\n    lb_policy: FOO');

t.test('20 reloads under load, half of them invalid: not one request fails', async (t) => {
  const up = await startUpstream('up');
  const dir = await mkdtemp(join(tmpdir(), 'skiff-reload-'));
  const file = join(dir, 'skiff.yaml');
  await writeFile(file, config(0, up.port));
  const proxy = await startProxy(config(0, up.port));
  // Driven by hand (no file watching) so every reload is counted exactly once.
  const reloader = new ConfigReloader({
    paths: [file],
    target: proxy.skiff,
    stats: proxy.skiff.stats.reload,
    log: createLogger('off'),
  });
  const client = new Pool(proxy.base, { connections: 4 });
  t.teardown(async () => {
    await client.close();
    await proxy.stop();
    await up.close();
    await rm(dir, { recursive: true, force: true });
  });

  let running = true;
  const outcomes = new Map<string, number>();
  const versions = new Set<string>();
  const worker = async (): Promise<void> => {
    while (running) {
      try {
        const r = await client.request({ path: '/', method: 'GET', headersTimeout: 10_000 });
        await r.body.text();
        outcomes.set(String(r.statusCode), (outcomes.get(String(r.statusCode)) ?? 0) + 1);
        versions.add(String(r.headers['x-config-version']));
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'error';
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      }
    }
  };
  const load = Promise.all([worker(), worker(), worker(), worker()]);
  const results: boolean[] = [];
  let rejection = '';
  for (let i = 1; i <= 20; i++) {
    await writeFile(file, i % 2 === 0 ? config(i, up.port) : BROKEN(up.port));
    results.push(await reloader.reloadNow());
    if (i === 19) rejection = reloader.lastError?.errors.join('\n') ?? '';
    await new Promise((r) => setTimeout(r, 30));
  }
  running = false;
  await load;

  t.same(
    results,
    Array.from({ length: 20 }, (_, i) => (i + 1) % 2 === 0),
    'every valid config applied, every invalid one rejected',
  );
  t.same([...outcomes.keys()], ['200'], `no failed request (${JSON.stringify([...outcomes])})`);
  t.ok((outcomes.get('200') ?? 0) > 100, 'traffic ran throughout');
  t.ok(versions.has('20') && versions.size > 2, 'new configs took effect under traffic');
  t.equal((await get(`${proxy.base}/`)).headers['x-config-version'], '20', 'the last good config serves');
  const prom = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
  t.match(prom, /^skiff_config_reload_total\{result="applied"\} 10$/m);
  t.match(prom, /^skiff_config_reload_total\{result="rejected"\} 10$/m);
  t.equal(reloader.lastError, null, 'the last (valid) reload cleared the error');
  t.match(rejection, /skiff\.yaml: static_resources\.clusters\[0\]\.lb_policy: unknown value "FOO"/);
});

t.test('watched files: a change applies, a broken file is rejected and shown in /config_dump', async (t) => {
  const up = await startUpstream('up');
  const dir = await mkdtemp(join(tmpdir(), 'skiff-reload-'));
  const file = join(dir, 'skiff.yaml');
  await writeFile(file, config(1, up.port));
  const proxy = await startProxy(config(1, up.port));
  proxy.skiff.watchConfig([file]);
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
    await rm(dir, { recursive: true, force: true });
  });
  const version = async () => (await get(`${proxy.base}/`)).headers['x-config-version'];
  t.equal(await version(), '1');
  await writeFile(join(dir, 'next.yaml'), config(2, up.port));
  await rename(join(dir, 'next.yaml'), file);
  await eventually(async () => (await version()) === '2', 'the renamed file to apply');
  t.pass('an atomic replace was picked up');

  await writeFile(file, BROKEN(up.port));
  await eventually(
    async () => (await get(`${proxy.adminBase}/config_dump`)).body.includes('lastReloadError'),
    'the rejection to show in /config_dump',
  );
  const dump = JSON.parse((await get(`${proxy.adminBase}/config_dump`)).body) as {
    skiff: { lastReloadError: { errors: string[] } };
  };
  t.match(
    dump.skiff.lastReloadError.errors[0],
    /skiff\.yaml: static_resources\.clusters\[0\]\.lb_policy: unknown value "FOO"/,
  );
  t.equal(await version(), '2', 'the previous config keeps serving');

  await writeFile(file, config(3, up.port));
  await eventually(async () => (await version()) === '3', 'a fixed file to apply');
  t.notMatch((await get(`${proxy.adminBase}/config_dump`)).body, /lastReloadError/, 'the error clears');
});

t.test('a reload adds and removes listeners; unchanged clusters keep their state', async (t) => {
  const up = await startUpstream('up');
  const proxy = await startProxy(config(1, up.port));
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const { loadConfigText } = await import('../../lib/config/load.js');
  const load = (yaml: string) => {
    const r = loadConfigText(yaml, 'reload.yaml');
    if (!r.ok) throw new Error('bad test config');
    return r.bootstrap;
  };
  await get(`${proxy.base}/`);
  const before = proxy.skiff.clusters()[0];
  const second = config(2, up.port).replace(
    'static_resources:\n  listeners:\n',
    `static_resources:\n  listeners:\n  - name: second
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: second
          route_config: { virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, direct_response: { status: 200, body: { inline_string: second } } }] }] }
          http_filters:
          - { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }
`,
  );
  await proxy.skiff.reload(load(second));
  const port2 = proxy.skiff.listenerPort('second');
  t.equal((await get(`http://127.0.0.1:${port2}/`)).body, 'second', 'the new listener serves');
  t.equal(
    (await get(`${proxy.base}/`)).headers['x-config-version'],
    '2',
    'the kept listener has the new routes',
  );
  t.equal(
    proxy.skiff.clusters()[0],
    before,
    'the unchanged cluster is the same object (pools, breakers, outlier state)',
  );
  await proxy.skiff.reload(load(config(3, up.port)));
  t.same(
    proxy.skiff.listenerInfo().map((l) => l.name),
    ['test'],
    'the removed listener is gone',
  );
  await t.rejects(get(`http://127.0.0.1:${port2}/`), 'and no longer accepts connections');
});

t.test('a reload naming an unreadable certificate file is rejected; the old config serves', async (t) => {
  const up = await startUpstream('up');
  const dir = await mkdtemp(join(tmpdir(), 'skiff-reload-tls-'));
  const file = join(dir, 'skiff.yaml');
  const ca = createRootCa({ trustDomain: 'cluster.local' });
  const caPath = join(dir, 'ca.pem');
  await writeFile(caPath, ca.certPem);
  // An unused cluster whose TLS names the CA file: only the file changes between versions.
  const tlsCluster = (path: string) => `  - name: tls-backend
    type: STATIC
    connect_timeout: 1s
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        common_tls_context: { validation_context: { trusted_ca: { filename: ${path} } } }
    load_assignment: { cluster_name: tls-backend, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 1 } } } }] }] }
`;
  await writeFile(file, config(1, up.port, tlsCluster(caPath)));
  const proxy = await startProxy(config(1, up.port, tlsCluster(caPath)));
  proxy.skiff.watchConfig([file], { checkFiles: true });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
    await rm(dir, { recursive: true, force: true });
  });
  const version = async () => (await get(`${proxy.base}/`)).headers['x-config-version'];
  t.equal(await version(), '1');
  await writeFile(file, config(2, up.port, tlsCluster(join(dir, 'gone.pem'))));
  await eventually(
    async () => (await get(`${proxy.adminBase}/config_dump`)).body.includes('lastReloadError'),
    'the rejection to show in /config_dump',
  );
  const dump = JSON.parse((await get(`${proxy.adminBase}/config_dump`)).body) as {
    skiff: { lastReloadError: { errors: string[] } };
  };
  t.match(
    dump.skiff.lastReloadError.errors[0],
    /skiff\.yaml: static_resources\.clusters\[1\]\.transport_socket\.typed_config\.common_tls_context\.validation_context\.trusted_ca\.filename: cannot read .*gone\.pem: no such file or directory/,
  );
  t.equal(await version(), '1', 'the previous config keeps serving');
  await writeFile(file, config(3, up.port, tlsCluster(caPath)));
  await eventually(async () => (await version()) === '3', 'a fixed file to apply');
});
