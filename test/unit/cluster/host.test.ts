// undici's index attaches request() to every dispatcher; the proxy itself only calls dispatch().
import 'undici';
import { once } from 'node:events';
import t from 'tap';
import { ClusterImpl } from '../../../lib/cluster/cluster.js';
import { systemDnsResolver } from '../../../lib/cluster/dns-resolver.js';
import { HealthFlag } from '../../../lib/cluster/types.js';
import type { ClusterConfig } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, endpoint, type FakeClusterStats, fakeClusterStats, withTimeout } from './fixtures.js';
import { closedPort, startServer } from './servers.js';

function makeCluster(cfg: ClusterConfig): { cluster: ClusterImpl; stats: FakeClusterStats } {
  const stats = fakeClusterStats();
  const cluster = new ClusterImpl(cfg, {
    random: seededRandom(1),
    stats,
    resolver: systemDnsResolver,
    log: () => {},
    initialDnsTimeoutMs: 2000,
  });
  return { cluster, stats };
}

t.test('static hosts carry the endpoint attributes', async (t) => {
  const { cluster, stats } = makeCluster(
    clusterConfig({
      endpoints: [
        endpoint('10.0.0.1', 80, { weight: 3, labels: { version: 'v1' }, hostname: 'a.example' }),
        endpoint('::1', 81, { healthStatus: 'DEGRADED', priority: 1 }),
        endpoint('10.0.0.3', 82, { healthStatus: 'DRAINING' }),
      ],
    }),
  );
  t.teardown(() => cluster.close());
  const [a, b, c] = cluster.hosts();
  t.equal(a!.authority, '10.0.0.1:80');
  t.equal(a!.weight, 3);
  t.equal(a!.hostname, 'a.example');
  t.same(a!.labels, { version: 'v1' });
  t.equal(a!.cluster, cluster);
  t.equal(b!.authority, '[::1]:81', 'IPv6 in brackets');
  t.equal(b!.priority, 1);
  t.equal(b!.healthFlags, HealthFlag.DegradedEdsHealth);
  t.ok(b!.healthy(), 'degraded is still usable');
  t.equal(c!.healthFlags, HealthFlag.FailedEdsHealth);
  t.notOk(c!.healthy(), 'draining is not');
  t.equal(stats.membershipTotal.value, 3);
  t.equal(stats.membershipHealthy.value, 2);
  for (let i = 0; i < 20; i++) t.not(cluster.chooseHost({ hash: null, excluded: null }), c);

  c!.healthFlags = 0;
  a!.healthFlags |= HealthFlag.FailedOutlierCheck;
  cluster.onHostHealthChanged();
  t.equal(stats.membershipHealthy.value, 2);
  for (let i = 0; i < 20; i++) t.not(cluster.chooseHost({ hash: null, excluded: null }), a);
});

t.test('no host → null and upstream_cx_none_healthy', async (t) => {
  const { cluster, stats } = makeCluster(clusterConfig());
  t.teardown(() => cluster.close());
  t.equal(cluster.chooseHost({ hash: null, excluded: null }), null);
  t.equal(stats.upstreamCxNoneHealthy.value, 1);
});

t.test('a real request counts connection events', async (t) => {
  const server = await startServer('one');
  const { cluster, stats } = makeCluster(clusterConfig({ endpoints: [endpoint('127.0.0.1', server.port)] }));
  t.teardown(async () => {
    await cluster.close();
    await server.close();
  });
  const host = cluster.hosts()[0]!;
  const pool = host.dispatcher();
  t.equal(host.dispatcher(), pool, 'one pool per host');
  const res = await withTimeout(pool.request({ method: 'GET', path: '/' }), 5000, 'response');
  t.equal(res.statusCode, 200);
  t.equal(await res.body.text(), 'one');
  t.equal(host.counters.cxTotal, 1);
  t.equal(host.counters.cxActive, 1);
  t.equal(stats.upstreamCxTotal.value, 1);
  t.equal(stats.upstreamCxActive.value, 1);

  const gone = once(pool, 'disconnect');
  server.server.closeAllConnections();
  await withTimeout(gone, 5000, 'disconnect');
  t.equal(host.counters.cxActive, 0);
  t.equal(stats.upstreamCxActive.value, 0);
  t.equal(host.counters.cxConnectFail, 0);
});

t.test('a refused connection counts cx_connect_fail', async (t) => {
  const port = await closedPort();
  const { cluster, stats } = makeCluster(clusterConfig({ endpoints: [endpoint('127.0.0.1', port)] }));
  t.teardown(() => cluster.close());
  const host = cluster.hosts()[0]!;
  const failed = once(host.dispatcher(), 'connectionError');
  await t.rejects(withTimeout(host.dispatcher().request({ method: 'GET', path: '/' }), 5000, 'error'), {
    code: 'ECONNREFUSED',
  });
  await withTimeout(failed, 5000, 'connectionError');
  t.equal(host.counters.cxConnectFail, 1);
  t.equal(host.counters.cxTotal, 0);
  t.equal(stats.upstreamCxConnectFail.value, 1);
  t.equal(stats.upstreamCxConnectTimeout.value, 0);
  t.equal(stats.upstreamCxActive.value, 0);
});

t.test('close() lets the pool finish and then closes it', async (t) => {
  const server = await startServer('x');
  t.teardown(() => server.close());
  const { cluster } = makeCluster(clusterConfig({ endpoints: [endpoint('127.0.0.1', server.port)] }));
  const host = cluster.hosts()[0]!;
  const res = await withTimeout(host.dispatcher().request({ method: 'GET', path: '/' }), 5000, 'response');
  await res.body.text();
  await withTimeout(cluster.close(), 5000, 'cluster close');
  t.ok((host.dispatcher() as unknown as { closed: boolean }).closed, 'pool closed');
});
