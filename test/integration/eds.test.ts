import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { get, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

function assignment(...ports: number[]): string {
  const eps = ports
    .map((p) => `    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${p} } } }`)
    .join('\n');
  return `version_info: "1"
resources:
- "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
  cluster_name: backend
  endpoints:
  - lb_endpoints:
${eps}
`;
}

function edsCluster(path: string): string {
  return `  - name: backend
    type: EDS
    connect_timeout: 1s
    eds_cluster_config:
      eds_config: { path_config_source: { path: ${path} }, resource_api_version: V3 }
`;
}

t.test('an EDS cluster reads its endpoints from a file and follows its replacement', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  const dir = await mkdtemp(join(tmpdir(), 'skiff-eds-'));
  const path = join(dir, 'eds.yaml');
  await writeFile(path, assignment(a.port));
  const proxy = await startProxy(simpleBootstrap({ clusters: edsCluster(path) }));
  t.teardown(async () => {
    await proxy.stop();
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });
  t.equal((await get(`${proxy.base}/x`)).body, 'a GET /x');
  await writeFile(join(dir, 'next.yaml'), assignment(b.port));
  await rename(join(dir, 'next.yaml'), path);
  await eventually(async () => (await get(`${proxy.base}/x`)).body === 'b GET /x', 'traffic to move to b');
  t.pass('traffic moved to the new endpoint');
  await writeFile(path, 'resources: [ {');
  await new Promise((r) => setTimeout(r, 200));
  t.equal((await get(`${proxy.base}/x`)).body, 'b GET /x', 'a broken file keeps the last good endpoints');
  const clusters = (await get(`${proxy.adminBase}/clusters`)).body;
  t.match(clusters, new RegExp(`backend::127\\.0\\.0\\.1:${b.port}::`));
  t.notMatch(clusters, new RegExp(`backend::127\\.0\\.0\\.1:${a.port}::`));
});

t.test('a ClusterLoadAssignment document next to a clusters file serves traffic', async (t) => {
  const a = await startUpstream('a');
  const clusters = '  - { name: backend, type: EDS, connect_timeout: 1s }\n';
  const doc = `${simpleBootstrap({ clusters })}---
cluster_name: backend
endpoints:
- lb_endpoints:
  - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${a.port} } } }
`;
  const proxy = await startProxy(doc);
  t.teardown(async () => {
    await proxy.stop();
    await a.close();
  });
  t.equal((await get(`${proxy.base}/y`)).body, 'a GET /y');
});
