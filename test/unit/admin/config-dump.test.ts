import t from 'tap';
import { configDump } from '../../../lib/admin/config-dump.js';
import { encodeBootstrap } from '../../../lib/config/envoy/encode/bootstrap.js';
import { richBootstrap } from '../config/encode/rich-model.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

type Entry = Record<string, unknown> & { '@type': string };

t.test("Envoy's ConfigDump shape, in Envoy's order", async (t) => {
  const b = richBootstrap();
  const dump = configDump(b, null, false);
  const configs = dump.configs as Entry[];
  t.strictSame(
    configs.map((c) => c['@type']),
    ['BootstrapConfigDump', 'ClustersConfigDump', 'ListenersConfigDump', 'RoutesConfigDump'].map(
      (n) => ADMIN + n,
    ),
  );
  t.strictSame(configs[0]!['bootstrap'], encodeBootstrap(b), 'the bootstrap is the encoded model');

  const clusters = configs[1]!['static_clusters'] as { cluster: Entry }[];
  t.strictSame(
    clusters.map((c) => c.cluster.name),
    b.clusters.map((c) => c.name),
  );
  for (const c of clusters)
    t.equal(c.cluster['@type'], 'type.googleapis.com/envoy.config.cluster.v3.Cluster');

  const listeners = configs[2]!['static_listeners'] as { listener: Entry }[];
  t.strictSame(
    listeners.map((l) => [l.listener['@type'], l.listener['name']]),
    b.listeners.map((l) => ['type.googleapis.com/envoy.config.listener.v3.Listener', l.name]),
  );

  const routes = configs[3]!['static_route_configs'] as { route_config: Entry }[];
  t.equal(routes.length, 2, 'one per filter chain');
  t.equal(routes[0]!.route_config['@type'], 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration');
  t.equal(routes[0]!.route_config['name'], 'routes');

  t.strictSame(dump.skiff, { sources: ['hand-built'] });
});

t.test('?include_eds adds the endpoints; a rejected reload shows under skiff', async (t) => {
  const b = richBootstrap();
  const error = { at: '2026-01-01T00:00:00.000Z', errors: ['a.yaml: x: bad'] };
  const dump = configDump(b, error, true);
  const configs = dump.configs as Entry[];
  t.equal(configs[2]!['@type'], `${ADMIN}EndpointsConfigDump`);
  const eps = configs[2]!['static_endpoint_configs'] as { endpoint_config: Entry }[];
  t.equal(eps.length, b.clusters.length);
  t.equal(
    eps[0]!.endpoint_config['@type'],
    'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  );
  t.equal(eps[0]!.endpoint_config['cluster_name'], 'static');
  t.strictSame(dump.skiff, { sources: ['hand-built'], lastReloadError: error });
});
