import t from 'tap';
import { get, simpleBootstrap, startProxy, staticCluster, type TestProxy } from '../helpers/proxy.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';

const ROUTES = `
              - match: { prefix: /cookie }
                route:
                  cluster: ring
                  hash_policy:
                  - cookie: { name: skiff-affinity, ttl: 60s, path: / }
              - match: { prefix: /rr }
                route:
                  cluster: rr
                  hash_policy:
                  - cookie: { name: skiff-affinity, ttl: 60s }
              - match: { prefix: / }
                route:
                  cluster: ring
                  hash_policy:
                  - header: { header_name: x-user }`;

/** A cluster of the three upstreams with the given lb_policy. */
function cluster(name: string, policy: string, ups: readonly FakeUpstream[]): string {
  return staticCluster(name, ...ups.map((u) => u.port)).replace(
    '    type: STATIC\n',
    `    type: STATIC\n    lb_policy: ${policy}\n`,
  );
}

async function setup(t: { teardown(fn: () => unknown): void }): Promise<TestProxy> {
  const ups = await Promise.all(['a', 'b', 'c'].map((n) => startUpstream(n)));
  const clusters = cluster('ring', 'RING_HASH', ups) + cluster('rr', 'ROUND_ROBIN', ups);
  const proxy = await startProxy(simpleBootstrap({ routes: ROUTES, clusters }));
  t.teardown(async () => {
    await proxy.stop();
    await Promise.all(ups.map((u) => u.close()));
  });
  return proxy;
}

t.test('RING_HASH on x-user: a user sticks to one upstream, users spread', async (t) => {
  const proxy = await setup(t);
  const USERS = 30;
  const owner = new Map<string, string>();
  for (let round = 0; round < 3; round++) {
    for (let u = 0; u < USERS; u++) {
      // A fresh connection per request: affinity must not depend on the connection.
      const r = await get(`${proxy.base}/api`, { headers: { 'x-user': `user-${u}` } });
      t.equal(r.status, 200);
      const who = String(r.headers['x-upstream']);
      const prev = owner.get(`user-${u}`);
      if (prev === undefined) owner.set(`user-${u}`, who);
      else if (prev !== who) t.fail(`user-${u} moved from ${prev} to ${who}`);
    }
  }
  const perUpstream = new Map<string, number>();
  for (const who of owner.values()) perUpstream.set(who, (perUpstream.get(who) ?? 0) + 1);
  t.ok(perUpstream.size >= 2, `users spread over ${perUpstream.size} upstreams: ${[...perUpstream]}`);
  for (const [who, n] of perUpstream) t.ok(n <= USERS * 0.8, `${who} holds ${n} of ${USERS} users`);
});

t.test('cookie with ttl: generated once, then sticky', async (t) => {
  const proxy = await setup(t);
  const first = await get(`${proxy.base}/cookie`);
  t.equal(first.status, 200);
  const setCookie = first.headers['set-cookie'];
  t.equal(typeof setCookie, 'string', 'exactly one Set-Cookie');
  const m = /^skiff-affinity="([0-9a-f]{16})"; Max-Age=60; Path=\/; HttpOnly$/.exec(String(setCookie));
  t.ok(m !== null, `Set-Cookie: ${setCookie}`);
  const value = m![1]!;
  const home = String(first.headers['x-upstream']);
  for (let i = 0; i < 10; i++) {
    const r = await get(`${proxy.base}/cookie/${i}`, {
      headers: { cookie: `other=1; skiff-affinity="${value}"` },
    });
    t.equal(String(r.headers['x-upstream']), home, `request ${i} stays on ${home}`);
    t.equal(r.headers['set-cookie'], undefined, 'no new cookie while the client sends it');
  }
  // Other cookie values spread: a handful of fresh clients do not all share one upstream.
  const homes = new Set<string>();
  for (let i = 0; i < 24; i++) {
    const r = await get(`${proxy.base}/cookie`, { headers: { cookie: `skiff-affinity=client-${i}` } });
    homes.add(String(r.headers['x-upstream']));
  }
  t.ok(homes.size >= 2, `24 clients spread over ${homes.size} upstreams`);
});

t.test('a non-hashing cluster neither hashes nor sets the cookie (as Envoy)', async (t) => {
  const proxy = await setup(t);
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const r = await get(`${proxy.base}/rr`);
    t.equal(r.headers['set-cookie'], undefined);
    seen.add(String(r.headers['x-upstream']));
  }
  t.equal(seen.size, 3, 'round robin visits every upstream');
});
