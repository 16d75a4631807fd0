import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { translateHttpRoutes } from '../../../../../lib/config/istio/translate/http-routes.js';
import type { RouteConfig } from '../../../../../lib/config/model.js';
import { compileRouteTable } from '../../../../../lib/router/route-table.js';
import { seededRandom } from '../../../../../lib/util/random.js';
import { req, routeConfig, vhost } from '../../../router/fixtures.js';
import { fakeContext, translate, virtualServices } from './fixtures.js';

const EXAMPLES = fileURLToPath(new URL('../../../../../../config-examples/istio/', import.meta.url));
const FQDN = 'order-service.production.svc.cluster.local';

function table(routes: RouteConfig[]) {
  return compileRouteTable(routeConfig([vhost('order', ['*'], routes)]), seededRandom(7));
}

t.test('the seed canary through the real router', async (t) => {
  const [vs] = virtualServices(readFileSync(`${EXAMPLES}istio-canary.yaml`, 'utf8'), 'istio-canary.yaml');
  const tbl = table(translateHttpRoutes(vs!, 8080, fakeContext()));
  const canary = req('/orders/1', { headers: { 'x-canary': 'yes' } });
  const r = tbl.route(canary)!;
  t.equal(r.pickCluster(canary)?.name, `outbound|8080|v2|${FQDN}`);
  t.equal(r.timeoutMs, 15_000);
  t.equal(r.retry?.numRetries, 2);

  const plain = req('/orders/1', { headers: { 'x-canary': 'no' } });
  const split = tbl.route(plain)!;
  t.not(split, r, 'x-canary: no falls through to the split');
  t.equal(split.timeoutMs, 10_000);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 400; i++) {
    const name = split.pickCluster(plain)!.name;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  t.same(Object.keys(counts).sort(), [`outbound|8080|v1|${FQDN}`, `outbound|8080|v2|${FQDN}`]);
  t.ok(counts[`outbound|8080|v1|${FQDN}`]! > counts[`outbound|8080|v2|${FQDN}`]! * 5, '95/5 split');
});

t.test('match kinds as the router evaluates them', async (t) => {
  const { routes } = translate(`  hosts: [a]
  http:
  - name: nodebug
    match:
    - uri: {prefix: /api}
      ignoreUriCase: true
      method: {exact: POST}
      withoutHeaders: {x-debug: {exact: "on"}}
    route:
    - destination: {host: a, subset: fast}
  - name: query
    match:
    - uri: {exact: /search}
      queryParams: {q: {regex: "[a-z]+"}}
    route:
    - destination: {host: a, subset: search}
  - name: down
    match:
    - uri: {prefix: /down}
    route:
    - destination: {host: a, subset: broken}
    fault:
      abort: {httpStatus: 500, percentage: {value: 100}}
  - name: default
    route:
    - destination: {host: a}
`);
  const tbl = table(routes);
  const name = (path: string, p: Parameters<typeof req>[1] = {}) => tbl.route(req(path, p))?.name;
  t.equal(name('/API/x', { method: 'POST' }), 'nodebug', 'case-insensitive prefix');
  t.equal(name('/api/x', { method: 'POST', headers: { 'x-debug': 'off' } }), 'nodebug');
  t.equal(name('/api/x', { method: 'POST', headers: { 'x-debug': 'on' } }), 'default', 'withoutHeaders');
  t.equal(name('/api/x', { method: 'GET' }), 'default', ':method');
  t.equal(name('/search?q=abc'), 'query');
  t.equal(name('/search?q=ABC'), 'default', 'query regex is a full match');
  t.equal(name('/search/more?q=abc'), 'default', 'exact path');
  const down = tbl.route(req('/down/now'))!;
  t.equal(down.name, 'down');
  t.equal(down.pickCluster(req('/down/now'))?.name, 'outbound|80|broken|a.default.svc.cluster.local');
  t.ok(down.perFilter !== null, 'the fault config reaches the route');
  t.equal(tbl.perFilterConfigs('envoy.filters.http.fault').length, 1);
  t.equal(name('/anything'), 'default');
});

t.test('rewrites compile and apply', async (t) => {
  const { routes } = translate(`  hosts: [a]
  http:
  - match:
    - uri: {prefix: /v1/}
    rewrite: {uri: /, authority: backend.internal}
    route:
    - destination: {host: a}
  - match:
    - uri: {regex: "/users/([0-9]+)/profile"}
    rewrite:
      uriRegexRewrite: {match: "^/users/([0-9]+)/profile$", rewrite: "/profile?id=\\\\1"}
    route:
    - destination: {host: a}
`);
  const tbl = table(routes);
  const a = tbl.route(req('/v1/items?x=1'))!;
  t.equal(a.rewritePath('/v1/items?x=1'), '/items?x=1');
  t.equal(a.hostRewriteLiteral, 'backend.internal');
  const b = tbl.route(req('/users/42/profile'))!;
  t.equal(b.rewritePath('/users/42/profile'), '/profile?id=42');
});
