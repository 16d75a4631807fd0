import t from 'tap';
import { get, startProxy, staticCluster, type TestProxy } from '../helpers/proxy.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';

const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
const POLICY = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const VH_ORIGIN = 'https://vh.example';

/** CORS + fault + router; a vhost policy and per-route overrides. */
function corsBootstrap(port: number): string {
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
          stat_prefix: test
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              typed_per_filter_config:
                envoy.filters.http.cors:
                  "@type": ${POLICY}
                  allow_origin_string_match: [{ exact: "${VH_ORIGIN}" }]
                  allow_methods: "GET,POST"
                  allow_headers: "content-type,x-custom"
                  expose_headers: "x-upstream"
                  max_age: "600"
                  allow_credentials: true
              routes:
              - match: { prefix: "/prefix" }
                route: { cluster: backend }
                typed_per_filter_config:
                  envoy.filters.http.cors:
                    "@type": ${POLICY}
                    allow_origin_string_match: [{ prefix: "https://app." }]
                    allow_credentials: false
              - match: { prefix: "/regex" }
                route: { cluster: backend }
                typed_per_filter_config:
                  envoy.filters.http.cors:
                    "@type": ${POLICY}
                    allow_origin_string_match: [{ safe_regex: { regex: "https://[a-z]+\\\\.re\\\\.example" } }]
              - match: { prefix: "/strict" }
                route: { cluster: backend }
                typed_per_filter_config:
                  envoy.filters.http.cors:
                    "@type": ${POLICY}
                    forward_not_matching_preflights: false
              - match: { prefix: "/abort" }
                route: { cluster: backend }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT_TYPE}
                    abort: { http_status: 503, percentage: { numerator: 100 } }
              - match: { prefix: "/" }
                route: { cluster: backend }
          http_filters:
          - name: envoy.filters.http.cors
            typed_config: { "@type": ${CORS_TYPE} }
          - name: envoy.filters.http.fault
            typed_config: { "@type": ${FAULT_TYPE} }
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
${staticCluster('backend', port)}
`;
}

interface Setup {
  proxy: TestProxy;
  up: FakeUpstream;
  metric(name: string): Promise<number>;
}

async function setup(t: { teardown(fn: () => unknown): void }): Promise<Setup> {
  const up = await startUpstream('up');
  const proxy = await startProxy(corsBootstrap(up.port));
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  return {
    proxy,
    up,
    metric: async (name) => {
      const text = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
      const m = new RegExp(`^${name}\\{envoy_http_conn_manager_prefix="test"\\} (\\d+)$`, 'm').exec(text);
      return m === null ? Number.NaN : Number(m[1]);
    },
  };
}

const preflight = (origin: string, extra: Record<string, string> = {}) => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', ...extra },
});

function corsHeaders(h: Record<string, string | string[] | undefined>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('access-control-')));
}

t.test('an allowed preflight is answered by the proxy, not forwarded', async (t) => {
  const s = await setup(t);
  const r = await get(
    `${s.proxy.base}/x`,
    preflight(VH_ORIGIN, { 'access-control-request-headers': 'x-custom' }),
  );
  t.equal(r.status, 200);
  t.equal(r.body, '');
  t.equal(r.headers['content-length'], '0');
  t.same(corsHeaders(r.headers), {
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET,POST',
    'access-control-allow-headers': 'content-type,x-custom',
    'access-control-max-age': '600',
    'access-control-allow-origin': VH_ORIGIN,
    'access-control-expose-headers': 'x-upstream',
  });
  t.equal(s.up.requests.length, 0, 'upstream never saw it');
  t.equal(await s.metric('envoy_http_cors_origin_valid'), 1);
});

t.test('a preflight from another origin is forwarded (default) or answered bare', async (t) => {
  const s = await setup(t);
  const fwd = await get(`${s.proxy.base}/x`, preflight('https://evil.example'));
  t.equal(fwd.status, 200);
  t.equal(fwd.body, 'up OPTIONS /x', 'the upstream answered');
  t.same(corsHeaders(fwd.headers), {});
  t.equal(s.up.requests.length, 1);
  const local = await get(`${s.proxy.base}/strict`, preflight('https://evil.example'));
  t.equal(local.status, 200);
  t.equal(local.body, '');
  t.equal(local.headers['access-control-allow-origin'], undefined, 'no allow-origin: the browser refuses');
  t.equal(local.headers['access-control-allow-methods'], 'GET,POST');
  t.equal(s.up.requests.length, 1, 'not forwarded');
  t.equal(await s.metric('envoy_http_cors_origin_invalid'), 2);
});

t.test('actual requests: allowed origins get the response headers, with credentials', async (t) => {
  const s = await setup(t);
  const r = await get(`${s.proxy.base}/x`, { headers: { origin: VH_ORIGIN } });
  t.equal(r.status, 200);
  t.equal(r.body, 'up GET /x');
  t.same(corsHeaders(r.headers), {
    'access-control-allow-origin': VH_ORIGIN,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'x-upstream',
  });
  t.equal(s.up.requests[0]?.headers.origin, VH_ORIGIN, 'Origin goes upstream unchanged');
  const other = await get(`${s.proxy.base}/x`, { headers: { origin: 'https://evil.example' } });
  t.equal(other.body, 'up GET /x');
  t.same(corsHeaders(other.headers), {});
});

t.test('no Origin: request and response untouched', async (t) => {
  const s = await setup(t);
  const r = await get(`${s.proxy.base}/x`, {
    method: 'OPTIONS',
    headers: { 'access-control-request-method': 'GET' },
  });
  t.equal(r.body, 'up OPTIONS /x');
  t.same(corsHeaders(r.headers), {});
  t.equal(await s.metric('envoy_http_cors_origin_valid'), 0);
  t.equal(await s.metric('envoy_http_cors_origin_invalid'), 0);
});

t.test('exact, prefix and regex origins; the route policy overrides the vhost one per field', async (t) => {
  const s = await setup(t);
  const origin = async (path: string, o: string) =>
    (await get(`${s.proxy.base}${path}`, preflight(o))).headers['access-control-allow-origin'];
  t.equal(await origin('/x', VH_ORIGIN), VH_ORIGIN, 'exact');
  t.equal(await origin('/x', `${VH_ORIGIN}.evil`), undefined, 'exact is exact');
  t.equal(await origin('/prefix', 'https://app.one.example'), 'https://app.one.example', 'route prefix');
  t.equal(await origin('/prefix', VH_ORIGIN), undefined, 'the route list replaces the vhost list');
  t.equal(await origin('/regex', 'https://abc.re.example'), 'https://abc.re.example', 'regex');
  t.equal(await origin('/regex', 'https://abc.re.example.evil'), undefined, 'regex matches the whole origin');
  const inherited = await get(`${s.proxy.base}/prefix`, preflight('https://app.two.example'));
  t.equal(inherited.headers['access-control-allow-methods'], 'GET,POST', 'methods come from the vhost');
  t.equal(inherited.headers['access-control-allow-credentials'], undefined, 'route sets credentials false');
});

t.test('local replies from later filters carry the CORS headers', async (t) => {
  const s = await setup(t);
  const r = await get(`${s.proxy.base}/abort`, { headers: { origin: VH_ORIGIN } });
  t.equal(r.status, 503);
  t.equal(r.body, 'fault filter abort');
  t.equal(r.headers['access-control-allow-origin'], VH_ORIGIN);
  t.equal(r.headers['access-control-allow-credentials'], 'true');
  t.equal(s.up.requests.length, 0);
});
