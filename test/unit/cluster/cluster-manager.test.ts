// undici's index attaches request() to every dispatcher; the proxy itself only calls dispatch().
import 'undici';
import t from 'tap';
import { ClusterManager } from '../../../lib/cluster/cluster-manager.js';
import type { DnsResolver } from '../../../lib/cluster/dns-resolver.js';
import type { ClusterConfig } from '../../../lib/config/model.js';
import { systemClock } from '../../../lib/util/clock.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, endpoint, type FakeClusterStats, fakeClusterStats, withTimeout } from './fixtures.js';
import { startServer } from './servers.js';

function manager(resolver?: DnsResolver): {
  cm: ClusterManager;
  stats: Map<string, FakeClusterStats>;
  logs: string[];
  panics: Map<string, number>;
} {
  const stats = new Map<string, FakeClusterStats>();
  const logs: string[] = [];
  const panics = new Map<string, number>();
  const cm = new ClusterManager({
    clock: systemClock,
    random: seededRandom(1),
    stats: (name) => {
      const s = fakeClusterStats();
      stats.set(name, s);
      return s;
    },
    ...(resolver ? { resolver } : {}),
    log: (m) => logs.push(m),
    initialDnsTimeoutMs: 100,
    lbHooks: (name) => ({ onHealthyPanic: () => panics.set(name, (panics.get(name) ?? 0) + 1) }),
  });
  return { cm, stats, logs, panics };
}

const a = clusterConfig({ name: 'a', endpoints: [endpoint('10.0.0.1', 80)] });
const b = clusterConfig({ name: 'b', endpoints: [endpoint('10.0.0.2', 80)] });

t.test('creates, looks up and lists clusters', async (t) => {
  const { cm, stats } = manager();
  t.teardown(() => cm.close());
  await cm.update([a, b]);
  await withTimeout(cm.ready(), 5000, 'ready');
  t.equal(cm.get('a')!.name, 'a');
  t.equal(cm.get('a')!.hosts()[0]!.authority, '10.0.0.1:80');
  t.equal(cm.get('missing'), undefined);
  t.same(
    cm.all().map((c) => c.name),
    ['a', 'b'],
  );
  t.equal(cm.get('b')!.stats, stats.get('b'));
  t.equal(stats.get('a')!.membershipTotal.value, 1);
});

t.test('update keeps unchanged clusters and replaces or closes the rest', async (t) => {
  const server = await startServer('s');
  const c = clusterConfig({ name: 'c', endpoints: [endpoint('127.0.0.1', server.port)] });
  const { cm } = manager();
  t.teardown(async () => {
    await cm.close();
    await server.close();
  });
  await cm.update([a, b, c]);
  const a1 = cm.get('a')!;
  const b1 = cm.get('b')!;
  const c1 = cm.get('c')!;
  const cPool = c1.hosts()[0]!.dispatcher();
  const res = await withTimeout(cPool.request({ method: 'GET', path: '/' }), 5000, 'response');
  await res.body.text();

  const aCopy: ClusterConfig = structuredClone(a);
  const bChanged = clusterConfig({ name: 'b', endpoints: [endpoint('10.0.0.3', 80)] });
  await cm.update([aCopy, bChanged]);
  t.equal(cm.get('a'), a1, 'deep-equal config keeps the same cluster object');
  t.not(cm.get('b'), b1, 'changed config builds a new cluster');
  t.equal(cm.get('b')!.hosts()[0]!.authority, '10.0.0.3:80');
  t.equal(cm.get('c'), undefined, 'removed cluster is gone');
  t.same(
    cm.all().map((x) => x.name),
    ['a', 'b'],
  );
  await withTimeout(cm.close(), 5000, 'close');
  t.ok((cPool as unknown as { closed: boolean }).closed, 'the removed cluster’s pool was closed');
  t.same(cm.all(), []);
});

t.test('ready() waits for DNS but never hangs on it', async (t) => {
  const resolver: DnsResolver = {
    resolve: (name) =>
      name === 'fast.local' ? Promise.resolve(['10.0.0.5']) : new Promise<string[]>(() => {}),
  };
  const { cm, logs } = manager(resolver);
  t.teardown(() => cm.close());
  await cm.update([
    clusterConfig({ name: 'fast', type: 'STRICT_DNS', endpoints: [endpoint('fast.local', 80)] }),
    clusterConfig({ name: 'slow', type: 'LOGICAL_DNS', endpoints: [endpoint('slow.local', 80)] }),
  ]);
  await withTimeout(cm.ready(), 5000, 'ready');
  t.same(
    cm
      .get('fast')!
      .hosts()
      .map((h) => h.authority),
    ['10.0.0.5:80'],
  );
  t.same(cm.get('slow')!.hosts(), []);
  t.match(logs.join('\n'), /slow: initial DNS resolution not finished/);
});

t.test('STRICT_DNS localhost through the default resolver', async (t) => {
  const { cm } = manager();
  t.teardown(() => cm.close());
  await cm.update([
    clusterConfig({
      name: 'local',
      type: 'STRICT_DNS',
      dnsLookupFamily: 'V4_ONLY',
      endpoints: [endpoint('localhost', 8080)],
    }),
  ]);
  await withTimeout(cm.ready(), 5000, 'ready');
  t.same(
    cm
      .get('local')!
      .hosts()
      .map((h) => h.authority),
    ['127.0.0.1:8080'],
  );
});

t.test('panic picks reach the per-cluster hook', async (t) => {
  const { cm, panics } = manager();
  t.teardown(() => cm.close());
  await cm.update([
    clusterConfig({ name: 'sick', endpoints: [endpoint('10.0.0.1', 80, { healthStatus: 'UNHEALTHY' })] }),
  ]);
  t.ok(cm.get('sick')!.chooseHost({ hash: null, excluded: null }), 'panic still returns a host');
  t.equal(panics.get('sick'), 1);
});
