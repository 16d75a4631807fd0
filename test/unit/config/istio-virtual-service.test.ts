import t from 'tap';
import { issuesOf, one } from './istio-fixtures.js';

t.test('defaults: a minimal VirtualService', async (t) => {
  const vs = one(
    'VirtualService',
    '  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews}\n',
  );
  t.equal(vs.metadata.namespace, 'default');
  t.same(vs.spec.gateways, []);
  t.same(vs.spec.exportTo, []);
  t.same(vs.spec.tcp, []);
  const h = vs.spec.http[0]!;
  t.same(h.match, []);
  t.same(h.route, [{ destination: { host: 'reviews', subset: '', port: null }, weight: 0, headers: null }]);
  t.equal(h.timeoutMs, null, 'no timeout: istiod disables it');
  t.equal(h.retries, null, 'no retries: istiod applies the mesh default');
  t.equal(h.redirect, null);
  t.equal(h.mirrorPercentage, null);
});

t.test('a full HTTP route', async (t) => {
  const vs = one(
    'VirtualService',
    `  hosts: [reviews.prod.svc.cluster.local, "*.example.com"]
  gateways: [mesh, istio-system/ingress]
  exportTo: [".", other]
  http:
  - name: canary
    match:
    - name: m1
      uri: {prefix: /api}
      method: {exact: GET}
      authority: {regex: "a.*\\\\.com"}
      headers:
        x-canary: {exact: "yes"}
        x-any: {}
      withoutHeaders:
        x-debug: {regex: "*"}
      queryParams:
        v: {prefix: "2"}
      port: 9080
      ignoreUriCase: true
      sourceLabels: {app: web}
      sourceNamespace: front
      gateways: [mesh]
    route:
    - destination: {host: reviews, subset: v1, port: {number: 9080}}
      weight: 95
      headers:
        request: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}
        response: {remove: [x-d]}
    - destination: {host: reviews, subset: v2}
      weight: 5
    rewrite: {uri: /v2}
    timeout: 1m30s
    retries:
      attempts: 3
      perTryTimeout: 500ms
      retryOn: 5xx,connect-failure,503
      retryRemoteLocalities: true
      retryIgnorePreviousHosts: false
    fault:
      delay: {fixedDelay: 0.5s, percentage: {value: 10}}
      abort: {grpcStatus: UNAVAILABLE, percentage: {value: 0.5}}
    mirror: {host: shadow}
    mirrorPercentage: {value: 12.5}
    corsPolicy:
      allowOrigins: [{exact: "https://a.example"}]
      allowMethods: [GET, POST]
      allowHeaders: [x-a]
      maxAge: 24h
      allowCredentials: true
    headers:
      response: {set: {x-served-by: skiff}}
  - redirect: {uri: /new, redirectCode: 302}
  - directResponse: {status: 503, body: {string: down}}
  - delegate: {name: child}
`,
  );
  t.equal(vs.spec.http.length, 4);
  const h = vs.spec.http[0]!;
  const m = h.match[0]!;
  t.same(m.uri, { type: 'prefix', value: '/api' });
  t.same(m.headers, { 'x-canary': { type: 'exact', value: 'yes' }, 'x-any': { type: 'any', value: '' } });
  t.same(m.withoutHeaders, { 'x-debug': { type: 'regex', value: '*' } });
  t.same(m.queryParams, { v: { type: 'prefix', value: '2' } });
  t.equal(m.port, 9080);
  t.equal(m.ignoreUriCase, true);
  t.same(m.sourceLabels, { app: 'web' });
  t.same(
    h.route.map((r) => [r.destination.subset, r.destination.port, r.weight]),
    [
      ['v1', 9080, 95],
      ['v2', null, 5],
    ],
  );
  t.same(h.route[0]!.headers, {
    request: { set: { 'x-a': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] },
    response: { set: {}, add: {}, remove: ['x-d'] },
  });
  t.same(h.rewrite, { uri: '/v2', authority: '', uriRegexRewrite: null });
  t.equal(h.timeoutMs, 90_000);
  t.same(h.retries, {
    attempts: 3,
    perTryTimeoutMs: 500,
    retryOn: '5xx,connect-failure,503',
    retryRemoteLocalities: true,
    retryIgnorePreviousHosts: false,
    backoffMs: null,
  });
  t.same(h.fault, {
    delay: { fixedDelayMs: 500, percentage: 10 },
    abort: { httpStatus: 0, grpcStatus: 'UNAVAILABLE', percentage: 0.5 },
  });
  t.same(h.mirror, { host: 'shadow', subset: '', port: null });
  t.equal(h.mirrorPercentage, 12.5);
  t.equal(h.corsPolicy?.maxAgeMs, 86_400_000);
  t.same(h.headers?.response.set, { 'x-served-by': 'skiff' });
  t.same(vs.spec.http[1]!.redirect, {
    uri: '/new',
    authority: '',
    port: null,
    derivePort: null,
    scheme: '',
    redirectCode: 302,
  });
  t.same(vs.spec.http[2]!.directResponse, { status: 503, body: 'down' });
  t.same(vs.spec.http[3]!.delegate, { name: 'child', namespace: 'default' });
});

