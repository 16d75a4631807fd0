import t from 'tap';
import { readRbacPerRoute, readRbacSettings } from '../../../lib/config/envoy/rbac.js';
import { formatIssue } from '../../../lib/config/errors.js';
import type {
  HttpFilterPerRouteConfig,
  RbacFilterConfig,
  RouteConfiguration,
} from '../../../lib/config/model.js';
import { FieldReader, type IssueSink } from '../../../lib/config/reader.js';
import { FilterStatus, type RouterStream } from '../../../lib/filters/filter.js';
import { RbacFilterFactory } from '../../../lib/filters/rbac/rbac-filter.js';
import { HeaderMap } from '../../../lib/http/header-map.js';
import { compileRouteTable, type RouteTable } from '../../../lib/router/route-table.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import type { DownstreamTlsInfo } from '../../../lib/tls/types.js';
import type { Random } from '../../../lib/util/random.js';
import { forward, prefix, route, routeConfig, vhost } from '../router/fixtures.js';

const NAME = 'envoy.filters.http.rbac';
const NO_RANDOM: Random = { next: () => 0, int: () => 0 };

function decoded(obj: Record<string, unknown>): RbacFilterConfig {
  const sink: IssueSink = { file: 'f.yaml', issues: [], warnings: [] };
  const s = readRbacSettings(new FieldReader(sink, 'rbac', obj));
  if (sink.issues.length > 0) throw new Error(sink.issues.map(formatIssue).join('\n'));
  return { kind: 'rbac', name: NAME, ...s };
}

function perRoute(obj: Record<string, unknown>): HttpFilterPerRouteConfig {
  const sink: IssueSink = { file: 'f.yaml', issues: [], warnings: [] };
  const rbac = readRbacPerRoute(new FieldReader(sink, 'per_route', obj));
  if (sink.issues.length > 0) throw new Error(sink.issues.map(formatIssue).join('\n'));
  return { kind: 'rbac', rbac };
}

interface Req {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  remote?: string;
  local?: string;
  tls?: DownstreamTlsInfo | null;
}

function tls(principal: string): DownstreamTlsInfo {
  return {
    peerUriSans: principal === '' ? [] : [`spiffe://${principal}`],
    peerPrincipal: principal,
    peerCertSha256: '',
    localUriSan: '',
    alpn: '',
    version: 'TLSv1.3',
  };
}

/** What the RBAC filter reads from RouterStream, routing through a real RouteTable. */
class FakeStream {
  readonly method: string;
  readonly path: string;
  readonly requestHeaders: HeaderMap;
  readonly downstreamRemoteAddress: string;
  readonly downstreamLocalAddress: string;
  readonly downstreamTls: DownstreamTlsInfo | null;
  readonly replies: { status: number; body: string; details: string }[] = [];
  constructor(
    r: Req,
    private readonly table: RouteTable,
  ) {
    this.method = r.method ?? 'GET';
    this.path = r.path ?? '/';
    this.requestHeaders = new HeaderMap(Object.entries(r.headers ?? {}).flat());
    this.downstreamRemoteAddress = r.remote ?? '10.1.2.3:40000';
    this.downstreamLocalAddress = r.local ?? '127.0.0.1:8080';
    this.downstreamTls = r.tls ?? null;
  }
  get authority(): string {
    return this.requestHeaders.get('host') ?? 'example.com';
  }
  header(name: string): string | undefined {
    if (name === ':path') return this.path;
    if (name === ':method') return this.method;
    if (name === ':authority') return this.authority;
    return this.requestHeaders.get(name);
  }
  route() {
    return this.table.route(this as unknown as RouterStream);
  }
  perFilterConfig(name: string): HttpFilterPerRouteConfig | undefined {
    return this.route()?.perFilterConfig(name, null);
  }
  sendLocalReply(status: number, body: string, _flag: number, details: string): void {
    this.replies.push({ status, body, details });
  }
}

