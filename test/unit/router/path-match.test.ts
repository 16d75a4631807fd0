import t from 'tap';
import type { PathMatchConfig } from '../../../lib/config/model.js';
import { compileRouteTable } from '../../../lib/router/route-table.js';
import { seededRandom } from '../../../lib/util/random.js';
import {
  exactPath,
  forward,
  match,
  prefix,
  regex,
  req,
  route,
  routeConfig,
  separated,
  vhost,
} from './fixtures.js';

function matcher(path: PathMatchConfig, caseSensitive = true): (p: string) => boolean {
  const table = compileRouteTable(
    routeConfig([vhost('v', ['*'], [route(match(path, { caseSensitive }), forward('c'))])]),
    seededRandom(1),
  );
  return (p) => table.route(req(p)) !== null;
}

t.test('prefix compares the path, query string included', async (t) => {
  const m = matcher(prefix('/api'));
  t.ok(m('/api'));
  t.ok(m('/api/v1'));
  t.ok(m('/apiary'));
  t.ok(m('/api?x=1'));
  t.notOk(m('/ap'));
  t.notOk(m('/API'));
  t.ok(matcher(prefix('/'))('/anything?q'));
  // Envoy's PathMatcher strips query and fragment first, so a prefix holding `?` never matches.
  t.notOk(matcher(prefix('/a?b'))('/a?b=1'));
});

t.test('path is exact, query and fragment stripped', async (t) => {
  const m = matcher(exactPath('/health'));
  t.ok(m('/health'));
  t.ok(m('/health?full=1'));
  t.ok(m('/health#frag'));
  t.notOk(m('/health/'));
  t.notOk(m('/healthz'));
  t.notOk(m('/Health'));
});

t.test('case_sensitive false folds ASCII case for prefix, path and path_separated_prefix', async (t) => {
  t.ok(matcher(prefix('/Api'), false)('/aPI/x'));
  t.ok(matcher(exactPath('/Health'), false)('/HEALTH?x'));
  t.notOk(matcher(exactPath('/Health'), false)('/HEALTHZ'));
  t.ok(matcher(separated('/Api/Dev'), false)('/api/dev/v1'));
  t.notOk(matcher(separated('/Api/Dev'), false)('/api/developer'));
});

t.test('safe_regex must match the whole path without query; case_sensitive ignored', async (t) => {
  const m = matcher(regex('/users/\\d+'));
  t.ok(m('/users/42'));
  t.ok(m('/users/42?x=1'));
  t.notOk(m('/users/42/edit'), 'partial match does not count');
  t.notOk(m('/v1/users/42'));
  t.notOk(m('/users/abc'));
  t.notOk(matcher(regex('/users/\\d+'), false)('/USERS/42'), 'case_sensitive does not apply to regex');
  t.ok(matcher(regex('/a|/b'))('/b'), 'alternation is anchored as a whole');
  t.notOk(matcher(regex('/a|/b'))('/bc'));
  t.ok(matcher(regex('/(?P<id>[[:digit:]]+)'))('/123'), 'RE2 named groups and POSIX classes');
});

t.test('path_separated_prefix (Envoy reference cases)', async (t) => {
  const m = matcher(separated('/api/dev'));
  t.ok(m('/api/dev'));
  t.ok(m('/api/dev/'));
  t.ok(m('/api/dev/v1'));
  t.ok(m('/api/dev?x=1'));
  t.ok(m('/api/dev#top'));
  t.notOk(m('/api/developer'));
  t.notOk(m('/api/de'));
  t.notOk(m('/API/dev'));
});

t.test('a bad regex is a config error naming the field', async (t) => {
  t.throws(
    () =>
      compileRouteTable(
        routeConfig([vhost('v', ['*'], [route(regex('/(unclosed'), forward('c'))])]),
        seededRandom(1),
      ),
    { code: 'SKIFF_ERR_CONFIG', message: /virtual_hosts\[0\]\.routes\[0\]\.match\.safe_regex/ },
  );
});
