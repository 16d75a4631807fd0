import t from 'tap';
import { translateHttpRoutes } from '../../../../../lib/config/istio/translate/http-routes.js';
import { fakeContext, forwardOf, virtualServices, vsYaml } from './fixtures.js';

const ROOT = vsYaml(
  `  hosts: [shop.example.com]
  http:
  - name: api
    match:
    - name: m
      uri: {prefix: /api}
      headers: {x-tenant: {exact: blue}}
    delegate: {name: child, namespace: team}
    timeout: 5s
    retries: {attempts: 1}
    corsPolicy:
      allowOrigins: [{exact: "https://shop.example.com"}]
  - name: missing
    match:
    - uri: {prefix: /gone}
    delegate: {name: nobody}
  - name: rest
    route:
    - destination: {host: web}
`,
  'root',
  'shop',
);

const CHILD = vsYaml(
  `  http:
  - name: v1
    match:
    - uri: {prefix: /api/v1}
      headers: {x-beta: {exact: "1"}}
    route:
    - destination: {host: api-v1}
    timeout: 1s
  - name: health
    match:
    - uri: {exact: /api/health}
    directResponse: {status: 200, body: {string: ok}}
  - name: outside
    match:
    - uri: {prefix: /admin}
    route:
    - destination: {host: admin}
  - route:
    - destination: {host: api}
`,
  'child',
  'team',
);

t.test('delegate rules are inlined, merged with the root match, in order', async (t) => {
  const [root] = virtualServices(ROOT, 'root.yaml', 'shop');
  const delegates = virtualServices(CHILD, 'child.yaml', 'team');
  const ctx = fakeContext({ delegates });
  const routes = translateHttpRoutes(root!, 80, ctx);
  t.same(
    routes.map((r) => r.name),
    ['api-v1.m', 'api-health.m', 'api.m', 'rest'],
  );
  const [v1, health, fallback, rest] = routes;
  t.same(v1!.match.path, { kind: 'prefix', value: '/api/v1' });
  t.same(
    v1!.match.headers.map((h) => h.name),
    ['x-beta', 'x-tenant'],
    'root headers merged into the delegate match',
  );
  const a1 = forwardOf(v1);
  t.same(a1.target, { kind: 'cluster', name: 'outbound|80||api-v1.team.svc.cluster.local' });
  t.equal(a1.timeoutMs, 1000, "the delegate's own timeout");
  t.equal(a1.retryPolicy?.numRetries, 1, "the root's retries are inherited");
  t.ok(v1!.typedPerFilterConfig?.['envoy.filters.http.cors'], "the root's CORS policy is inherited");

  t.same(health!.match.path, { kind: 'path', value: '/api/health' });
  t.same(health!.action, { kind: 'direct_response', status: 200, body: 'ok' });

  t.same(fallback!.match.path, { kind: 'prefix', value: '/api' }, 'no delegate match: the root match');
  t.equal(forwardOf(fallback).timeoutMs, 5000);

  t.same(forwardOf(rest).target, { kind: 'cluster', name: 'outbound|80||web.shop.svc.cluster.local' });
  t.same(
    ctx.sink.warnings.map((w) => `${w.file}: ${w.path}: ${w.message}`),
    [
      'child.yaml: spec.http[2].match: not within the matches of root.yaml spec.http[0] that delegates to it; rule dropped',
      'root.yaml: spec.http[1].delegate: delegate VirtualService shop/nobody not found; rule skipped',
    ],
  );
});

t.test('a delegate not exported to the root namespace is skipped', async (t) => {
  const [root] = virtualServices(ROOT, 'root.yaml', 'shop');
  const hidden = virtualServices(
    CHILD.replace('  http:\n', '  exportTo: ["."]\n  http:\n'),
    'child.yaml',
    'team',
  );
  const ctx = fakeContext({ delegates: hidden });
  t.same(
    translateHttpRoutes(root!, 80, ctx).map((r) => r.name),
    ['rest'],
  );
  t.match(ctx.sink.warnings[0], {
    file: 'root.yaml',
    path: 'spec.http[0].delegate',
    message: 'delegate VirtualService team/child is not exported to namespace shop; rule skipped',
  });
});

t.test('regex on both sides conflicts; exact within prefix fits', async (t) => {
  const root = virtualServices(
    vsYaml(
      `  hosts: [x.example]
  http:
  - match:
    - uri: {regex: "/r/.*"}
    - uri: {prefix: /p}
    delegate: {name: d}
`,
      'root',
    ),
    'root.yaml',
  );
  const delegates = virtualServices(
    vsYaml(
      `  http:
  - match:
    - uri: {exact: /p/x}
    route:
    - destination: {host: x}
  - match:
    - uri: {regex: "/r/a"}
    route:
    - destination: {host: y}
`,
      'd',
    ),
    'd.yaml',
  );
  const ctx = fakeContext({ delegates });
  const routes = translateHttpRoutes(root[0]!, 80, ctx);
  t.same(
    routes.map((r) => r.match.path),
    [{ kind: 'path', value: '/p/x' }],
    'the exact match fits only the prefix root match',
  );
  t.equal(ctx.sink.warnings.length, 1);
  t.match(ctx.sink.warnings[0], { file: 'd.yaml', path: 'spec.http[1].match' });
});
