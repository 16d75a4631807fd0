import t from 'tap';
import type { HashPolicyConfig } from '../../../../../lib/config/model.js';
import { forwardOf, translate } from './fixtures.js';

const A = 'a.default.svc.cluster.local';
const B = 'b.default.svc.cluster.local';
const HASH: HashPolicyConfig[] = [
  { kind: 'header', headerName: 'x-user', regexRewrite: null, terminal: false },
];

t.test('weighted destinations: relative weights, weight 0 dropped, per-destination headers', async (t) => {
  const { routes } = translate(`  hosts: [a]
  http:
  - route:
    - destination: {host: a, subset: v1, port: {number: 9080}}
      weight: 3
      headers:
        request: {set: {x-v: "1", host: a.example}}
        response: {remove: [x-d]}
    - destination: {host: b}
      weight: 0
    - destination: {host: a, subset: v2}
      weight: 1
`);
  const a = forwardOf(routes[0]);
  t.same(a.target, {
    kind: 'weighted',
    clusters: [
      {
        name: `outbound|9080|v1|${A}`,
        weight: 3,
        headers: {
          requestHeadersToAdd: [
            { key: 'x-v', value: '1', appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD', keepEmptyValue: false },
          ],
          requestHeadersToRemove: [],
          responseHeadersToAdd: [],
          responseHeadersToRemove: ['x-d'],
        },
        hostRewriteLiteral: 'a.example',
      },
      {
        name: `outbound|80|v2|${A}`,
        weight: 1,
        headers: {
          requestHeadersToAdd: [],
          requestHeadersToRemove: [],
          responseHeadersToAdd: [],
          responseHeadersToRemove: [],
        },
        hostRewriteLiteral: null,
      },
    ],
  });
  t.equal(routes[0]!.decoratorOperation, 'vs:80/*');
});

t.test(
  'route and single-destination headers: set, add, remove; authority becomes a host rewrite',
  async (t) => {
    const { routes } = translate(`  hosts: [a]
  http:
  - headers:
      request:
        set: {X-B: "2", x-a: "1", ":authority": route.example}
        add: {x-c: "3"}
        remove: [x-r]
      response:
        set: {x-s: "s"}
        add: {x-t: "t"}
        remove: [x-u]
    route:
    - destination: {host: a}
      headers:
        request: {add: {x-dest: "d", host: dest.example}}
        response: {set: {x-s: "dest"}}
`);
    const r = routes[0]!;
    const kv = (list: readonly { key: string; value: string; appendAction: string }[]) =>
      list.map((h) => `${h.key}=${h.value} ${h.appendAction}`);
    t.same(kv(r.headers.requestHeadersToAdd), [
      'x-b=2 OVERWRITE_IF_EXISTS_OR_ADD',
      'x-a=1 OVERWRITE_IF_EXISTS_OR_ADD',
      'x-c=3 APPEND_IF_EXISTS_OR_ADD',
      'x-dest=d APPEND_IF_EXISTS_OR_ADD',
    ]);
    t.same(r.headers.requestHeadersToRemove, ['x-r']);
    t.same(kv(r.headers.responseHeadersToAdd), [
      'x-s=s OVERWRITE_IF_EXISTS_OR_ADD',
      'x-t=t APPEND_IF_EXISTS_OR_ADD',
      'x-s=dest OVERWRITE_IF_EXISTS_OR_ADD',
    ]);
    t.same(r.headers.responseHeadersToRemove, ['x-u']);
    t.equal(
      forwardOf(r).hostRewriteLiteral,
      'route.example',
      "the route's authority wins over the destination's",
    );
  },
);

t.test(
  'rewrite: uri → prefix_rewrite, uriRegexRewrite → regex_rewrite, authority → host rewrite',
  async (t) => {
    const { routes } = translate(`  hosts: [a]
  http:
  - match:
    - uri: {prefix: /old}
    - uri: {exact: /exact}
    rewrite: {uri: /new, authority: new.example}
    route:
    - destination: {host: a}
  - match:
    - uri: {regex: "/r/(.*)"}
    rewrite:
      uriRegexRewrite: {match: "^/r/(.*)$", rewrite: "/\\\\1"}
    route:
    - destination: {host: a}
`);
    const [p, e, rx] = routes.map(forwardOf);
    t.equal(p!.prefixRewrite, '/new');
    t.equal(p!.hostRewriteLiteral, 'new.example');
    t.equal(e!.prefixRewrite, '/new', 'exact match: the whole path is replaced');
    t.same(rx!.regexRewrite, { regex: '^/r/(.*)$', substitution: '/\\1' });
    t.equal(rx!.prefixRewrite, null);
  },
);

t.test(
  'consistent-hash destinations: hash policy on the route, previous_hosts dropped for one destination',
  async (t) => {
    const hashes = { [A]: HASH };
    const single = translate('  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n', 80, {
      hashes,
    });
    const a = forwardOf(single.routes[0]);
    t.same(a.hashPolicy, HASH);
    t.equal(a.retryPolicy?.previousHostsPredicate, false);
    const weighted = translate(
      `  hosts: [a]
  http:
  - route:
    - destination: {host: b}
      weight: 1
    - destination: {host: a}
      weight: 1
    retries: {attempts: 1, retryIgnorePreviousHosts: false}
`,
      80,
      { hashes },
    );
    const w = forwardOf(weighted.routes[0]);
    t.same(w.hashPolicy, HASH, 'every weighted destination adds its hash policy');
    t.equal(w.retryPolicy?.previousHostsPredicate, false, 'retryIgnorePreviousHosts is honoured');
    const weightedDefault = translate(
      `  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 1\n    - destination: {host: b}\n      weight: 1\n`,
      80,
      { hashes },
    );
    t.equal(
      forwardOf(weightedDefault.routes[0]).retryPolicy?.previousHostsPredicate,
      true,
      'istiod keeps previous_hosts on weighted routes',
    );
  },
);

t.test('redirect: defaults, derivePort, explicit default ports dropped', async (t) => {
  const { routes, warnings } = translate(
    `  hosts: [a]
  http:
  - match: [{uri: {exact: /a}}]
    redirect: {uri: /new}
  - match: [{uri: {exact: /b}}]
    redirect: {authority: b.example, scheme: https, port: 8443, redirectCode: 308}
  - match: [{uri: {exact: /c}}]
    redirect: {derivePort: FROM_REQUEST_PORT, scheme: http}
  - match: [{uri: {exact: /d}}]
    redirect: {port: 443, scheme: https}
  - match: [{uri: {exact: /e}}]
    redirect: {derivePort: FROM_PROTOCOL_DEFAULT, uri: /e2}
  - match: [{uri: {exact: /f}}]
    redirect: {uri: /x, redirectCode: 304}
`,
    8080,
  );
  const acts = routes.map((r) => r.action);
  t.same(acts[0], {
    kind: 'redirect',
    schemeRedirect: null,
    hostRedirect: null,
    portRedirect: null,
    pathRedirect: '/new',
    prefixRewrite: null,
    regexRewrite: null,
    responseCode: 301,
    stripQuery: false,
  });
  t.match(acts[1], {
    schemeRedirect: 'https',
    hostRedirect: 'b.example',
    portRedirect: 8443,
    responseCode: 308,
  });
  t.match(acts[2], { portRedirect: 8080, schemeRedirect: 'http' });
  t.match(acts[3], { portRedirect: null, schemeRedirect: 'https' });
  t.match(acts[4], { portRedirect: null, pathRedirect: '/e2' });
  t.equal(routes.length, 5, 'an unsupported redirect code drops the route');
  t.same(warnings, [
    'spec.http[5].redirect.redirectCode: redirect code 304 is not supported (301, 302, 303, 307, 308); route dropped',
  ]);
  t.equal(routes[0]!.decoratorOperation, 'vs:8080/a');
});

t.test('direct response', async (t) => {
  const { routes } = translate(`  hosts: [a]
  http:
  - match: [{uri: {prefix: /down}}]
    directResponse: {status: 503, body: {string: maintenance}}
    headers:
      response: {set: {retry-after: "60"}}
  - directResponse: {status: 204}
`);
  t.same(routes[0]!.action, { kind: 'direct_response', status: 503, body: 'maintenance' });
  t.equal(routes[0]!.headers.responseHeadersToAdd[0]?.key, 'retry-after');
  t.same(routes[1]!.action, { kind: 'direct_response', status: 204, body: null });
});

t.test('mirrors: mirror + mirrorPercentage, mirrors[], 0 % means none', async (t) => {
  const { routes } = translate(`  hosts: [a]
  http:
  - match: [{uri: {prefix: /one}}]
    route:
    - destination: {host: a}
    mirror: {host: b, subset: shadow}
    mirrorPercentage: {value: 12.5}
  - match: [{uri: {prefix: /many}}]
    route:
    - destination: {host: a}
    mirrors:
    - destination: {host: b, port: {number: 9090}}
    - destination: {host: c}
      percentage: {value: 0.5}
    - destination: {host: d}
      percentage: {value: 0}
  - match: [{uri: {prefix: /zero}}]
    route:
    - destination: {host: a}
    mirror: {host: b}
    mirrorPercentage: {value: 0}
`);
  const [one, many, zero] = routes.map(forwardOf);
  t.same(one!.requestMirrorPolicies, [
    {
      cluster: `outbound|80|shadow|${B}`,
      fraction: { numerator: 125_000, denominator: 1_000_000 },
      disableShadowHostSuffixAppend: false,
    },
  ]);
  t.same(many!.requestMirrorPolicies, [
    {
      cluster: `outbound|9090||${B}`,
      fraction: { numerator: 100, denominator: 100 },
      disableShadowHostSuffixAppend: false,
    },
    {
      cluster: 'outbound|80||c.default.svc.cluster.local',
      fraction: { numerator: 5000, denominator: 1_000_000 },
      disableShadowHostSuffixAppend: false,
    },
  ]);
  t.equal(zero!.requestMirrorPolicies, undefined);
});

t.test('destinations resolve in the VirtualService namespace; the only service port is used', async (t) => {
  const { routes } = translate('  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n', 80, {
    servicePorts: { [A]: 9080 },
  });
  t.same(forwardOf(routes[0]).target, { kind: 'cluster', name: `outbound|9080||${A}` });
  t.equal(routes[0]!.decoratorOperation, `${A}:9080/*`);
});
