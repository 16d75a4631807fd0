import t from 'tap';
import type { PathMatchConfig, RetryPolicyConfig, RouteActionConfig } from '../../../lib/config/model.js';
import { compileRouteTable } from '../../../lib/router/route-table.js';
import { seededRandom } from '../../../lib/util/random.js';
import {
  exactPath,
  forward,
  mutations,
  prefix,
  regex,
  req,
  route,
  routeConfig,
  separated,
  vhost,
} from './fixtures.js';

function table1(path: PathMatchConfig, action: RouteActionConfig, seed = 1) {
  return compileRouteTable(routeConfig([vhost('v', ['*'], [route(path, action)])]), seededRandom(seed));
}

t.test('first match wins, in order', async (t) => {
  const table = compileRouteTable(
    routeConfig([
      vhost(
        'v',
        ['*'],
        [
          route(prefix('/api/v1'), forward('v1')),
          route(prefix('/api'), forward('api')),
          route(prefix('/api/v1/special'), forward('never')),
          route(prefix('/'), forward('root')),
        ],
      ),
    ]),
    seededRandom(1),
  );
  const name = (p: string) => table.route(req(p))!.pickCluster(req(p))!.name;
  t.equal(name('/api/v1/special'), 'v1');
  t.equal(name('/api/v2'), 'api');
  t.equal(name('/'), 'root');
  t.equal(table.route(req('/'))!.virtualHost.name, 'v');
});

t.test('weighted clusters: seeded distribution, weight 0 never picked', async (t) => {
  const table = table1(
    prefix('/'),
    forward('', {
      target: {
        kind: 'weighted',
        clusters: [
          { name: 'a', weight: 75, headers: mutations(), hostRewriteLiteral: null },
          { name: 'zero', weight: 0, headers: mutations(), hostRewriteLiteral: null },
          { name: 'b', weight: 25, headers: mutations(), hostRewriteLiteral: 'b.internal' },
        ],
      },
    }),
    42,
  );
  const r = table.route(req('/'))!;
  const counts: Record<string, number> = { a: 0, b: 0, zero: 0 };
  let consistent = true;
  for (let i = 0; i < 10000; i++) {
    const pick = r.pickCluster(req('/'))!;
    counts[pick.name]!++;
    consistent &&= pick.weighted?.name === pick.name;
  }
  t.ok(consistent, 'every pick carries its weighted entry');
  t.equal(counts.zero, 0);
  t.ok(counts.a! > 7200 && counts.a! < 7800, `a≈75% (${counts.a})`);
  t.ok(counts.b! > 2200 && counts.b! < 2800, `b≈25% (${counts.b})`);
  t.equal(r.weightedClusters.length, 3);
});

t.test('weighted pick follows r < running sum exactly', async (t) => {
  const draws = [0, 0.5, 0.51, 0.99];
  let i = 0;
  const random = { next: () => draws[i++]!, int: (n: number) => Math.floor(draws[i++]! * n) };
  const cfg = routeConfig([
    vhost(
      'v',
      ['*'],
      [
        route(
          prefix('/'),
          forward('', {
            target: {
              kind: 'weighted',
              clusters: [
                { name: 'a', weight: 50, headers: mutations(), hostRewriteLiteral: null },
                { name: 'z', weight: 0, headers: mutations(), hostRewriteLiteral: null },
                { name: 'b', weight: 50, headers: mutations(), hostRewriteLiteral: null },
              ],
            },
          }),
        ),
      ],
    ),
  ]);
  const r = compileRouteTable(cfg, random).route(req('/'))!;
  t.same(
    draws.map(() => r.pickCluster(req('/'))!.name),
    ['a', 'b', 'b', 'b'],
  );
});

t.test('cluster_header reads the header; missing or empty → null', async (t) => {
  const r = table1(
    prefix('/'),
    forward('', { target: { kind: 'cluster_header', header: 'X-Cluster' } }),
  ).route(req('/'))!;
  t.same(r.pickCluster(req('/', { headers: { 'x-cluster': 'dyn' } })), { name: 'dyn', weighted: null });
  t.equal(r.pickCluster(req('/')), null);
  t.equal(r.pickCluster(req('/', { headers: { 'x-cluster': '' } })), null);
});

t.test('static cluster pick is one frozen object', async (t) => {
  const r = table1(prefix('/'), forward('c')).route(req('/'))!;
  t.equal(r.pickCluster(req('/')), r.pickCluster(req('/x')));
  t.ok(Object.isFrozen(r.pickCluster(req('/'))));
});

t.test('prefix_rewrite replaces the matched prefix or path, query kept', async (t) => {
  const pre = table1(prefix('/api/'), forward('c', { prefixRewrite: '/v2/' })).route(req('/api/x'))!;
  t.equal(pre.rewritePath('/api/users?id=1'), '/v2/users?id=1');
  const ci = compileRouteTable(
    routeConfig([
      vhost(
        'v',
        ['*'],
        [
          route(
            { path: prefix('/API'), caseSensitive: false, headers: [], queryParameters: [], grpc: false },
            forward('c', { prefixRewrite: '/x' }),
          ),
        ],
      ),
    ]),
    seededRandom(1),
  ).route(req('/api/a'))!;
  t.equal(ci.rewritePath('/api/a'), '/x/a', 'case-insensitive match replaces the matched length');
  const exact = table1(exactPath('/old'), forward('c', { prefixRewrite: '/new' })).route(req('/old'))!;
  t.equal(exact.rewritePath('/old?q=1'), '/new?q=1');
  const sep = table1(separated('/api'), forward('c', { prefixRewrite: '/svc' })).route(req('/api/a'))!;
  t.equal(sep.rewritePath('/api/a'), '/svc/a');
  const rx = table1(regex('/r/.*'), forward('c', { prefixRewrite: '/fixed' })).route(req('/r/a'))!;
  t.equal(
    rx.rewritePath('/r/a/b?k=v'),
    '/fixed?k=v',
    'with a regex match the whole path is the matched part',
  );
  t.equal(table1(prefix('/'), forward('c')).route(req('/'))!.rewritePath('/a'), null, 'no rewrite → null');
});

