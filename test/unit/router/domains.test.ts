import t from 'tap';
import { compileRouteTable } from '../../../lib/router/route-table.js';
import { seededRandom } from '../../../lib/util/random.js';
import { forward, prefix, route, routeConfig, vhost } from './fixtures.js';

const vh = (name: string, domains: string[]) => vhost(name, domains, [route(prefix('/'), forward(name))]);

t.test('exact, then longest suffix, then longest prefix, then *', async (t) => {
  const table = compileRouteTable(
    routeConfig([
      vh('exact', ['www.foo.com', 'API.foo.com']),
      vh('suffix', ['*.foo.com']),
      vh('longer-suffix', ['*-bar.foo.com']),
      vh('prefix', ['foo.*']),
      vh('longer-prefix', ['foo.bar.*']),
      vh('any', ['*']),
    ]),
    seededRandom(1),
  );
  const sel = (h: string) => table.selectVirtualHost(h)?.name;
  t.equal(sel('www.foo.com'), 'exact');
  t.equal(sel('WWW.Foo.COM'), 'exact', 'case-insensitive');
  t.equal(sel('api.foo.com'), 'exact', 'configured domains are lower-cased');
  t.equal(sel('x.foo.com'), 'suffix');
  t.equal(sel('baz-bar.foo.com'), 'longer-suffix');
  t.equal(sel('-bar.foo.com'), 'suffix', 'a wildcard never matches the empty string');
  t.equal(sel('.foo.com'), 'any', '*.foo.com does not match .foo.com');
  t.equal(sel('foo.org'), 'prefix');
  t.equal(sel('foo.bar.org'), 'longer-prefix');
  t.equal(sel('foo.'), 'any', 'prefix wildcard must also stand for a character');
  t.equal(sel('other.net'), 'any');
});

t.test('no match and no * → null', async (t) => {
  const table = compileRouteTable(routeConfig([vh('a', ['a.com'])]), seededRandom(1));
  t.equal(table.selectVirtualHost('b.com'), null);
  t.equal(
    table.route({ method: 'GET', path: '/', authority: 'b.com', scheme: 'http', header: () => undefined }),
    null,
  );
});

t.test('only * → it serves every authority, even empty', async (t) => {
  const table = compileRouteTable(routeConfig([vh('any', ['*'])]), seededRandom(1));
  t.equal(table.selectVirtualHost('')?.name, 'any');
  t.equal(table.selectVirtualHost('x:1')?.name, 'any');
});

t.test('ports: a domain with a port matches only that host:port', async (t) => {
  const cfg = (ignorePortInHostMatching: boolean) =>
    compileRouteTable(
      routeConfig([vh('port', ['svc:8080']), vh('plain', ['svc']), vh('v6', ['[::1]']), vh('any', ['*'])], {
        ignorePortInHostMatching,
      }),
      seededRandom(1),
    );
  const strict = cfg(false);
  t.equal(strict.selectVirtualHost('svc:8080')?.name, 'port');
  t.equal(strict.selectVirtualHost('svc')?.name, 'plain');
  t.equal(
    strict.selectVirtualHost('svc:9090')?.name,
    'any',
    'without ignore_port the port is part of the host',
  );
  t.equal(strict.selectVirtualHost('[::1]:80')?.name, 'any');

  const loose = cfg(true);
  t.equal(loose.selectVirtualHost('svc:8080')?.name, 'port', 'port-qualified domain still wins for its port');
  t.equal(loose.selectVirtualHost('svc:9090')?.name, 'plain', 'other ports fall back to the host');
  t.equal(loose.selectVirtualHost('SVC')?.name, 'plain');
  t.equal(loose.selectVirtualHost('[::1]:80')?.name, 'v6', 'IPv6 port stripped after the bracket');
  t.equal(loose.selectVirtualHost('[::1]')?.name, 'v6', 'colons inside brackets are not a port');
});

t.test('wildcards with ignore_port', async (t) => {
  const table = compileRouteTable(
    routeConfig([vh('suffix', ['*.svc.cluster.local']), vh('prefix', ['reviews.*'])], {
      ignorePortInHostMatching: true,
    }),
    seededRandom(1),
  );
  t.equal(table.selectVirtualHost('a.svc.cluster.local:9080')?.name, 'suffix');
  t.equal(table.selectVirtualHost('reviews.default:9080')?.name, 'prefix');
});

t.test('duplicate domains are rejected like Envoy', async (t) => {
  t.throws(() => compileRouteTable(routeConfig([vh('a', ['x.com']), vh('b', ['X.com'])]), seededRandom(1)), {
    code: 'SKIFF_ERR_CONFIG',
  });
  t.throws(() => compileRouteTable(routeConfig([vh('a', ['*']), vh('b', ['*'])]), seededRandom(1)), {
    code: 'SKIFF_ERR_CONFIG',
  });
});

t.test('compiled structures are frozen', async (t) => {
  const table = compileRouteTable(routeConfig([vh('a', ['*'])]), seededRandom(1));
  t.ok(Object.isFrozen(table));
  t.ok(Object.isFrozen(table.virtualHosts[0]));
  t.ok(Object.isFrozen(table.virtualHosts[0]!.routes[0]));
});
