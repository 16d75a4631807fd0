import t from 'tap';
import type { HeaderMatcherConfig } from '../../../../../lib/config/model.js';
import { translate } from './fixtures.js';

const route = '    route:\n    - destination: {host: a}\n';

function rule(match: string, extra = ''): string {
  return `  hosts: [a]\n  http:\n  - name: r\n    match:\n${match}${route}${extra}`;
}

const exact = (value: string) => ({ kind: 'string', matcher: { kind: 'exact', value, ignoreCase: false } });
function hm(name: string, match: unknown, invert = false, treatMissingAsEmpty = false): HeaderMatcherConfig {
  return { name, match: match as HeaderMatcherConfig['match'], invert, treatMissingAsEmpty };
}

t.test('uri kinds and ignoreUriCase', async (t) => {
  const { routes, warnings } = translate(
    rule(`    - uri: {exact: /a}
    - uri: {prefix: /b}
      ignoreUriCase: true
    - uri: {regex: "/c/[0-9]+"}
    - uri: {}
`),
  );
  t.same(warnings, []);
  t.same(
    routes.map((r) => [r.match.path, r.match.caseSensitive]),
    [
      [{ kind: 'path', value: '/a' }, true],
      [{ kind: 'prefix', value: '/b' }, false],
      [{ kind: 'safe_regex', regex: '/c/[0-9]+' }, true],
      [{ kind: 'prefix', value: '/' }, true],
    ],
  );
  t.same(
    routes.map((r) => r.decoratorOperation),
    [
      'a.default.svc.cluster.local:80/a',
      'a.default.svc.cluster.local:80/b*',
      'a.default.svc.cluster.local:80/c/[0-9]+',
      'a.default.svc.cluster.local:80/*',
    ],
  );
});

t.test('headers, withoutHeaders, pseudo-headers and query parameters', async (t) => {
  const { routes } = translate(
    rule(`    - name: m
      method: {exact: GET}
      authority: {prefix: api.}
      scheme: {regex: "https?"}
      headers:
        X-Zed: {exact: "1"}
        x-any: {}
        x-re: {regex: "v[12]"}
      withoutHeaders:
        x-debug: {exact: "on"}
        x-gone: {regex: "*"}
        x-absent: {}
      queryParams:
        v: {prefix: "2"}
        flag: {}
`),
  );
  const m = routes[0]!.match;
  t.equal(routes[0]!.name, 'r.m', 'route name + "." + match name');
  t.same(m.headers, [
    hm('x-absent', { kind: 'present', present: true }, true, false),
    hm('x-any', { kind: 'present', present: true }),
    hm('x-debug', exact('on'), true, true),
    hm('x-gone', { kind: 'present', present: true }, true, false),
    hm('x-re', { kind: 'string', matcher: { kind: 'safe_regex', regex: 'v[12]', ignoreCase: false } }),
    hm('x-zed', exact('1')),
    hm(':method', exact('GET')),
    hm(':authority', { kind: 'string', matcher: { kind: 'prefix', value: 'api.', ignoreCase: false } }),
    hm(':scheme', { kind: 'string', matcher: { kind: 'safe_regex', regex: 'https?', ignoreCase: false } }),
  ]);
  t.same(m.queryParameters, [
    { name: 'v', match: { kind: 'string', matcher: { kind: 'prefix', value: '2', ignoreCase: false } } },
    { name: 'flag', match: { kind: 'present', present: true } },
  ]);
});

t.test('port: matches for other ports are dropped; a rule left without matches emits nothing', async (t) => {
  const body = `  hosts: [a]
  http:
  - name: only9080
    match:
    - port: 9080
      uri: {prefix: /x}
${route}  - name: mixed
    match:
    - port: 9080
      uri: {prefix: /y}
    - uri: {prefix: /z}
${route}`;
  t.same(
    translate(body, 80).routes.map((r) => [r.name, r.match.path]),
    [['mixed', { kind: 'prefix', value: '/z' }]],
  );
  t.same(
    translate(body, 9080).routes.map((r) => r.name),
    ['only9080', 'mixed', 'mixed'],
  );
});

t.test('sourceLabels, sourceNamespace and match gateways select at config time', async (t) => {
  const body = rule(`    - name: web
      uri: {prefix: /web}
      sourceLabels: {app: web}
    - name: front
      uri: {prefix: /front}
      sourceNamespace: front
    - name: gw
      uri: {prefix: /gw}
      gateways: [istio-system/ingress]
    - name: gwmesh
      uri: {prefix: /gwmesh}
      gateways: [mesh, istio-system/ingress]
      sourceLabels: {app: nobody}
    - name: any
      uri: {prefix: /}
      headers: {x: {exact: "1"}}
`);
  const names = (workload: { labels?: Record<string, string>; namespace?: string }) =>
    translate(body, 80, { workload }).routes.map((r) => r.name);
  t.same(names({}), ['r.gwmesh', 'r.any'], 'mesh in match gateways skips the label check, as istiod');
  t.same(names({ labels: { app: 'web', v: '1' } }), ['r.web', 'r.gwmesh', 'r.any']);
  t.same(names({ namespace: 'front' }), ['r.front', 'r.gwmesh', 'r.any']);
});

t.test('a catch-all route ends the VirtualService', async (t) => {
  const { routes } = translate(`  hosts: [a]
  http:
  - match:
    - uri: {prefix: /api}
    - uri: {prefix: /}
    - uri: {prefix: /never}
${route}  - route:
    - destination: {host: b}
`);
  t.same(
    routes.map((r) => r.match.path),
    [
      { kind: 'prefix', value: '/api' },
      { kind: 'prefix', value: '/' },
    ],
  );
  const noMatch = translate(`  hosts: [a]
  http:
  - route:
    - destination: {host: a}
  - route:
    - destination: {host: b}
`);
  t.equal(noMatch.routes.length, 1, 'a rule without matches is a catch-all');
});

t.test('JWT claim matches cannot be represented on a sidecar: match dropped with a warning', async (t) => {
  const d = translate(
    `  hosts: [a]
  gateways: [istio-system/gw]
  http:
  - match:
    - headers:
        "@request.auth.claims.group": {exact: admin}
    - uri: {prefix: /open}
${route}`,
  );
  t.same(
    d.routes.map((r) => r.match.path),
    [{ kind: 'prefix', value: '/open' }],
  );
  t.same(d.warnings, [
    'spec.http[0].match[0].headers.@request.auth.claims.group: JWT claim matches need request authentication; match dropped',
  ]);
});

t.test('statPrefix is reported once per rule, not per route table entry', async (t) => {
  const d = translate(rule('    - statPrefix: hot\n      uri: {prefix: /a}\n'));
  t.same(d.warnings, [
    'spec.http[0].match[0].statPrefix: per-route stats are not supported; statPrefix is ignored',
  ]);
});
