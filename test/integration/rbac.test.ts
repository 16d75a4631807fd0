import t from 'tap';
import { get, startProxy, staticCluster } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { startSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

const RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

function bootstrap(upstream: number, escapedSlashes: string): string {
  return `
static_resources:
  listeners:
  - name: test
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: edge
          normalize_path: true
          merge_slashes: true
          path_with_escaped_slashes_action: ${escapedSlashes}
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - { match: { prefix: "/" }, route: { cluster: backend } }
          http_filters:
          - name: envoy.filters.http.rbac
            typed_config:
              "@type": ${RBAC_TYPE}
              rules:
                action: DENY
                policies:
                  admin:
                    permissions: [{ url_path: { path: { prefix: /admin } } }]
                    principals: [{ any: true }]
                  blocked-header:
                    permissions: [{ any: true }]
                    principals: [{ header: { name: x-block, string_match: { exact: "yes" } } }]
          - name: envoy.filters.http.router
            typed_config: { "@type": ${ROUTER_TYPE} }
  clusters:
${staticCluster('backend', upstream)}
`;
}

/** A raw HTTP/1.1 request (the target as written: no client-side normalisation). */
async function raw(
  port: number,
  target: string,
  headers = '',
): Promise<{ status: number; response: string }> {
  const response = await rawExchange(
    port,
    `GET ${target} HTTP/1.1\r\nhost: x\r\n${headers}connection: close\r\n\r\n`,
  );
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0), response };
}

const reachesAdmin = (url: string): boolean => /^\/+admin/i.test(url.replace(/\/\.\//g, '/'));

t.test('Envoy RBAC filter: 403 body, stats, and normalisation closes path bypasses', async (t) => {
  const up = await startUpstream('app');
  const proxy = await startProxy(bootstrap(up.port, 'UNESCAPE_AND_REDIRECT'));
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  const ok = await get(`${proxy.base}/public/x`);
  t.equal(ok.status, 200);
  const denied = await get(`${proxy.base}/admin/users`);
  t.equal(denied.status, 403);
  t.equal(denied.body, 'RBAC: access denied');
  t.equal((await get(`${proxy.base}/public`, { headers: { 'x-block': 'yes' } })).status, 403);

  for (const target of [
    '/public/../admin',
    '/public/%2e%2e/admin',
    '/public/.%2E/admin',
    '//admin',
    '/admin/.',
    '/%61dmin',
    '/./admin',
  ]) {
    const r = await raw(proxy.port, target);
    t.equal(r.status, 403, `${target} is denied`);
    t.match(r.response, /RBAC: access denied$/);
  }
  const slash = await raw(proxy.port, '/public/..%2Fadmin');
  t.equal(slash.status, 307, '%2F is unescaped and redirected');
  t.match(slash.response, /\r\nlocation: \/admin\r\n/i);
  t.equal((await raw(proxy.port, '/public/..%2Fpublic/y')).status, 307);
  // A normalised path that stays public is forwarded in its normalised form.
  t.equal((await raw(proxy.port, '/admin/../public/z')).status, 200);
  t.ok(
    up.requests.some((r) => r.url === '/public/z'),
    'upstream sees the normalised path',
  );
  t.notOk(
    up.requests.some((r) => reachesAdmin(r.url)),
    `upstream never saw an admin path: ${up.requests.map((r) => r.url).join(' ')}`,
  );
  const prom = await get(`${proxy.adminBase}/stats/prometheus`);
  t.match(prom.body, /envoy_http_rbac_denied\{envoy_http_conn_manager_prefix="edge"\} 9\n/);
  t.match(prom.body, /envoy_http_rbac_allowed\{envoy_http_conn_manager_prefix="edge"\} 2\n/);
});

t.test('escaped slashes: REJECT_REQUEST answers 400 and forwards nothing', async (t) => {
  const up = await startUpstream('app');
  const proxy = await startProxy(bootstrap(up.port, 'REJECT_REQUEST'));
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  t.equal((await raw(proxy.port, '/public/..%2fadmin')).status, 400);
  t.equal((await raw(proxy.port, '/public%5C..%5Cadmin')).status, 400);
  t.equal(up.requests.length, 0);
});

function policy(name: string, spec: string, annotations = ''): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: default${annotations === '' ? '' : `, annotations: {${annotations}}`}}
spec: ${spec}
`;
}

t.test(
  'sidecar mode: AuthorizationPolicy DENY/ALLOW on paths, methods, headers, ports; dry-run',
  async (t) => {
    const app = await startUpstream('app');
    const yaml = [
      policy(
        'deny-admin',
        '{action: DENY, rules: [{to: [{operation: {paths: ["/admin*"]}}]}, {when: [{key: "request.headers[x-block]", values: ["yes"]}]}]}',
      ),
      policy(
        'allow-reads',
        '{rules: [{to: [{operation: {methods: [GET, HEAD]}}]}, {to: [{operation: {methods: [POST], paths: [/submit], notPorts: ["1"]}}]}]}',
      ),
      policy('port-one', '{rules: [{to: [{operation: {methods: [PUT], ports: ["1"]}}]}]}'),
      policy(
        'dry',
        '{action: DENY, rules: [{to: [{operation: {paths: [/dry]}}]}]}',
        '"istio.io/dry-run": "true"',
      ),
    ].join('---\n');
    const sc = await startSidecar(yaml, { sidecar: { inboundPort: 0, appPort: app.port } });
    t.teardown(async () => {
      await sc.stop();
      await app.close();
    });
    const base = `http://127.0.0.1:${sc.inbound}`;
    t.equal((await get(`${base}/`)).status, 200);
    const admin = await get(`${base}/admin`);
    t.equal(admin.status, 403);
    t.equal(admin.body, 'RBAC: access denied');
    for (const target of ['/public/../admin', '/public/%2e%2e/admin', '/ADMIN/../admin/x']) {
      t.equal((await raw(sc.inbound!, target)).status, 403, `${target} is denied`);
    }
    t.equal((await get(`${base}/`, { headers: { 'x-block': 'yes' } })).status, 403);
    t.equal((await get(`${base}/`, { headers: { 'x-block': 'no' } })).status, 200);
    t.equal((await get(`${base}/submit`, { method: 'POST', body: 'x' })).status, 200);
    t.equal((await get(`${base}/other`, { method: 'POST', body: 'x' })).status, 403, 'POST only to /submit');
    t.equal((await get(`${base}/`, { method: 'PUT', body: 'x' })).status, 403, 'PUT only on port 1');
    t.equal((await get(`${base}/dry`)).status, 200, 'dry-run DENY does not enforce');
    t.notOk(
      app.requests.some((r) => reachesAdmin(r.url)),
      `the app never saw an admin path: ${app.requests.map((r) => r.url).join(' ')}`,
    );
    const prom = await get(`${sc.adminBase}/stats/prometheus`);
    t.match(prom.body, /envoy_http_rbac_shadow_denied\{[^}]*\} 1\n/);
  },
);
