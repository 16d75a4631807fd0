import t from 'tap';
import type {
  CorsFilterConfig,
  CorsPolicyConfig,
  HttpFilterPerRouteConfig,
  RouteConfiguration,
  StringMatcherConfig,
} from '../../../lib/config/model.js';
import { CorsFilterFactory } from '../../../lib/filters/cors/cors-filter.js';
import { FilterStatus, type HttpFilter, type RouterStream } from '../../../lib/filters/filter.js';
import { HeaderMap } from '../../../lib/http/header-map.js';
import type { ClusterPick, CompiledRoute } from '../../../lib/router/route.js';
import { compileRouteTable, type RouteTable } from '../../../lib/router/route-table.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import type { Random } from '../../../lib/util/random.js';
import { forward, NO_HEADERS, prefix, route, routeConfig, vhost } from '../router/fixtures.js';

const NAME = 'envoy.filters.http.cors';
const exact = (value: string): StringMatcherConfig => ({ kind: 'exact', value, ignoreCase: false });

function policy(p: Partial<CorsPolicyConfig> = {}): HttpFilterPerRouteConfig {
  return {
    kind: 'cors',
    policy: {
      allowOrigins: [],
      allowMethods: '',
      allowHeaders: '',
      exposeHeaders: '',
      maxAge: '',
      allowCredentials: null,
      allowPrivateNetworkAccess: null,
      forwardNotMatchingPreflights: true,
      filterEnabled: { numerator: 100, denominator: 100 },
      shadowEnabled: null,
      ...p,
    },
  };
}

/** Scripted draws: `int()` returns the queued values in order (and fails the test when empty). */
class ScriptedRandom implements Random {
  draws: number[] = [];
  constructor(private readonly queue: number[] = []) {}
  next(): number {
    return 0;
  }
  int(n: number): number {
    this.draws.push(n);
    const v = this.queue.shift();
    if (v === undefined) throw new Error('unexpected random draw');
    return v;
  }
}

interface Reply {
  status: number;
  body: string;
  flag: number;
  details: string;
  headers: HeaderMap;
}

/** The parts of RouterStream the CORS filter uses, routing through a real RouteTable. */
class FakeStream {
  readonly authority = 'example.com';
  readonly scheme = 'http';
  readonly requestHeaders: HeaderMap;
  readonly replies: Reply[] = [];
  private pick: ClusterPick | null | undefined;
  constructor(
    readonly method: string,
    readonly path: string,
    headers: Record<string, string>,
    private readonly table: RouteTable,
  ) {
    this.requestHeaders = new HeaderMap(Object.entries(headers).flat());
  }
  header(name: string): string | undefined {
    return name === ':path' ? this.path : this.requestHeaders.get(name);
  }
  sendLocalReply(
    status: number,
    body: string,
    flag: number,
    details: string,
    extra?: readonly string[],
  ): void {
    this.replies.push({ status, body, flag, details, headers: new HeaderMap([...(extra ?? [])]) });
  }
  route(): CompiledRoute | null {
    return this.table.route(this);
  }
  clusterPick(): ClusterPick | null {
    if (this.pick === undefined) this.pick = this.route()?.pickCluster(this) ?? null;
    return this.pick;
  }
  asRouter(): RouterStream {
    return this as unknown as RouterStream;
  }
}

