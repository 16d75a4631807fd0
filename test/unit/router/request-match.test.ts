import t from 'tap';
import type {
  HeaderMatcherConfig,
  QueryParameterMatcherConfig,
  StringMatcherConfig,
} from '../../../lib/config/model.js';
import { CompiledHeaderMatcher } from '../../../lib/router/header-matcher.js';
import { firstQueryValue } from '../../../lib/router/query-matcher.js';
import { compileRouteTable } from '../../../lib/router/route-table.js';
import { seededRandom } from '../../../lib/util/random.js';
import { forward, headerMatcher, match, prefix, req, route, routeConfig, vhost } from './fixtures.js';

function hm(cfg: HeaderMatcherConfig): (v: string | undefined) => boolean {
  const m = new CompiledHeaderMatcher(cfg, 'h');
  return (v) => m.matches(v);
}
const str = (s: StringMatcherConfig): HeaderMatcherConfig['match'] => ({ kind: 'string', matcher: s });

t.test('string matchers, case-sensitive and ignore_case', async (t) => {
  const exact = hm(headerMatcher('x', str({ kind: 'exact', value: 'Foo', ignoreCase: false })));
  t.ok(exact('Foo'));
  t.notOk(exact('foo'));
  t.notOk(exact('Foo2'));
  const exactI = hm(headerMatcher('x', str({ kind: 'exact', value: 'Foo', ignoreCase: true })));
  t.ok(exactI('fOO'));
  t.notOk(exactI('fOO2'));
  const pre = hm(headerMatcher('x', str({ kind: 'prefix', value: 'Ab', ignoreCase: false })));
  t.ok(pre('Abc'));
  t.notOk(pre('abc'));
  t.ok(hm(headerMatcher('x', str({ kind: 'prefix', value: 'Ab', ignoreCase: true })))('aBc'));
  const suf = hm(headerMatcher('x', str({ kind: 'suffix', value: '.COM', ignoreCase: true })));
  t.ok(suf('x.com'));
  t.notOk(suf('com'));
  t.notOk(hm(headerMatcher('x', str({ kind: 'suffix', value: '.COM', ignoreCase: false })))('x.com'));
  const con = hm(headerMatcher('x', str({ kind: 'contains', value: 'MiD', ignoreCase: true })));
  t.ok(con('aamidbb'));
  t.notOk(con('aam-idbb'));
  t.notOk(hm(headerMatcher('x', str({ kind: 'contains', value: 'MiD', ignoreCase: false })))('amidb'));
  const re = hm(headerMatcher('x', str({ kind: 'safe_regex', regex: '\\d{3}', ignoreCase: true })));
  t.ok(re('123'));
  t.notOk(re('1234'), 'regex is a full match');
});

t.test('present, range, invert and missing-header rules', async (t) => {
  const present = hm(headerMatcher('x', { kind: 'present', present: true }));
  t.ok(present('anything'));
  t.ok(present(''));
  t.notOk(present(undefined));
  const absent = hm(headerMatcher('x', { kind: 'present', present: false }));
  t.ok(absent(undefined));
  t.notOk(absent('v'));
  t.ok(
    hm(headerMatcher('x', { kind: 'present', present: true }, { invert: true }))(undefined),
    'inverted presence matches a missing header',
  );
  t.notOk(hm(headerMatcher('x', { kind: 'present', present: false }, { invert: true }))(undefined));

  const range = hm(headerMatcher('x', { kind: 'range', start: -10, end: 0 }));
  t.ok(range('-1'));
  t.ok(range('-10'));
  t.notOk(range('0'), 'end is exclusive');
  t.notOk(range('1.5'));
  t.notOk(range('abc'));
  t.ok(range(' -3 '), 'SimpleAtoi allows surrounding whitespace');
  t.notOk(range('99999999999999999999'), 'int64 overflow is not an integer');
  const rangeInv = hm(headerMatcher('x', { kind: 'range', start: -10, end: 0 }, { invert: true }));
  t.notOk(rangeInv('-1'));
  t.ok(rangeInv('5'));

  const re = str({ kind: 'safe_regex', regex: '\\d{3}', ignoreCase: false });
  t.ok(
    hm(headerMatcher('x', re, { invert: true }))('1234'),
    '\\d{3} does not match 1234, so inverted it matches',
  );
  t.notOk(
    hm(headerMatcher('x', re, { invert: true }))(undefined),
    'missing header never matches, even inverted',
  );
  t.notOk(hm(headerMatcher('x', str({ kind: 'exact', value: '', ignoreCase: false })))(undefined));
  const empty = hm(
    headerMatcher('x', str({ kind: 'exact', value: '', ignoreCase: false }), { treatMissingAsEmpty: true }),
  );
  t.ok(empty(undefined), 'treat_missing_header_as_empty matches as ""');
  t.ok(
    hm(headerMatcher('x', { kind: 'range', start: 0, end: 10 }, { invert: true, treatMissingAsEmpty: true }))(
      undefined,
    ),
    'empty is not in range, so inverted it matches',
  );
});