function setup(
  cfg: RbacFilterConfig,
  rc: RouteConfiguration = routeConfig([vhost('all', ['*'], [route(prefix('/'), forward('svc'))])]),
) {
  const stats = new StatsRegistry();
  const rs = stats.rbacStats('test');
  const table = compileRouteTable(rc, NO_RANDOM);
  const factory = new RbacFilterFactory(cfg, table, rs);
  /** null = allowed (no filter), else the local reply's details. */
  const check = (r: Req): string | null => {
    const s = new FakeStream(r, table);
    const f = factory.create(s as unknown as RouterStream);
    if (f === null) return null;
    t.equal(f.decodeHeaders(s as unknown as RouterStream), FilterStatus.Stop);
    const reply = s.replies[0]!;
    t.equal(reply.status, 403);
    t.equal(reply.body, 'RBAC: access denied');
    return reply.details;
  };
  const counts = () => ({
    allowed: rs.allowed.value,
    denied: rs.denied.value,
    shadowAllowed: rs.shadowAllowed.value,
    shadowDenied: rs.shadowDenied.value,
  });
  return { check, counts, factory };
}

const ANY_ID = [{ any: true }];
const ANY_PERM = [{ any: true }];
const allow = (permissions: unknown[], principals: unknown[] = ANY_ID) =>
  decoded({ rules: { action: 'ALLOW', policies: { p: { permissions, principals } } } });
const DENIED_NONE = 'rbac_access_denied_matched_policy[none]';

t.test('no rules: the factory gives no filter; ALLOW with no policies denies all', async (t) => {
  const none = setup(decoded({}));
  t.equal(none.check({}), null);
  t.same(none.counts(), { allowed: 0, denied: 0, shadowAllowed: 0, shadowDenied: 0 });
  const denyAll = setup(decoded({ rules: {} }));
  t.equal(denyAll.check({}), DENIED_NONE);
  t.same(denyAll.counts(), { allowed: 0, denied: 1, shadowAllowed: 0, shadowDenied: 0 });
});

t.test('ALLOW / DENY / LOG actions and the effective policy name', async (t) => {
  const policies = {
    'b-admin': { permissions: [{ url_path: { path: { prefix: '/admin' } } }], principals: ANY_ID },
    'a-secret': { permissions: [{ url_path: { path: { prefix: '/admin/secret' } } }], principals: ANY_ID },
  };
  const deny = setup(decoded({ rules: { action: 'DENY', policies } }));
  t.equal(deny.check({ path: '/public' }), null);
  t.equal(deny.check({ path: '/admin/x' }), 'rbac_access_denied_matched_policy[b-admin]');
  // Policies are evaluated by name, so a-secret is the effective one when both match.
  t.equal(deny.check({ path: '/admin/secret?x=1' }), 'rbac_access_denied_matched_policy[a-secret]');
  t.same(deny.counts(), { allowed: 1, denied: 2, shadowAllowed: 0, shadowDenied: 0 });

  const allowed = setup(decoded({ rules: { action: 'ALLOW', policies } }));
  t.equal(allowed.check({ path: '/admin' }), null);
  t.equal(allowed.check({ path: '/public' }), DENIED_NONE);

  const log = setup(decoded({ rules: { action: 'LOG', policies } }));
  t.equal(log.check({ path: '/admin' }), null);
  t.equal(log.check({ path: '/public' }), null);
  t.same(log.counts(), { allowed: 2, denied: 0, shadowAllowed: 0, shadowDenied: 0 });
});

t.test('shadow rules are counted, never enforced', async (t) => {
  const shadowDeny = {
    action: 'DENY',
    policies: { p: { permissions: [{ url_path: { path: { exact: '/x' } } }], principals: ANY_ID } },
  };
  const only = setup(decoded({ shadow_rules: shadowDeny, shadow_rules_stat_prefix: 'istio_dry_run_deny_' }));
  t.equal(only.check({ path: '/x' }), null);
  t.equal(only.check({ path: '/y' }), null);
  t.same(only.counts(), { allowed: 0, denied: 0, shadowAllowed: 1, shadowDenied: 1 });
  const both = setup(decoded({ rules: { action: 'DENY', policies: {} }, shadow_rules: shadowDeny }));
  t.equal(both.check({ path: '/x' }), null);
  t.same(both.counts(), { allowed: 1, denied: 0, shadowAllowed: 0, shadowDenied: 1 });
});

