import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { decodeEdsFile, EdsFileSource } from '../../../lib/cluster/eds-file-source.js';
import type { EndpointConfig } from '../../../lib/config/model.js';

const TYPE = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

function response(cluster: string, ...ports: number[]): string {
  return JSON.stringify({
    version_info: '1',
    resources: [
      {
        '@type': TYPE,
        cluster_name: cluster,
        endpoints: [
          {
            lb_endpoints: ports.map((p) => ({
              endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: p } } },
            })),
          },
        ],
      },
    ],
  });
}

t.test('decodes the named assignment out of a DiscoveryResponse', async (t) => {
  const both = JSON.parse(response('other', 1)) as { resources: unknown[] };
  both.resources.push(...(JSON.parse(response('orders', 8080, 8081)) as { resources: unknown[] }).resources);
  const text = JSON.stringify(both);
  const eps = decodeEdsFile(text, 'eds.json', 'orders');
  t.same(Array.isArray(eps) ? eps.map((e) => e.address.port) : eps, [8080, 8081]);
  t.match(
    decodeEdsFile(response('other', 1), 'eds.json', 'orders'),
    /no ClusterLoadAssignment with cluster_name "orders"/,
  );
  t.match(decodeEdsFile('resources: [ {', 'eds.yaml', 'orders'), /eds\.yaml: YAML syntax error/);
  t.match(
    decodeEdsFile(response('orders', 70000), 'eds.json', 'orders'),
    /eds\.json: resources\[0\]\.endpoints\[0\]\.lb_endpoints\[0\]\.endpoint\.address\.socket_address\.port_value/,
  );
  t.match(
    decodeEdsFile('{"resources":[{"@type":"x"}]}', 'eds.json', 'orders'),
    /resources\[0\]\.@type: expected/,
  );
});

t.test('watches the file: an atomic replace updates, a broken file keeps the last good', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-eds-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'eds.json');
  await writeFile(path, response('orders', 9001));
  const seen: number[][] = [];
  const logs: string[] = [];
  let wake: (() => void) | null = null;
  const src = new EdsFileSource({
    config: { path, serviceName: 'orders' },
    clusterName: 'orders',
    onEndpoints: (eps: readonly EndpointConfig[]) => {
      seen.push(eps.map((e) => e.address.port));
      wake?.();
    },
    log: (m) => {
      logs.push(m);
      wake?.();
    },
  });
  t.teardown(() => src.stop());
  await src.start();
  t.same(seen, [[9001]], 'read at start');

  const next = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no update within 5 s')), 5000);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  let update = next();
  await writeFile(join(dir, 'tmp.json'), response('orders', 9002, 9003));
  await rename(join(dir, 'tmp.json'), path);
  await update;
  t.same(seen.at(-1), [9002, 9003], 'the replaced file is picked up');

  update = next();
  await writeFile(path, '{ not json');
  await update;
  t.equal(seen.length, 2, 'a broken file changes nothing');
  t.match(logs.at(-1), /cluster orders: .*eds\.json: YAML syntax error.*keeping the last good endpoints/);
});