t.test('snake_case field names are accepted too', async (t) => {
  const vs = one(
    'VirtualService',
    '  hosts: [a]\n  http:\n  - route: [{destination: {host: a}}]\n    retries: {attempts: 1, per_try_timeout: 2s}\n',
  );
  t.equal(vs.spec.http[0]!.retries?.perTryTimeoutMs, 2000);
});

t.test('TCP and TLS routes', async (t) => {
  const vs = one(
    'VirtualService',
    `  hosts: [db.example.com]
  tcp:
  - match: [{port: 5432, destinationSubnets: [10.0.0.0/8]}]
    route: [{destination: {host: db, port: {number: 5432}}}]
  tls:
  - match: [{port: 443, sniHosts: [db.example.com]}]
    route: [{destination: {host: db}, weight: 100}]
`,
  );
  t.same(vs.spec.tcp[0]!.match[0]!.destinationSubnets, ['10.0.0.0/8']);
  t.same(vs.spec.tls[0]!.match[0]!.sniHosts, ['db.example.com']);
});

t.test('bad input: one issue per problem, with the field path', async (t) => {
  const route = '  hosts: [a]\n  http:\n  - route: [{destination: {host: a}}]\n';
  const cases: [string, string, string[]][] = [
    ['no spec fields', '  {}\n', ['spec: a VirtualService needs http, tcp or tls routes']],
    ['unknown field', `${route}    bogus: 1\n`, ['spec.http[0]: unknown field "bogus"']],
    [
      'negative weight',
      '  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 10\n    - destination: {host: b}\n      weight: -1\n',
      ['spec.http[0].route[1].weight: -1 is out of range; must be 0–2147483647'],
    ],
    [
      'several destinations with total weight 0',
      '  hosts: [a]\n  http:\n  - route: [{destination: {host: a}}, {destination: {host: b}}]\n',
      ['spec.http[0].route: the total weight of several destinations must be greater than 0'],
    ],
    [
      'weight not an integer',
      '  hosts: [a]\n  http:\n  - route: [{destination: {host: a}, weight: 1.5}]\n',
      ['spec.http[0].route[0].weight: expected an integer, got a number (1.5)'],
    ],
    [
      'route and redirect',
      `${route}    redirect: {uri: /x}\n`,
      [
        'spec.http[0]: only one of route, redirect, directResponse, delegate may be set (found route and redirect)',
      ],
    ],
    [
      'no action',
      '  hosts: [a]\n  http:\n  - timeout: 1s\n',
      ['spec.http[0]: one of route, redirect, directResponse or delegate is required'],
    ],
    [
      'empty route list',
      '  hosts: [a]\n  http:\n  - route: []\n',
      ['spec.http[0].route: must contain at least one destination'],
    ],
    [
      'missing destination host',
      '  hosts: [a]\n  http:\n  - route: [{destination: {subset: v1}}]\n',
      ['spec.http[0].route[0].destination: missing required field "host"'],
    ],
    [
      'bad subset name',
      '  hosts: [a]\n  http:\n  - route: [{destination: {host: a, subset: V_1}}]\n',
      ['spec.http[0].route[0].destination.subset: invalid subset name "V_1"'],
    ],
    [
      'port out of range',
      '  hosts: [a]\n  http:\n  - route: [{destination: {host: a, port: {number: 70000}}}]\n',
      ['spec.http[0].route[0].destination.port.number: 70000 is out of range; must be 1–65535'],
    ],
    [
      'mesh wildcard host',
      '  hosts: ["*"]\n  http:\n  - route: [{destination: {host: a}}]\n',
      ['spec.hosts: wildcard host "*" is not allowed for VirtualServices bound to the mesh'],
    ],
    [
      'timeout in ms without unit',
      `${route}    timeout: 10\n`,
      [
        'spec.http[0].timeout: invalid duration: expected a string such as "10s" or "500ms", got a number (10)',
      ],
    ],
    [
      'timeout zero',
      `${route}    timeout: 0s\n`,
      ['spec.http[0].timeout: duration must be at least 1ms, got "0s"'],
    ],
    [
      'timeout bad unit',
      `${route}    timeout: 10d\n`,
      [
        'spec.http[0].timeout: invalid duration "10d": expected a number and a unit (h, m, s, ms, us, ns) such as "10s" or "1m30s"',
      ],
    ],
    [
      'sub-millisecond',
      `${route}    timeout: 1500us\n`,
      ['spec.http[0].timeout: only millisecond precision is supported, got "1500us"'],
    ],
    [
      'two StringMatch kinds',
      `  hosts: [a]\n  http:\n  - match: [{uri: {exact: /a, prefix: /b}}]\n    route: [{destination: {host: a}}]\n`,
      ['spec.http[0].match[0].uri: only one of exact, prefix, regex may be set (found exact and prefix)'],
    ],
    [
      'empty header prefix',
      `  hosts: [a]\n  http:\n  - match: [{headers: {x-a: {prefix: ""}}}]\n    route: [{destination: {host: a}}]\n`,
      ['spec.http[0].match[0].headers.x-a.prefix: a prefix match must not be empty'],
    ],
    [
      'bad regex',
      `  hosts: [a]\n  http:\n  - match: [{uri: {regex: "(a"}}]\n    route: [{destination: {host: a}}]\n`,
      ['spec.http[0].match[0].uri.regex: invalid regex "(a": Unterminated group'],
    ],
    [
      'bad header name',
      `  hosts: [a]\n  http:\n  - match: [{headers: {"x a": {exact: b}}}]\n    route: [{destination: {host: a}}]\n`,
      ['spec.http[0].match[0].headers.x a: header name "x a" is not a valid header name'],
    ],
    [
      'JWT claim on the mesh',
      `  hosts: [a]\n  http:\n  - match: [{headers: {"@request.auth.claims.sub": {exact: b}}}]\n    route: [{destination: {host: a}}]\n`,
      [
        'spec.http[0].match[0].headers.@request.auth.claims.sub: JWT claim based routing (@request.auth.claims.sub) is only supported for gateways',
      ],
    ],
    [
      'retries: attempts 0 with settings',
      `${route}    retries: {perTryTimeout: 1s}\n`,
      ['spec.http[0].retries: retry settings are given but attempts is 0 (retries disabled)'],
    ],
    [
      'retries: bad retryOn',
      `${route}    retries: {attempts: 1, retryOn: "5xx,oops"}\n`,
      ['spec.http[0].retries.retryOn: "oops" is not a valid retryOn policy'],
    ],
    [
      'fault without delay or abort',
      `${route}    fault: {}\n`,
      ['spec.http[0].fault: a fault needs an abort and/or a delay'],
    ],
    [
      'fault percentage over 100',
      `${route}    fault: {abort: {httpStatus: 503, percentage: {value: 101}}}\n`,
      ['spec.http[0].fault.abort.percentage.value: 101 is out of range; must be 0–100'],
    ],
    [
      'fault status out of range',
      `${route}    fault: {abort: {httpStatus: 700}}\n`,
      ['spec.http[0].fault.abort.httpStatus: 700 is out of range; must be 200–599'],
    ],
    [
      'unknown gRPC status',
      `${route}    fault: {abort: {grpcStatus: NOPE}}\n`,
      ['spec.http[0].fault.abort.grpcStatus: unknown gRPC status "NOPE"; use a name such as UNAVAILABLE'],
    ],
    [
      'fault with redirect',
      '  hosts: [a]\n  http:\n  - redirect: {uri: /x}\n    fault: {abort: {httpStatus: 503}}\n',
      ['spec.http[0].fault: cannot be combined with redirect'],
    ],
    [
      'redirect code',
      '  hosts: [a]\n  http:\n  - redirect: {uri: /x, redirectCode: 200}\n',
      ['spec.http[0].redirect.redirectCode: 200 is not a 3xx redirect code'],
    ],
    [
      'empty redirect',
      '  hosts: [a]\n  http:\n  - redirect: {redirectCode: 301}\n',
      [
        'spec.http[0].redirect: a redirect must set at least one of uri, authority, scheme, port or derivePort',
      ],
    ],
    [
      'direct response without status',
      '  hosts: [a]\n  http:\n  - directResponse: {body: {string: x}}\n',
      ['spec.http[0].directResponse: missing required field "status"'],
    ],
    [
      'rewrite uri and regex',
      `${route}    rewrite: {uri: /a, uriRegexRewrite: {match: "^/b", rewrite: /c}}\n`,
      ['spec.http[0].rewrite: only one of uri and uriRegexRewrite may be set'],
    ],
    [
      'mirror and mirrors',
      `${route}    mirror: {host: m}\n    mirrors: [{destination: {host: n}}]\n`,
      ['spec.http[0]: only one of mirror and mirrors may be set'],
    ],
    [
      'mirror percentage',
      `${route}    mirrorPercentage: {value: 150}\n`,
      ['spec.http[0].mirrorPercentage.value: 150 is out of range; must be 0–100'],
    ],
    [
      'deprecated mirrorPercent',
      `${route}    mirrorPercent: 50\n`,
      ['spec.http[0].mirrorPercent: mirrorPercent is not supported yet (deprecated; use mirrorPercentage)'],
    ],
    [
      'authority set twice',
      `${route}    rewrite: {authority: b}\n    headers: {request: {set: {host: c}}}\n`,
      ['spec.http[0].headers: the authority is set more than once (rewrite.authority and headers.request)'],
    ],
    [
      'pseudo-header op',
      `${route}    headers: {request: {set: {":path": /x}}}\n`,
      ['spec.http[0].headers.request.set.:path: invalid header ":path": header cannot have ":" prefix'],
    ],
    [
      'CORS method',
      `${route}    corsPolicy: {allowMethods: [FETCH]}\n`,
      ['spec.http[0].corsPolicy.allowMethods: "FETCH" is not a supported HTTP method'],
    ],
    [
      'bad gateway reference',
      '  hosts: [a]\n  gateways: ["ns/"]\n  http:\n  - route: [{destination: {host: a}}]\n',
      ['spec.gateways: invalid gateway "ns/": namespace and name must not be empty'],
    ],
    [
      'delegate of a delegate',
      '  http:\n  - delegate: {name: b}\n',
      ['spec.http[0].delegate: a delegate VirtualService cannot delegate again'],
    ],
    [
      'TLS route without sniHosts',
      '  hosts: [a]\n  tls:\n  - match: [{port: 443}]\n    route: [{destination: {host: a}}]\n',
      ['spec.tls[0].match[0]: a TLS match needs at least one sniHosts entry'],
    ],
    [
      'exportTo mix',
      `${route}  exportTo: ["*", "."]\n`,
      ['spec.exportTo: cannot mix "*" with other entries'],
    ],
  ];
  for (const [name, body, expected] of cases) t.same(issuesOf('VirtualService', body), expected, name);
});