t.test('regex_rewrite substitutes over the path without query, with \\N groups', async (t) => {
  const r = table1(
    prefix('/'),
    forward('c', { regexRewrite: { regex: '^/service/([^/]+)(/.*)$', substitution: '\\2/instance/\\1' } }),
  ).route(req('/'))!;
  t.equal(r.rewritePath('/service/foo/v1/api?x=1'), '/v1/api/instance/foo?x=1');
  const all = table1(
    prefix('/'),
    forward('c', { regexRewrite: { regex: 'one', substitution: 'two$' } }),
  ).route(req('/'))!;
  t.equal(
    all.rewritePath('/xxx/one/yyy/one/zzz'),
    '/xxx/two$/yyy/two$/zzz',
    'every match replaced; $ is literal',
  );
  const whole = table1(
    prefix('/'),
    forward('c', { regexRewrite: { regex: '/a(b)', substitution: '[\\0|\\1]0' } }),
  ).route(req('/'))!;
  t.equal(whole.rewritePath('/ab'), '[/ab|b]0', '\\0 is the whole match; a digit after \\1 stays literal');
  t.throws(() => table1(prefix('/'), forward('c', { regexRewrite: { regex: '(a)', substitution: '\\2' } })), {
    code: 'SKIFF_ERR_CONFIG',
  });
});

t.test('host rewrite: weighted literal, route literal wins (Envoy applies it last), auto flag', async (t) => {
  const r = table1(
    prefix('/'),
    forward('', {
      target: {
        kind: 'weighted',
        clusters: [{ name: 'a', weight: 1, headers: mutations(), hostRewriteLiteral: 'a.internal' }],
      },
      autoHostRewrite: true,
    }),
  ).route(req('/'))!;
  const pick = r.pickCluster(req('/'))!;
  t.equal(r.rewriteHost(pick.weighted), 'a.internal');
  t.equal(r.rewriteHost(null), null);
  t.equal(r.autoHostRewrite, true);
  const both = table1(
    prefix('/'),
    forward('', {
      hostRewriteLiteral: 'route.internal',
      target: {
        kind: 'weighted',
        clusters: [{ name: 'a', weight: 1, headers: mutations(), hostRewriteLiteral: 'a.internal' }],
      },
    }),
  ).route(req('/'))!;
  t.equal(both.rewriteHost(both.pickCluster(req('/'))!.weighted), 'route.internal');
});

t.test('timeouts and retry policy: route-level replaces the vhost one wholesale', async (t) => {
  const policy = (n: number): RetryPolicyConfig => ({
    retryOn: ['5xx'],
    numRetries: n,
    perTryTimeoutMs: null,
    perTryIdleTimeoutMs: null,
    retriableStatusCodes: [],
    retriableHeaders: [
      {
        name: 'X-Retry',
        match: { kind: 'present', present: true },
        invert: false,
        treatMissingAsEmpty: false,
      },
    ],
    backOff: null,
    previousHostsPredicate: false,
    hostSelectionRetryMaxAttempts: 1,
  });
  const table = compileRouteTable(
    routeConfig([
      vhost(
        'v',
        ['*'],
        [
          route(prefix('/own'), forward('c', { retryPolicy: policy(5), timeoutMs: 0, idleTimeoutMs: 700 })),
          route(prefix('/'), forward('c')),
        ],
        { retryPolicy: policy(2), includeRequestAttemptCount: true, includeAttemptCountInResponse: true },
      ),
    ]),
    seededRandom(1),
  );
  const own = table.route(req('/own'))!;
  t.equal(own.retryPolicy?.numRetries, 5);
  t.equal(own.timeoutMs, 0);
  t.equal(own.idleTimeoutMs, 700);
  t.equal(own.retriableHeaders[0]!.name, 'x-retry');
  t.ok(own.retriableHeaders[0]!.matches('1'));
  const inherited = table.route(req('/x'))!;
  t.equal(inherited.retryPolicy?.numRetries, 2);
  t.equal(inherited.timeoutMs, 15000);
  t.equal(inherited.idleTimeoutMs, null);
  t.equal(inherited.virtualHost.includeRequestAttemptCount, true);
  t.equal(inherited.virtualHost.includeAttemptCountInResponse, true);
});

t.test('direct_response', async (t) => {
  const r = table1(prefix('/'), { kind: 'direct_response', status: 418, body: 'teapot' }).route(req('/'))!;
  t.equal(r.action, 'direct_response');
  t.equal(r.directStatus, 418);
  t.equal(r.directBody, 'teapot');
  t.equal(r.pickCluster(req('/')), null);
  t.equal(r.directLocation(req('/')), null);
  const moved = table1(prefix('/'), { kind: 'direct_response', status: 301, body: null }).route(req('/'))!;
  t.equal(moved.directBody, null);
  t.equal(
    moved.directLocation(req('/a?b', { authority: 'h:8080' })),
    'http://h:8080/a?b',
    '3xx direct responses get Location = request URL',
  );
});