function setup(rc: RouteConfiguration, draws: number[] = []) {
  const stats = new StatsRegistry();
  const cs = stats.corsStats('test');
  const random = new ScriptedRandom(draws);
  const table = compileRouteTable(rc, random);
  const cfg: CorsFilterConfig = { kind: 'cors', name: NAME };
  const factory = new CorsFilterFactory(cfg, rc, table, { stats: cs, random });
  const stream = (method: string, path: string, headers: Record<string, string> = {}) =>
    new FakeStream(method, path, headers, table);
  const create = (s: FakeStream): HttpFilter | null => factory.create(s.asRouter());
  /** Runs the filter as the stream would: decode, then encode on the reply (local or upstream). */
  const run = (s: FakeStream, upstream: string[] = []) => {
    const f = create(s);
    if (f === null) return null;
    const status = f.decodeHeaders(s.asRouter());
    const reply = s.replies[0];
    const headers = reply?.headers ?? new HeaderMap(upstream);
    f.encodeHeaders?.(s.asRouter(), reply?.status ?? 200, headers);
    return { status, reply, headers: Object.fromEntries(pairs(headers.flat())) };
  };
  return { cs, random, stream, create, run };
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** One forwarding route carrying `p` (plus a direct-response route for /direct). */
function oneRoute(p: HttpFilterPerRouteConfig): RouteConfiguration {
  return routeConfig([
    vhost(
      'all',
      ['*'],
      [
        route(
          prefix('/direct'),
          { kind: 'direct_response', status: 204, body: null },
          {
            typedPerFilterConfig: { [NAME]: p },
          },
        ),
        route(prefix('/'), forward('svc'), { typedPerFilterConfig: { [NAME]: p } }),
      ],
    ),
  ]);
}

const ORIGIN = 'https://a.example';
const FULL = policy({
  allowOrigins: [exact(ORIGIN)],
  allowMethods: 'GET,PUT',
  allowHeaders: 'content-type,x-a',
  exposeHeaders: 'x-exposed',
  maxAge: '600',
  allowCredentials: true,
});

t.test('no policy on any route: nothing is created', async (t) => {
  const { stream, create } = setup(routeConfig([vhost('all', ['*'], [route(prefix('/'), forward('svc'))])]));
  t.equal(create(stream('GET', '/', { origin: ORIGIN })), null);
});

t.test('no or empty Origin: untouched and not counted', async (t) => {
  const { cs, stream, create } = setup(oneRoute(FULL));
  t.equal(create(stream('GET', '/')), null);
  t.equal(create(stream('OPTIONS', '/', { origin: '', 'access-control-request-method': 'GET' })), null);
  t.equal(cs.originValid.value + cs.originInvalid.value, 0);
});

t.test('an actual request from an allowed origin: response headers added', async (t) => {
  const { cs, stream, run } = setup(oneRoute(FULL));
  const r = run(stream('GET', '/x', { origin: ORIGIN }), ['access-control-allow-origin', '*', 'x-up', '1'])!;
  t.equal(r.status, FilterStatus.Continue);
  t.same(r.headers, {
    'access-control-allow-origin': ORIGIN,
    'x-up': '1',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'x-exposed',
  });
  t.equal(cs.originValid.value, 1);
});

t.test('an actual request from another origin: untouched, counted invalid', async (t) => {
  const { cs, stream, create } = setup(oneRoute(FULL));
  t.equal(create(stream('GET', '/', { origin: 'https://evil.example' })), null);
  t.equal(cs.originInvalid.value, 1);
  t.equal(cs.originValid.value, 0);
});

t.test('a preflight from an allowed origin is answered locally', async (t) => {
  const { stream, run } = setup(oneRoute(FULL));
  const r = run(stream('OPTIONS', '/x', { origin: ORIGIN, 'access-control-request-method': 'PUT' }))!;
  t.equal(r.status, FilterStatus.Stop);
  t.match(r.reply, { status: 200, body: '', flag: 0, details: 'cors_response' });
  t.same(r.headers, {
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET,PUT',
    'access-control-allow-headers': 'content-type,x-a',
    'access-control-max-age': '600',
    'access-control-allow-origin': ORIGIN,
    'access-control-expose-headers': 'x-exposed',
  });
});

t.test('OPTIONS without Access-Control-Request-Method is an actual request', async (t) => {
  const { stream, run } = setup(oneRoute(FULL));
  const r = run(stream('OPTIONS', '/', { origin: ORIGIN }))!;
  t.equal(r.status, FilterStatus.Continue);
  t.equal(r.headers['access-control-allow-origin'], ORIGIN);
});

t.test('"*" echoes the requested method and headers; private network access', async (t) => {
  const p = policy({
    allowOrigins: [exact(ORIGIN)],
    allowMethods: '*',
    allowHeaders: '*',
    allowPrivateNetworkAccess: true,
  });
  const { stream, run } = setup(oneRoute(p));
  const req = {
    origin: ORIGIN,
    'access-control-request-method': 'PATCH',
    'access-control-request-headers': 'x-b',
  };
  const r = run(stream('OPTIONS', '/', { ...req, 'access-control-request-private-network': 'true' }))!;
  t.same(r.headers, {
    'access-control-allow-methods': 'PATCH',
    'access-control-allow-headers': 'x-b',
    'access-control-allow-private-network': 'true',
    'access-control-allow-origin': ORIGIN,
  });
  const noPna = run(stream('OPTIONS', '/', req))!;
  t.notOk('access-control-allow-private-network' in noPna.headers, 'only when the request asks');
  const off = setup(oneRoute(policy({ allowOrigins: [exact(ORIGIN)] })));
  const r2 = off.run(
    off.stream('OPTIONS', '/', { ...req, 'access-control-request-private-network': 'true' }),
  )!;
  t.same(r2.headers, { 'access-control-allow-origin': ORIGIN }, 'not allowed: nothing but the origin');
});

t.test('a preflight from another origin: forwarded by default, else a bare 200', async (t) => {
  const pre = { origin: 'https://evil.example', 'access-control-request-method': 'GET' };
  const fwd = setup(oneRoute(FULL));
  t.equal(fwd.create(fwd.stream('OPTIONS', '/', pre)), null, 'forward_not_matching_preflights: true');
  t.equal(fwd.cs.originInvalid.value, 1);
  const local = setup(
    oneRoute(policy({ ...(FULL.kind === 'cors' ? FULL.policy : {}), forwardNotMatchingPreflights: false })),
  );
  const r = local.run(local.stream('OPTIONS', '/', pre))!;
  t.equal(r.status, FilterStatus.Stop);
  t.match(r.reply, { status: 200, body: '', details: 'cors_response' });
  t.same(
    r.headers,
    {
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET,PUT',
      'access-control-allow-headers': 'content-type,x-a',
      'access-control-max-age': '600',
    },
    'as Envoy: no access-control-allow-origin, so the browser fails the preflight',
  );
});

t.test('origin matchers: exact, prefix, suffix, regex, ignore_case, and "*"', async (t) => {
  const p = policy({
    allowOrigins: [
      exact('https://exact.example'),
      { kind: 'prefix', value: 'https://pre.', ignoreCase: false },
      { kind: 'suffix', value: '.SUF.example', ignoreCase: true },
      { kind: 'safe_regex', regex: 'https://[a-z]+\\.re\\.example', ignoreCase: false },
    ],
  });
  const { stream, create } = setup(oneRoute(p));
  const allowed = (origin: string) => create(stream('GET', '/', { origin })) !== null;
  t.ok(allowed('https://exact.example'));
  t.notOk(allowed('https://exact.example.evil'), 'exact is exact');
  t.ok(allowed('https://pre.anything'));
  t.ok(allowed('https://x.suf.example'), 'ignore_case');
  t.ok(allowed('https://abc.re.example'));
  t.notOk(allowed('https://abc.re.example.evil'), 'regexes match the whole origin');
  t.notOk(allowed('http://other'));
  const star = setup(
    oneRoute(policy({ allowOrigins: [{ kind: 'safe_regex', regex: '.*', ignoreCase: false }] })),
  );
  t.ok(star.create(star.stream('GET', '/', { origin: 'https://any.example' })) !== null);
  const literal = setup(oneRoute(policy({ allowOrigins: [exact('*')] })));
  t.ok(
    literal.create(literal.stream('GET', '/', { origin: 'https://any.example' })) !== null,
    'exact "*" allows all',
  );
  const none = setup(oneRoute(policy()));
  t.equal(none.create(none.stream('GET', '/', { origin: ORIGIN })), null, 'no origins: none allowed');
});

t.test('redirect and direct-response routes are skipped, as in Envoy', async (t) => {
  const { cs, stream, create } = setup(oneRoute(FULL));
  t.equal(
    create(stream('OPTIONS', '/direct', { origin: ORIGIN, 'access-control-request-method': 'GET' })),
    null,
  );
  t.equal(cs.originValid.value, 0);
});

t.test('filter_enabled and shadow_enabled', async (t) => {
  const half = { numerator: 50, denominator: 100 } as const;
  const sampled = setup(oneRoute(policy({ allowOrigins: [exact(ORIGIN)], filterEnabled: half })), [49, 50]);
  t.ok(sampled.create(sampled.stream('GET', '/', { origin: ORIGIN })) !== null, 'draw 49 < 50: enabled');
  t.equal(sampled.create(sampled.stream('GET', '/', { origin: ORIGIN })), null, 'draw 50: off');
  t.same(sampled.random.draws, [100, 100]);
  t.equal(sampled.cs.originValid.value, 1, 'a disabled request without shadow is not counted');

  const shadow = setup(
    oneRoute(
      policy({
        allowOrigins: [exact(ORIGIN)],
        filterEnabled: { numerator: 0, denominator: 100 },
        shadowEnabled: { numerator: 100, denominator: 100 },
        forwardNotMatchingPreflights: false,
      }),
    ),
  );
  const pre = { 'access-control-request-method': 'GET' };
  t.equal(
    shadow.create(shadow.stream('OPTIONS', '/', { origin: ORIGIN, ...pre })),
    null,
    'shadow never answers',
  );
  t.equal(shadow.create(shadow.stream('OPTIONS', '/', { origin: 'https://x', ...pre })), null);
  t.equal(shadow.cs.originValid.value, 1, 'shadow counts');
  t.equal(shadow.cs.originInvalid.value, 1);

  const both = setup(
    oneRoute(policy({ allowOrigins: [exact(ORIGIN)], shadowEnabled: { numerator: 100, denominator: 100 } })),
  );
  t.ok(both.create(both.stream('GET', '/', { origin: ORIGIN })) !== null, 'filter_enabled wins over shadow');
});

t.test('policies at several levels merge per setting, most specific first', async (t) => {
  const vhostPolicy = policy({
    allowOrigins: [exact(ORIGIN)],
    allowMethods: 'GET',
    exposeHeaders: 'x-vh',
    allowCredentials: true,
  });
  const weighted = forward('svc', {
    target: {
      kind: 'weighted',
      clusters: [
        {
          name: 'w',
          weight: 1,
          headers: NO_HEADERS,
          hostRewriteLiteral: null,
          typedPerFilterConfig: { [NAME]: policy({ allowOrigins: [exact('https://w.example')] }) },
        },
      ],
    },
  });
  const rc = routeConfig(
    [
      vhost(
        'all',
        ['*'],
        [
          route(prefix('/route'), forward('svc'), {
            typedPerFilterConfig: { [NAME]: policy({ allowMethods: 'POST', allowCredentials: false }) },
          }),
          route(prefix('/origins'), forward('svc'), {
            typedPerFilterConfig: { [NAME]: policy({ allowOrigins: [exact('https://b.example')] }) },
          }),
          route(prefix('/off'), forward('svc'), { typedPerFilterConfig: { [NAME]: { kind: 'disabled' } } }),
          route(prefix('/weighted'), weighted),
          route(prefix('/'), forward('svc')),
        ],
        { typedPerFilterConfig: { [NAME]: vhostPolicy } },
      ),
    ],
    { typedPerFilterConfig: { [NAME]: policy({ maxAge: '60' }) } },
  );
  const { stream, run, create } = setup(rc, [0, 0]);
  const pre = (path: string, origin = ORIGIN) =>
    run(stream('OPTIONS', path, { origin, 'access-control-request-method': 'GET' }))?.headers;
  t.same(
    pre('/route'),
    {
      'access-control-allow-methods': 'POST',
      'access-control-max-age': '60',
      'access-control-allow-origin': ORIGIN,
      'access-control-expose-headers': 'x-vh',
    },
    'route methods and credentials; vhost origins and expose; route-config max_age',
  );
  t.equal(pre('/origins'), undefined, 'a route origin list replaces the vhost one (forwarded)');
  t.equal(pre('/origins', 'https://b.example')?.['access-control-allow-methods'], 'GET');
  t.equal(create(stream('GET', '/off', { origin: ORIGIN })), null, 'FilterConfig disabled');
  t.equal(pre('/weighted'), undefined, 'the weighted cluster policy wins');
  t.equal(pre('/weighted', 'https://w.example')?.['access-control-allow-origin'], 'https://w.example');
  t.same(pre('/plain'), {
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET',
    'access-control-max-age': '60',
    'access-control-allow-origin': ORIGIN,
    'access-control-expose-headers': 'x-vh',
  });
});
