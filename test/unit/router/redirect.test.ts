import t from 'tap';
import type { PathMatchConfig, RedirectActionConfig } from '../../../lib/config/model.js';
import { compileRouteTable } from '../../../lib/router/route-table.js';
import { seededRandom } from '../../../lib/util/random.js';
import { exactPath, prefix, regex, req, route, routeConfig, vhost } from './fixtures.js';

function redirect(p: Partial<RedirectActionConfig>, path: PathMatchConfig = prefix('/')) {
  const action: RedirectActionConfig = {
    kind: 'redirect',
    schemeRedirect: null,
    hostRedirect: null,
    portRedirect: null,
    pathRedirect: null,
    prefixRewrite: null,
    regexRewrite: null,
    responseCode: 301,
    stripQuery: false,
    ...p,
  };
  const r = compileRouteTable(routeConfig([vhost('v', ['*'], [route(path, action)])]), seededRandom(1))
    .virtualHosts[0]!.routes[0]!;
  return {
    code: r.redirectCode,
    action: r.action,
    loc: (path: string, o: Parameters<typeof req>[1] = {}) => r.redirectLocation(req(path, o)),
  };
}

t.test('response codes', async (t) => {
  for (const code of [301, 302, 303, 307, 308] as const) {
    const r = redirect({ responseCode: code });
    t.equal(r.code, code);
    t.equal(r.action, 'redirect');
  }
});

t.test('host, port and scheme', async (t) => {
  t.equal(
    redirect({ hostRedirect: 'new.com' }).loc('/a?b=1', { authority: 'old.com:8080' }),
    'http://new.com/a?b=1',
  );
  t.equal(
    redirect({ portRedirect: 8443 }).loc('/a', { authority: 'h.com:8080' }),
    'http://h.com:8443/a',
    'port replaces the request port',
  );
  t.equal(redirect({ portRedirect: 8443 }).loc('/a', { authority: 'h.com' }), 'http://h.com:8443/a');
  t.equal(redirect({ hostRedirect: 'n.com', portRedirect: 9 }).loc('/'), 'http://n.com:9/');
  t.equal(
    redirect({}).loc('/x', { authority: 'h.com:8080' }),
    'http://h.com:8080/x',
    'nothing set: same URL',
  );
});

t.test('https redirect drops the old scheme default port only', async (t) => {
  const https = redirect({ schemeRedirect: 'https' });
  t.equal(https.loc('/p?q', { authority: 'h.com:80' }), 'https://h.com/p?q', ':80 dropped moving off http');
  t.equal(https.loc('/p', { authority: 'h.com:8080' }), 'https://h.com:8080/p', 'non-default port kept');
  t.equal(
    https.loc('/p', { authority: 'h.com:443', scheme: 'https' }),
    'https://h.com:443/p',
    'same scheme keeps the port',
  );
  t.equal(
    https.loc('/p', { authority: 'h.com:80', scheme: 'http', headers: { 'x-forwarded-proto': 'https' } }),
    'https://h.com:80/p',
    'x-forwarded-proto decides the old scheme',
  );
  t.equal(https.loc('/p', { authority: '[::1]:80' }), 'https://[::1]/p', 'IPv6 host');
  const toHttp = redirect({ schemeRedirect: 'http' });
  t.equal(
    toHttp.loc('/p', { authority: 'h.com:443', scheme: 'https' }),
    'http://h.com/p',
    ':443 dropped moving off https',
  );
});

t.test('path_redirect keeps the query unless it has its own; strip_query', async (t) => {
  t.equal(redirect({ pathRedirect: '/new' }).loc('/old?a=1'), 'http://example.com/new?a=1');
  t.equal(redirect({ pathRedirect: '/new?b=2' }).loc('/old?a=1'), 'http://example.com/new?b=2');
  t.equal(
    redirect({ pathRedirect: '/new?b=2', stripQuery: true }).loc('/old?a=1'),
    'http://example.com/new?b=2',
  );
  t.equal(redirect({ pathRedirect: '/new', stripQuery: true }).loc('/old?a=1'), 'http://example.com/new');
  t.equal(redirect({ stripQuery: true }).loc('/old?a=1'), 'http://example.com/old');
  t.equal(redirect({ pathRedirect: 'rel' }).loc('/old'), 'http://example.com/rel', 'a leading / is added');
});

t.test('prefix_rewrite and regex_rewrite in redirects', async (t) => {
  t.equal(
    redirect({ prefixRewrite: '/v2/' }, prefix('/v1/')).loc('/v1/users?x=1'),
    'http://example.com/v2/users?x=1',
  );
  t.equal(redirect({ prefixRewrite: '/b' }, exactPath('/a')).loc('/a?k'), 'http://example.com/b?k');
  t.equal(
    redirect({ regexRewrite: { regex: '^/(\\w+)/(\\w+)$', substitution: '/\\2/\\1' } }, regex('/.*')).loc(
      '/x/y?q=1',
    ),
    'http://example.com/y/x?q=1',
  );
  t.equal(
    redirect({ prefixRewrite: '/v2', stripQuery: true, schemeRedirect: 'https' }, prefix('/v1')).loc(
      '/v1/a?q',
      {
        authority: 'h:80',
      },
    ),
    'https://h/v2/a',
  );
});