t.test('route header matchers read pseudo-headers and all must match', async (t) => {
  const table = compileRouteTable(
    routeConfig([
      vhost(
        'v',
        ['*'],
        [
          route(
            match(prefix('/'), {
              headers: [
                headerMatcher(':method', str({ kind: 'exact', value: 'POST', ignoreCase: false })),
                headerMatcher('x-canary', { kind: 'present', present: true }),
              ],
            }),
            forward('canary'),
          ),
          route(prefix('/'), forward('stable')),
        ],
      ),
    ]),
    seededRandom(1),
  );
  const pick = (method: string, headers: Record<string, string>) =>
    table.route(req('/', { method, headers }))!.pickCluster(req('/'))!.name;
  t.equal(pick('POST', { 'x-canary': '1' }), 'canary');
  t.equal(pick('GET', { 'x-canary': '1' }), 'stable');
  t.equal(pick('POST', {}), 'stable');
});

t.test('query parameters: first value, not decoded, string or present', async (t) => {
  t.equal(firstQueryValue('/p?a=1&b=2&a=3', 'a'), '1');
  t.equal(firstQueryValue('/p?a=1&b=2', 'b'), '2');
  t.equal(firstQueryValue('/p?flag&x=1', 'flag'), '');
  t.equal(firstQueryValue('/p?ab=1', 'a'), undefined);
  t.equal(firstQueryValue('/p?x=a%20b', 'x'), 'a%20b', 'values are compared as sent');
  t.equal(firstQueryValue('/p', 'a'), undefined);

  const q = (qp: QueryParameterMatcherConfig[]) =>
    compileRouteTable(
      routeConfig([vhost('v', ['*'], [route(match(prefix('/'), { queryParameters: qp }), forward('c'))])]),
      seededRandom(1),
    );
  const debug = q([
    { name: 'debug', match: { kind: 'string', matcher: { kind: 'exact', value: 'on', ignoreCase: true } } },
  ]);
  t.ok(debug.route(req('/?debug=ON')));
  t.notOk(debug.route(req('/?debug=off&debug=on')), 'only the first value counts');
  t.notOk(debug.route(req('/')));
  const present = q([{ name: 'v', match: { kind: 'present', present: true } }]);
  t.ok(present.route(req('/?v')));
  t.notOk(present.route(req('/?w=1')));
  const absent = q([{ name: 'v', match: { kind: 'present', present: false } }]);
  t.ok(absent.route(req('/?w=1')));
  t.notOk(absent.route(req('/?v=1')));
});

t.test('grpc requires application/grpc or application/grpc+…', async (t) => {
  const table = compileRouteTable(
    routeConfig([vhost('v', ['*'], [route(match(prefix('/'), { grpc: true }), forward('c'))])]),
    seededRandom(1),
  );
  const ok = (ct?: string) =>
    table.route(req('/svc/M', ct === undefined ? {} : { headers: { 'content-type': ct } })) !== null;
  t.ok(ok('application/grpc'));
  t.ok(ok('application/grpc+proto'));
  t.notOk(ok('application/grpc-web'));
  t.notOk(ok('application/json'));
  t.notOk(ok());
});
