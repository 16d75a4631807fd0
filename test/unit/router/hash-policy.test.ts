import t from 'tap';
import { hashString } from '../../../lib/cluster/lb/hash.js';
import type { HashPolicyConfig, LbPolicy } from '../../../lib/config/model.js';
import { HeaderMap } from '../../../lib/http/header-map.js';
import {
  CompiledHashPolicy,
  cookieValue,
  type HashPolicyRequest,
  NO_ROUTE_LB_CONTEXT,
} from '../../../lib/router/hash-policy.js';
import { compileRouteTable } from '../../../lib/router/route-table.js';
import { seededRandom } from '../../../lib/util/random.js';
import { forward, prefix, route, routeConfig, vhost } from './fixtures.js';

interface ReqOpts {
  path?: string;
  authority?: string;
  headers?: [string, string][];
  remote?: string;
  local?: string;
}

function hreq(o: ReqOpts = {}): HashPolicyRequest {
  const requestHeaders = new HeaderMap((o.headers ?? []).flat());
  const path = o.path ?? '/';
  return {
    path,
    requestHeaders,
    downstreamRemoteAddress: o.remote ?? '10.1.2.3:40000',
    downstreamLocalAddress: o.local ?? '127.0.0.1:15001',
    header(name: string) {
      if (name === ':authority') return o.authority ?? 'example.com';
      if (name === ':path') return path;
      return requestHeaders.get(name);
    },
  };
}

const header = (headerName: string, p: Partial<HashPolicyConfig> = {}): HashPolicyConfig =>
  ({ kind: 'header', headerName, regexRewrite: null, terminal: false, ...p }) as HashPolicyConfig;
const cookie = (name: string, ttlSeconds: number | null, p: Record<string, unknown> = {}): HashPolicyConfig =>
  ({ kind: 'cookie', name, ttlSeconds, path: '', attributes: [], terminal: false, ...p }) as HashPolicyConfig;
const sourceIp = (terminal = false): HashPolicyConfig => ({ kind: 'source_ip', terminal });
const query = (name: string, terminal = false): HashPolicyConfig => ({
  kind: 'query_parameter',
  name,
  terminal,
});

function hashOf(policies: HashPolicyConfig[], r: HashPolicyRequest): number | null {
  return new CompiledHashPolicy(policies, 'route').evaluate(r).hash;
}

const rotXor = (a: number, b: number): number => (((a << 1) | (a >>> 31)) ^ b) >>> 0;

t.test('header: same value same hash, absent → the shared empty context', async (t) => {
  const p = new CompiledHashPolicy([header('x-user')], 'route');
  const a1 = p.evaluate(hreq({ headers: [['X-User', 'alice']] }));
  const a2 = p.evaluate(hreq({ headers: [['x-user', 'alice']], remote: '10.9.9.9:1' }));
  const b = p.evaluate(hreq({ headers: [['x-user', 'bob']] }));
  t.equal(a1.hash, hashString('alice'));
  t.equal(a1.hash, a2.hash, 'independent of the connection');
  t.not(a1.hash, b.hash);
  t.equal(a1.setCookies, null);
  t.equal(p.evaluate(hreq()), NO_ROUTE_LB_CONTEXT, 'no header → no hash, no allocation');
});

t.test('header: repeated lines hash independent of order; pseudo-headers; regex_rewrite', async (t) => {
  const multi = [header('x-tag')];
  const ab = hashOf(
    multi,
    hreq({
      headers: [
        ['x-tag', 'a'],
        ['x-tag', 'b'],
      ],
    }),
  );
  const ba = hashOf(
    multi,
    hreq({
      headers: [
        ['x-tag', 'b'],
        ['x-tag', 'a'],
      ],
    }),
  );
  t.equal(ab, ba);
  t.not(ab, hashString('a'));
  t.equal(hashOf([header(':authority')], hreq({ authority: 'shop.local' })), hashString('shop.local'));
  const rw = [header('x-session', { regexRewrite: { regex: '^(\\w+)-\\d+$', substitution: '\\1' } })];
  t.equal(
    hashOf(rw, hreq({ headers: [['x-session', 'alice-1']] })),
    hashOf(rw, hreq({ headers: [['x-session', 'alice-2']] })),
    'rewritten values hash alike',
  );
  t.equal(hashOf(rw, hreq({ headers: [['x-session', 'alice-1']] })), hashString('alice'));
});

t.test('cookie: present cookies hash their value (quotes stripped)', async (t) => {
  const p = [cookie('sticky', null)];
  t.equal(hashOf(p, hreq({ headers: [['cookie', 'a=1; sticky=abc; b=2']] })), hashString('abc'));
  t.equal(
    hashOf(
      p,
      hreq({
        headers: [
          ['cookie', 'a=1'],
          ['cookie', 'sticky="abc"'],
        ],
      }),
    ),
    hashString('abc'),
  );
  t.equal(hashOf(p, hreq({ headers: [['cookie', 'notsticky=abc']] })), null, 'name must match exactly');
  t.equal(hashOf(p, hreq()), null, 'absent without ttl → no hash, no cookie');
});

t.test('cookieValue follows Envoy parseCookieValue', async (t) => {
  t.equal(cookieValue(['a=1;b=2', 'b=3'], 'b'), '2', 'first match wins');
  t.equal(cookieValue(['  a=x=y'], 'a'), 'x=y');
  t.equal(cookieValue(['a='], 'a'), '');
  t.equal(cookieValue(['a="q"'], 'a'), 'q');
  t.equal(cookieValue(['a'], 'a'), null);
  t.equal(cookieValue([], 'a'), null);
});