t.test('permissions: any, and/or/not, header, url_path, ports, destination ip, SNI', async (t) => {
  const header = setup(allow([{ header: { name: ':method', string_match: { exact: 'GET' } } }]));
  t.equal(header.check({ method: 'GET' }), null);
  t.equal(header.check({ method: 'POST' }), DENIED_NONE);
  const custom = setup(allow([{ header: { name: 'x-team', present_match: true } }]));
  t.equal(custom.check({ headers: { 'x-team': 'a' } }), null);
  t.equal(custom.check({}), DENIED_NONE);

  const path = setup(allow([{ url_path: { path: { exact: '/ok' } } }]));
  t.equal(path.check({ path: '/ok?q=1' }), null, 'query is not part of the path');
  t.equal(path.check({ path: '/ok#frag' }), null, 'nor the fragment');
  t.equal(path.check({ path: '/okay' }), DENIED_NONE);
  const ci = setup(allow([{ url_path: { path: { prefix: '/API', ignore_case: true } } }]));
  t.equal(ci.check({ path: '/api/x' }), null);

  const and = setup(
    allow([
      {
        and_rules: {
          rules: [
            { url_path: { path: { prefix: '/a' } } },
            { not_rule: { header: { name: ':method', string_match: { exact: 'DELETE' } } } },
          ],
        },
      },
    ]),
  );
  t.equal(and.check({ path: '/a', method: 'GET' }), null);
  t.equal(and.check({ path: '/a', method: 'DELETE' }), DENIED_NONE);
  t.equal(and.check({ path: '/b', method: 'GET' }), DENIED_NONE);
  const or = setup(
    allow([
      {
        or_rules: {
          rules: [{ url_path: { path: { exact: '/a' } } }, { url_path: { path: { exact: '/b' } } }],
        },
      },
    ]),
  );
  t.equal(or.check({ path: '/b' }), null);
  t.equal(or.check({ path: '/c' }), DENIED_NONE);

  const port = setup(allow([{ destination_port: 8080 }]));
  t.equal(port.check({ local: '127.0.0.1:8080' }), null);
  t.equal(port.check({ local: '127.0.0.1:9090' }), DENIED_NONE);
  const range = setup(allow([{ destination_port_range: { start: 9000, end: 9100 } }]));
  t.equal(range.check({ local: '::1:9099' }), null);
  t.equal(range.check({ local: '127.0.0.1:9100' }), DENIED_NONE, 'end is exclusive');
  const dip = setup(allow([{ destination_ip: { address_prefix: '127.0.0.0', prefix_len: 8 } }]));
  t.equal(dip.check({ local: '127.9.9.9:80' }), null);
  t.equal(dip.check({ local: '10.0.0.1:80' }), DENIED_NONE);
  const sni = setup(allow([{ requested_server_name: { exact: '' } }]));
  t.equal(sni.check({}), null, 'no SNI on the stream: matched as ""');
  t.equal(setup(allow(ANY_PERM)).check({}), null);
});

