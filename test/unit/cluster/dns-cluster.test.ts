// undici's index attaches request() to every dispatcher; the proxy itself only calls dispatch().
import 'undici';
import { once } from 'node:events';
import t from 'tap';
import { ClusterImpl } from '../../../lib/cluster/cluster.js';
import type { DnsResolver } from '../../../lib/cluster/dns-resolver.js';
import type { Cluster } from '../../../lib/cluster/types.js';
import type { ClusterConfig, DnsLookupFamily } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, endpoint, type FakeClusterStats, fakeClusterStats, withTimeout } from './fixtures.js';
import { startServer } from './servers.js';

/** A scripted resolver: answers from `answers`, throws when the answer is an Error. */
class FakeResolver implements DnsResolver {
  answers = new Map<string, string[] | Error>();
  calls: { name: string; family: DnsLookupFamily }[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  async resolve(name: string, family: DnsLookupFamily): Promise<string[]> {
    this.calls.push({ name, family });
    for (const w of this.waiters) if (this.calls.length >= w.count) w.resolve();
    const a = this.answers.get(name);
    if (a === undefined) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    if (a instanceof Error) throw a;
    return a;
  }

  /** Resolves once `count` lookups have been made in total. */
  calledTimes(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

function dnsCluster(
  cfg: Partial<ClusterConfig>,
  resolver: DnsResolver,
  initialDnsTimeoutMs = 2000,
): { cluster: ClusterImpl; stats: FakeClusterStats; logs: string[] } {
  const stats = fakeClusterStats();
  const logs: string[] = [];
  const cluster = new ClusterImpl(clusterConfig({ type: 'STRICT_DNS', ...cfg }), {
    random: seededRandom(1),
    stats,
    resolver,
    log: (m) => logs.push(m),
    initialDnsTimeoutMs,
  });
  return { cluster, stats, logs };
}

const authorities = (c: Cluster): string[] => c.hosts().map((h) => h.authority);

t.test('STRICT_DNS: every address is a host; refresh reuses survivors', async (t) => {
  const r = new FakeResolver();
  r.answers.set('svc.local', ['10.0.0.1', '10.0.0.2']);
  r.answers.set('other.local', ['10.0.1.1']);
  const { cluster, stats, logs } = dnsCluster(
    {
      dnsLookupFamily: 'V4_ONLY',
      endpoints: [
        endpoint('svc.local', 80, { weight: 2, priority: 0 }),
        endpoint('other.local', 81, { priority: 1 }),
      ],
    },
    r,
  );
  t.teardown(() => cluster.close());
  t.same(cluster.hosts(), [], 'no hosts before the first answer');
  await withTimeout(cluster.ready(), 5000, 'ready');
  t.same(authorities(cluster), ['10.0.0.1:80', '10.0.0.2:80', '10.0.1.1:81']);
  t.same(
    r.calls.map((c) => c.family),
    ['V4_ONLY', 'V4_ONLY'],
  );
  const [h1, h2] = cluster.hosts();
  t.equal(h1!.hostname, 'svc.local', 'hostname is the DNS name');
  t.equal(h1!.weight, 2);
  t.equal(cluster.hosts()[2]!.priority, 1);
  t.equal(stats.membershipTotal.value, 3);
  t.ok(cluster.chooseHost({ hash: null, excluded: null })!.authority.startsWith('10.0.0.'), 'P0 preferred');

  const h1Pool = h1!.dispatcher() as unknown as { closed: boolean };
  r.answers.set('svc.local', ['10.0.0.2', '10.0.0.3']);
  await cluster.refreshDns();
  t.same(authorities(cluster), ['10.0.0.2:80', '10.0.0.3:80', '10.0.1.1:81']);
  t.equal(cluster.hosts()[0], h2, 'surviving address keeps its Host (and pool)');
  t.ok(h1Pool.closed, 'removed host’s pool is closed');

  r.answers.set('svc.local', new Error('SERVFAIL'));
  r.answers.set('other.local', ['10.0.1.2']);
  await cluster.refreshDns();
  t.same(
    authorities(cluster),
    ['10.0.0.2:80', '10.0.0.3:80', '10.0.1.2:81'],
    'failed name keeps its last set',
  );
  t.equal(stats.membershipTotal.value, 3);
  t.equal(logs.length, 1, 'failure logged once');
  await cluster.refreshDns();
  t.equal(logs.length, 1, 'not again while it keeps failing');

  r.answers.set('svc.local', []);
  await cluster.refreshDns();
  t.same(authorities(cluster), ['10.0.1.2:81'], 'an empty answer empties that endpoint');
  t.equal(stats.membershipTotal.value, 1);
});

t.test('STRICT_DNS re-resolves on its refresh timer', async (t) => {
  const r = new FakeResolver();
  r.answers.set('svc.local', ['10.0.0.1']);
  const { cluster } = dnsCluster({ dnsRefreshRateMs: 5, endpoints: [endpoint('svc.local', 80)] }, r);
  t.teardown(() => cluster.close());
  await withTimeout(cluster.ready(), 5000, 'ready');
  r.answers.set('svc.local', ['10.0.0.9']);
  await withTimeout(r.calledTimes(3), 5000, 'timer refreshes');
  await cluster.refreshDns();
  t.same(authorities(cluster), ['10.0.0.9:80']);
  await cluster.close();
  const calls = r.calls.length;
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(r.calls.length, calls, 'no lookups after close');
});

t.test('a name that never answers does not hold up ready()', async (t) => {
  const hanging: DnsResolver = { resolve: () => new Promise<string[]>(() => {}) };
  const { cluster, logs } = dnsCluster({ endpoints: [endpoint('slow.local', 80)] }, hanging, 30);
  t.teardown(() => cluster.close());
  await withTimeout(cluster.ready(), 5000, 'ready');
  t.same(cluster.hosts(), []);
  t.match(logs[0], /initial DNS resolution not finished/);
});

t.test('a name that fails at startup leaves the cluster empty and logs', async (t) => {
  const r = new FakeResolver();
  const { cluster, logs } = dnsCluster({ endpoints: [endpoint('missing.local', 80)] }, r);
  t.teardown(() => cluster.close());
  await withTimeout(cluster.ready(), 5000, 'ready');
  t.same(cluster.hosts(), []);
  t.equal(cluster.chooseHost({ hash: null, excluded: null }), null);
  t.match(logs[0], /missing\.local failed \(ENOTFOUND\)/);
  r.answers.set('missing.local', ['10.0.0.7']);
  await cluster.refreshDns();
  t.same(authorities(cluster), ['10.0.0.7:80'], 'hosts appear once it resolves');
  t.match(logs[1], /resolves again/);
});

t.test('LOGICAL_DNS: one host, re-pointed for new connections only', async (t) => {
  const a = await startServer('a', '127.0.0.1');
  let b: Awaited<ReturnType<typeof startServer>>;
  try {
    b = await startServer('b', '127.0.0.2', a.port);
  } catch {
    await a.close();
    t.comment('127.0.0.2 is not bindable here; skipping');
    return;
  }
  const r = new FakeResolver();
  r.answers.set('svc.local', ['127.0.0.1', '127.0.0.3']);
  const { cluster } = dnsCluster(
    { type: 'LOGICAL_DNS', endpoints: [endpoint('svc.local', a.port), endpoint('ignored.local', 1)] },
    r,
  );
  t.teardown(async () => {
    await cluster.close();
    await a.close();
    await b.close();
  });
  await withTimeout(cluster.ready(), 5000, 'ready');
  t.same(authorities(cluster), [`127.0.0.1:${a.port}`], 'first address only');
  t.same(
    r.calls.map((c) => c.name),
    ['svc.local'],
  );
  const host = cluster.hosts()[0]!;
  const get = async (): Promise<string> => {
    const res = await withTimeout(host.dispatcher().request({ method: 'GET', path: '/' }), 5000, 'response');
    return res.body.text();
  };
  t.equal(await get(), 'a');
  // undici frees the connection just after the body ends; let it, so the next request reuses it.
  await new Promise((resolve) => setImmediate(resolve));

  r.answers.set('svc.local', ['127.0.0.2']);
  await cluster.refreshDns();
  t.equal(cluster.hosts()[0], host, 'same logical host');
  t.equal(host.authority, `127.0.0.2:${a.port}`);
  t.equal(await get(), 'a', 'the open connection is still used');
  t.equal(host.counters.cxTotal, 1);

  const gone = once(host.dispatcher(), 'disconnect');
  a.server.closeAllConnections();
  await withTimeout(gone, 5000, 'disconnect');
  t.equal(await get(), 'b', 'a new connection goes to the new address');
  t.equal(host.counters.cxTotal, 2);
});

t.test('STRICT_DNS with the real resolver and a real request', async (t) => {
  const server = await startServer('local');
  const stats = fakeClusterStats();
  const { systemDnsResolver } = await import('../../../lib/cluster/dns-resolver.js');
  const cluster = new ClusterImpl(
    clusterConfig({
      type: 'STRICT_DNS',
      dnsLookupFamily: 'V4_ONLY',
      endpoints: [endpoint('localhost', server.port)],
    }),
    { random: seededRandom(1), stats, resolver: systemDnsResolver, log: () => {}, initialDnsTimeoutMs: 5000 },
  );
  t.teardown(async () => {
    await cluster.close();
    await server.close();
  });
  await withTimeout(cluster.ready(), 6000, 'ready');
  t.same(authorities(cluster), [`127.0.0.1:${server.port}`]);
  const host = cluster.chooseHost({ hash: null, excluded: null })!;
  t.equal(host.hostname, 'localhost');
  const res = await withTimeout(host.dispatcher().request({ method: 'GET', path: '/' }), 5000, 'response');
  t.equal(await res.body.text(), 'local');
  t.equal(stats.upstreamCxTotal.value, 1);
});
