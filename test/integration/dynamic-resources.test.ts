import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { formatIssue } from '../../lib/config/errors.js';
import { loadConfigFiles } from '../../lib/config/load.js';
import { Skiff } from '../../lib/server/skiff.js';
import { createLogger } from '../../lib/util/logger.js';
import { get } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

function lds(): string {
  return `version_info: "1"
resources:
- "@type": type.googleapis.com/envoy.config.listener.v3.Listener
  name: from-lds
  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
  filter_chains:
  - filters:
    - name: envoy.filters.network.http_connection_manager
      typed_config:
        "@type": ${HCM_TYPE}
        stat_prefix: lds
        route_config: { virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: from-cds } }] }] }
        http_filters:
        - { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }
`;
}

function cds(port: number): string {
  return `version_info: "1"
resources:
- "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
  name: from-cds
  type: STATIC
  connect_timeout: 1s
  load_assignment:
    cluster_name: from-cds
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${port} } } } }] }]
`;
}

function bootstrap(dir: string): string {
  return `dynamic_resources:
  lds_config: { path_config_source: { path: ${join(dir, 'lds.yaml')} }, resource_api_version: V3 }
  cds_config: { path: ${join(dir, 'cds.yaml')} }
`;
}

t.test('LDS and CDS from files: served, and a replaced CDS file reloads live', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  const dir = await mkdtemp(join(tmpdir(), 'skiff-xds-'));
  await writeFile(join(dir, 'lds.yaml'), lds());
  await writeFile(join(dir, 'cds.yaml'), cds(a.port));
  await writeFile(join(dir, 'bootstrap.yaml'), bootstrap(dir));
  const loaded = await loadConfigFiles([join(dir, 'bootstrap.yaml')]);
  if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join('\n'));
  t.same(
    [...loaded.bootstrap.sources].sort(),
    [join(dir, 'bootstrap.yaml'), join(dir, 'cds.yaml'), join(dir, 'lds.yaml')].sort(),
    'the LDS and CDS files count as sources',
  );
  const skiff = await Skiff.start(loaded.bootstrap, { logger: createLogger('off'), adminPort: 0 });
  skiff.watchConfig([join(dir, 'bootstrap.yaml')]);
  t.teardown(async () => {
    await skiff.stop();
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${skiff.listenerPort('from-lds')}`;
  t.equal((await get(`${base}/x`)).body, 'a GET /x', 'the LDS listener routes to the CDS cluster');

  await writeFile(join(dir, 'cds.next'), cds(b.port));
  await rename(join(dir, 'cds.next'), join(dir, 'cds.yaml'));
  const deadline = Date.now() + 10_000;
  let body = '';
  while (body !== 'b GET /x' && Date.now() < deadline) {
    body = (await get(`${base}/x`)).body;
    if (body !== 'b GET /x') await new Promise((r) => setTimeout(r, 25));
  }
  t.equal(body, 'b GET /x', 'the watched CDS file was reloaded');
});

t.test('dynamic_resources errors name the file and the field', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-xds-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'bootstrap.yaml'), bootstrap(dir));
  const missing = await loadConfigFiles([join(dir, 'bootstrap.yaml')]);
  t.match(
    missing.ok ? '' : missing.issues.map(formatIssue).join('\n'),
    /bootstrap\.yaml: dynamic_resources\.lds_config: cannot read LDS file .*lds\.yaml: ENOENT/,
  );
  await writeFile(join(dir, 'lds.yaml'), lds());
  await writeFile(join(dir, 'cds.yaml'), lds());
  const wrongType = await loadConfigFiles([join(dir, 'bootstrap.yaml')]);
  t.match(
    wrongType.ok ? '' : wrongType.issues.map(formatIssue).join('\n'),
    /cds\.yaml: resources\[0\]\.@type: expected type\.googleapis\.com\/envoy\.config\.cluster\.v3\.Cluster in this CDS file/,
  );
  await writeFile(
    join(dir, 'ads.yaml'),
    'dynamic_resources: { ads_config: { api_type: GRPC }, cds_config: { ads: {} } }\n',
  );
  const ads = await loadConfigFiles([join(dir, 'ads.yaml')]);
  const text = ads.ok ? '' : ads.issues.map(formatIssue).join('\n');
  t.match(text, /dynamic_resources\.cds_config\.ads: an xDS server is not supported yet/);
  t.match(text, /dynamic_resources\.ads_config: an xDS server is not supported yet/);
});