t.test('principals: authenticated, IPs, header, url_path, and/or/not', async (t) => {
  const spiffe = setup(
    allow(ANY_PERM, [{ authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/a/sa/b' } } }]),
  );
  t.equal(spiffe.check({ tls: tls('cluster.local/ns/a/sa/b') }), null);
  t.equal(spiffe.check({ tls: tls('cluster.local/ns/a/sa/c') }), DENIED_NONE);
  t.equal(spiffe.check({}), DENIED_NONE, 'plaintext never authenticates');
  const anyTls = setup(allow(ANY_PERM, [{ authenticated: {} }]));
  t.equal(anyTls.check({ tls: tls('') }), null);
  t.equal(anyTls.check({}), DENIED_NONE);
  const ns = setup(
    allow(ANY_PERM, [{ authenticated: { principal_name: { safe_regex: { regex: '.*/ns/prod/.*' } } } }]),
  );
  t.equal(ns.check({ tls: tls('td/ns/prod/sa/x') }), null);
  t.equal(ns.check({ tls: tls('td/ns/dev/sa/x') }), DENIED_NONE);

  for (const form of ['direct_remote_ip', 'remote_ip', 'source_ip']) {
    const ip = setup(allow(ANY_PERM, [{ [form]: { address_prefix: '10.1.0.0', prefix_len: 16 } }]));
    t.equal(ip.check({ remote: '10.1.2.3:5000' }), null, form);
    t.equal(ip.check({ remote: '::ffff:10.1.2.3:5000' }), null, `${form}: IPv4-mapped`);
    t.equal(ip.check({ remote: '10.2.0.1:5000' }), DENIED_NONE, form);
  }
  const v6 = setup(allow(ANY_PERM, [{ direct_remote_ip: { address_prefix: '::1', prefix_len: 128 } }]));
  t.equal(v6.check({ remote: '::1:5000' }), null);
  t.equal(v6.check({ remote: '127.0.0.1:5000' }), DENIED_NONE);

  const hdr = setup(allow(ANY_PERM, [{ header: { name: 'x-user', string_match: { suffix: '@corp' } } }]));
  t.equal(hdr.check({ headers: { 'x-user': 'me@corp' } }), null);
  t.equal(hdr.check({ headers: { 'x-user': 'me@home' } }), DENIED_NONE);
  const up = setup(allow(ANY_PERM, [{ url_path: { path: { prefix: '/p' } } }]));
  t.equal(up.check({ path: '/p/1' }), null);

  const combo = setup(
    allow(ANY_PERM, [
      {
        and_ids: {
          ids: [
            {
              or_ids: {
                ids: [
                  { header: { name: 'x-a', present_match: true } },
                  { header: { name: 'x-b', present_match: true } },
                ],
              },
            },
            { not_id: { remote_ip: { address_prefix: '10.9.0.0', prefix_len: 16 } } },
          ],
        },
      },
    ]),
  );
  t.equal(combo.check({ headers: { 'x-b': '1' } }), null);
  t.equal(combo.check({ headers: { 'x-b': '1' }, remote: '10.9.0.1:1' }), DENIED_NONE);
  t.equal(combo.check({}), DENIED_NONE);
});

t.test('RBACPerRoute overrides or disables; FilterConfig disabled turns it off', async (t) => {
  const denyAll = decoded({
    rules: { action: 'DENY', policies: { all: { permissions: ANY_PERM, principals: ANY_ID } } },
  });
  const rc = routeConfig([
    vhost(
      'all',
      ['*'],
      [
        route(prefix('/open'), forward('svc'), { typedPerFilterConfig: { [NAME]: perRoute({}) } }),
        route(prefix('/off'), forward('svc'), { typedPerFilterConfig: { [NAME]: { kind: 'disabled' } } }),
        route(prefix('/own'), forward('svc'), {
          typedPerFilterConfig: {
            [NAME]: perRoute({
              rbac: {
                rules: {
                  action: 'DENY',
                  policies: {
                    own: { permissions: [{ url_path: { path: { exact: '/own/x' } } }], principals: ANY_ID },
                  },
                },
              },
            }),
          },
        }),
        route(prefix('/'), forward('svc')),
      ],
    ),
  ]);
  const s = setup(denyAll, rc);
  t.equal(s.check({ path: '/anything' }), 'rbac_access_denied_matched_policy[all]');
  t.equal(s.check({ path: '/open' }), null);
  t.equal(s.check({ path: '/off' }), null);
  t.equal(s.check({ path: '/own/y' }), null);
  t.equal(s.check({ path: '/own/x' }), 'rbac_access_denied_matched_policy[own]');
});