t.test('cookie: absent with ttl → generated, Set-Cookie formatted as Envoy, sticky afterwards', async (t) => {
  const p = new CompiledHashPolicy(
    [
      cookie('sticky', 3600, {
        path: '/',
        attributes: [
          { name: 'SameSite', value: 'Lax' },
          { name: 'Secure', value: '' },
        ],
      }),
    ],
    'route',
  );
  const first = p.evaluate(hreq());
  t.equal(first.setCookies?.length, 1);
  const line = first.setCookies![0]!;
  const m = /^sticky="([0-9a-f]{16})"; Max-Age=3600; Path=\/; SameSite=Lax; Secure; HttpOnly$/.exec(line);
  t.ok(m !== null, line);
  const value = m![1]!;
  t.equal(first.hash, hashString(value), 'the generated value is what is hashed');
  const again = p.evaluate(hreq({ headers: [['cookie', `sticky="${value}"`]] }));
  t.equal(again.hash, first.hash, 'a client returning the cookie lands on the same hash');
  t.equal(again.setCookies, null, 'no new cookie once present');
  t.equal(p.evaluate(hreq()).setCookies![0], line, 'same connection → same generated cookie');
  t.not(
    p.evaluate(hreq({ remote: '10.1.2.3:40001' })).setCookies![0],
    line,
    'another connection → another cookie',
  );
  t.ok(
    p.evaluate(hreq({ headers: [['cookie', 'sticky=']] })).setCookies !== null,
    'empty value counts as absent',
  );

  const session = new CompiledHashPolicy([cookie('s', 0)], 'route').evaluate(hreq());
  t.match(session.setCookies![0], /^s="[0-9a-f]{16}"; HttpOnly$/, 'ttl 0 → session cookie without Max-Age');
});

t.test('source ip: the peer IP without its port', async (t) => {
  const p = [sourceIp()];
  t.equal(hashOf(p, hreq({ remote: '10.0.0.7:1111' })), hashString('10.0.0.7'));
  t.equal(hashOf(p, hreq({ remote: '10.0.0.7:2222' })), hashString('10.0.0.7'));
  t.equal(hashOf(p, hreq({ remote: '::1:2222' })), hashString('::1'), 'IPv6 as Node reports it');
  t.equal(hashOf(p, hreq({ remote: 'undefined:undefined' })), null, 'closed socket → no hash');
});

t.test('query parameter: first value, absent → none', async (t) => {
  const p = [query('user')];
  t.equal(hashOf(p, hreq({ path: '/a?x=1&user=bob&user=eve' })), hashString('bob'));
  t.equal(hashOf(p, hreq({ path: '/a?user' })), hashString(''), 'a key without "=" has the value ""');
  t.equal(hashOf(p, hreq({ path: '/a?users=1' })), null);
  t.equal(hashOf(p, hreq({ path: '/a' })), null);
});

t.test('combination rotates and xors in order; terminal stops once a hash exists', async (t) => {
  const r = hreq({ path: '/?q=v', headers: [['x-user', 'alice']], remote: '10.0.0.1:5' });
  const hUser = hashString('alice');
  const hQuery = hashString('v');
  const hIp = hashString('10.0.0.1');
  t.equal(hashOf([header('x-user'), query('q')], r), rotXor(hUser, hQuery));
  t.equal(hashOf([query('q'), header('x-user')], r), rotXor(hQuery, hUser), 'order matters');
  t.equal(hashOf([header('x-user'), header('x-user')], r), rotXor(hUser, hUser), 'duplicates do not cancel');
  t.not(rotXor(hUser, hUser), 0);
  t.equal(hashOf([header('x-missing'), query('q')], r), hQuery, 'a method without a value is skipped');
  t.equal(hashOf([header('x-user', { terminal: true }), sourceIp()], r), hUser, 'terminal with a hash stops');
  t.equal(
    hashOf([header('x-missing', { terminal: true }), sourceIp()], r),
    hIp,
    'terminal without a hash falls through',
  );
  t.equal(hashOf([query('q'), sourceIp(true), header('x-user')], r), rotXor(hQuery, hIp));
  t.equal(
    hashOf([{ kind: 'filter_state', key: 'k', terminal: true }, sourceIp()], r),
    hIp,
    'filter_state never yields a hash',
  );
});

t.test('CompiledRoute.lbContext hashes only for RING_HASH and MAGLEV clusters', async (t) => {
  const table = compileRouteTable(
    routeConfig([
      vhost(
        'v',
        ['*'],
        [
          route(prefix('/hashed'), forward('c', { hashPolicy: [header('x-user')] })),
          route(prefix('/'), forward('c')),
        ],
      ),
    ]),
    seededRandom(1),
  );
  const r = hreq({ path: '/hashed', headers: [['x-user', 'alice']] });
  const routeReq = {
    method: 'GET',
    path: r.path,
    authority: 'example.com',
    scheme: 'http',
    header: r.header,
  };
  const hashed = table.route(routeReq)!;
  const plain = table.route({ ...routeReq, path: '/other' })!;
  const cluster = (lbPolicy: LbPolicy) => ({ config: { lbPolicy } });
  t.equal(hashed.lbContext(r, cluster('RING_HASH')).hash, hashString('alice'));
  t.equal(hashed.lbContext(r, cluster('MAGLEV')).hash, hashString('alice'));
  for (const p of ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM'] as const) {
    t.equal(hashed.lbContext(r, cluster(p)), NO_ROUTE_LB_CONTEXT, `${p}: no hash computed (as Envoy)`);
  }
  t.equal(plain.lbContext(r, cluster('RING_HASH')), NO_ROUTE_LB_CONTEXT, 'no policy → shared context');
});
