import t from 'tap';
import { ClusterImpl } from '../../../lib/cluster/cluster.js';
import type { DnsResolver } from '../../../lib/cluster/dns-resolver.js';
import type { LoadBalancerContext } from '../../../lib/cluster/types.js';
import type { OriginalDstConfig } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, type FakeCounter, fakeClusterStats } from './fixtures.js';
import { ManualScheduler } from './outlier-fixtures.js';

const resolver: DnsResolver = { resolve: async () => [] };

function makeCluster(over: Partial<OriginalDstConfig> = {}) {
  const stats = fakeClusterStats();
  const scheduler = new ManualScheduler();
  const cluster = new ClusterImpl(
    clusterConfig({
      name: 'passthrough',
      type: 'ORIGINAL_DST',
      originalDst: {
        httpHeaderName: ':authority',
        defaultPort: 80,
        upstreamPortOverride: null,
        cleanupIntervalMs: 5000,
        ...over,
      },
    }),
    {
      random: seededRandom(1),
      stats,
      resolver,
      log: () => {},
      initialDnsTimeoutMs: 100,
      originalDstScheduler: scheduler,
    },
  );
  return { cluster, stats, scheduler };
}

function ctx(originalDstHost: string | null): LoadBalancerContext {
  return { hash: null, excluded: null, originalDstHost };
}

t.test('a host per destination, created on the first pick and reused after', async (t) => {
  const { cluster, stats } = makeCluster();
  t.teardown(() => cluster.close());
  await cluster.ready();
  t.same(cluster.hosts(), [], 'starts empty');
  const a = cluster.chooseHost(ctx('127.0.0.1:8080'));
  t.equal(a?.authority, '127.0.0.1:8080');
  t.equal(a?.hostname, '');
  t.equal(cluster.chooseHost(ctx('127.0.0.1:8080')), a, 'same value: same host (and pool)');
  t.equal(cluster.chooseHost(ctx('127.0.0.1:08080')), a, 'another spelling of it too');
  const b = cluster.chooseHost(ctx('127.0.0.1'));
  t.equal(b?.authority, '127.0.0.1:80', 'default port');
  t.not(b, a);
  const dns = cluster.chooseHost(ctx('Orders.local:9000'));
  t.equal(dns?.authority, 'orders.local:9000');
  t.equal(dns?.hostname, 'orders.local', 'DNS names become the hostname');
  t.same(
    cluster.hosts().map((h) => h.authority),
    ['127.0.0.1:8080', '127.0.0.1:80', 'orders.local:9000'],
  );
  t.equal(stats.membershipTotal.value, 3);
  t.equal(stats.membershipHealthy.value, 3);
  t.equal(a?.cluster, cluster);
});

t.test('a missing or invalid header value gives no host (503 UH)', async (t) => {
  const { cluster, stats, scheduler } = makeCluster();
  t.teardown(() => cluster.close());
  t.equal(cluster.chooseHost(ctx(null)), null);
  t.equal(cluster.chooseHost({ hash: null, excluded: null }), null, 'a context without the field');
  t.equal(stats.upstreamCxNoneHealthy.value, 2);
  t.equal((stats.originalDstHostInvalid as FakeCounter).value, 0, 'absence is not invalid');
  t.equal(cluster.chooseHost(ctx('not a host')), null);
  t.equal(cluster.chooseHost(ctx('10.0.0.1:99999')), null);
  t.equal((stats.originalDstHostInvalid as FakeCounter).value, 2);
  t.equal(stats.upstreamCxNoneHealthy.value, 4);
  t.same(cluster.hosts(), []);
  t.equal(scheduler.pending, null, 'no cleanup timer without hosts');
});

t.test('upstream_port_override sends every destination to one port', async (t) => {
  const { cluster } = makeCluster({ upstreamPortOverride: 15001 });
  t.teardown(() => cluster.close());
  const a = cluster.chooseHost(ctx('10.0.0.1:80'));
  t.equal(a?.authority, '10.0.0.1:15001');
  t.equal(cluster.chooseHost(ctx('10.0.0.1:8080')), a);
});

t.test('cleanup removes hosts unused for a whole interval, keeps used and busy ones', async (t) => {
  const { cluster, stats, scheduler } = makeCluster({ cleanupIntervalMs: 1234 });
  t.teardown(() => cluster.close());
  const idle = cluster.chooseHost(ctx('10.0.0.1:80'))!;
  const busy = cluster.chooseHost(ctx('10.0.0.2:80'))!;
  const hot = cluster.chooseHost(ctx('10.0.0.3:80'))!;
  t.equal(scheduler.lastMs, 1234, 'the timer runs every cleanup_interval');
  scheduler.fire();
  t.equal(cluster.hosts().length, 3, 'all were used since the previous sweep');
  busy.counters.activeRequests = 1;
  t.equal(cluster.chooseHost(ctx('10.0.0.3:80')), hot);
  scheduler.fire();
  t.same(
    cluster.hosts().map((h) => h.authority),
    ['10.0.0.2:80', '10.0.0.3:80'],
    'the idle host went; the one with a request in flight and the picked one stay',
  );
  t.equal(stats.membershipTotal.value, 2);
  const again = cluster.chooseHost(ctx('10.0.0.1:80'));
  t.not(again, idle, 'a removed destination gets a new host');
  busy.counters.activeRequests = 0;
  scheduler.fire();
  scheduler.fire();
  t.same(cluster.hosts(), [], 'everything idle is gone after two sweeps');
  t.equal(scheduler.pending, null, 'the timer stops when no host is left');
  cluster.chooseHost(ctx('10.0.0.9:80'));
  t.not(scheduler.pending, null, 'and starts again with the next host');
});

t.test('close stops the cleanup timer and new picks', async (t) => {
  const { cluster, scheduler } = makeCluster();
  cluster.chooseHost(ctx('10.0.0.1:80'));
  t.not(scheduler.pending, null);
  await cluster.close();
  t.equal(scheduler.pending, null);
  t.equal(cluster.chooseHost(ctx('10.0.0.2:80')), null);
});

t.test('without a header name (iptables capture) no request finds a host', async (t) => {
  const { cluster } = makeCluster({ httpHeaderName: null });
  t.teardown(() => cluster.close());
  // The router passes null when the cluster has no header; the cluster only sees the value.
  t.equal(cluster.chooseHost(ctx(null)), null);
});
