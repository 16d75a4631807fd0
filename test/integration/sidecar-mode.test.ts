/** Sidecar mode end to end: Host routing forms, absolute-form proxy requests, unknown hosts, inbound. */
import { execFile } from 'node:child_process';
import t from 'tap';
import { encodeBootstrap } from '../../lib/config/envoy/encode/index.js';
import { get } from '../helpers/proxy.js';
import { rawExchange } from '../helpers/raw.js';
import { startSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

function registry(port: number): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders.shop.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${port}}}]
`;
}

const SHOP = { workload: { namespace: 'shop' } } as const;

function curl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '--max-time', '10', ...args], (err, stdout) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout });
    });
  });
}

t.test('Host forms: short name, name.ns, FQDN, with and without the service port', async (t) => {
  const up = await startUpstream('orders');
  const sc = await startSidecar(registry(up.port), SHOP);
  t.teardown(async () => {
    await sc.stop();
    await up.close();
  });
  for (const host of [
    'orders',
    'orders:8080',
    'orders.shop',
    'orders.shop:8080',
    'orders.shop.svc',
    'orders.shop.svc.cluster.local',
    'orders.shop.svc.cluster.local:8080',
    'ORDERS.shop',
  ]) {
    const r = await get(`http://127.0.0.1:${sc.outbound}/x`, { headers: { host } });
    t.equal(r.status, 200, host);
    t.equal(r.headers['x-upstream'], 'orders', host);
  }
  const wrongPort = await get(`http://127.0.0.1:${sc.outbound}/x`, { headers: { host: 'orders:9999' } });
  t.equal(wrongPort.status, 503, 'an unknown port is an unknown host: the passthrough cannot connect');
});

t.test('absolute-form requests work, so the sidecar can be used as an HTTP proxy (curl -x)', async (t) => {
  const up = await startUpstream('orders');
  const sc = await startSidecar(registry(up.port), SHOP);
  t.teardown(async () => {
    await sc.stop();
    await up.close();
  });
  const raw = await rawExchange(
    sc.outbound,
    'GET http://orders.shop:8080/list?page=2 HTTP/1.1\r\nHost: ignored.example\r\nConnection: close\r\n\r\n',
  );
  t.match(raw, /^HTTP\/1\.1 200/);
  t.equal(up.requests[0]?.url, '/list?page=2');
  const c = await curl(['-x', `http://127.0.0.1:${sc.outbound}`, 'http://orders/curl']);
  if (c.code === 127 || c.code === -1) t.pass('curl not installed');
  else t.match(c.out, /orders GET \/curl/);
});

t.test('REGISTRY_ONLY: an unknown host gets 502 from block_all; nothing leaves the proxy', async (t) => {
  const up = await startUpstream('orders');
  const sc = await startSidecar(registry(up.port), {
    ...SHOP,
    sidecar: { outboundTrafficPolicy: 'REGISTRY_ONLY' },
  });
  t.teardown(async () => {
    await sc.stop();
    await up.close();
  });
  const r = await get(`http://127.0.0.1:${sc.outbound}/`, { headers: { host: `127.0.0.1:${up.port}` } });
  t.equal(r.status, 502);
  t.equal(up.requests.length, 0);
});

t.test('ALLOW_ANY: an unknown host passes through to where its Host points', async (t) => {
  const up = await startUpstream('outside');
  const sc = await startSidecar(registry(1), SHOP);
  t.teardown(async () => {
    await sc.stop();
    await up.close();
  });
  const r = await get(`http://127.0.0.1:${sc.outbound}/pass`, { headers: { host: `127.0.0.1:${up.port}` } });
  t.equal(r.status, 200);
  t.equal(r.headers['x-upstream'], 'outside');
});

t.test(
  'a route to a host the registry lacks answers 503 (cluster not found), others keep working',
  async (t) => {
    const up = await startUpstream('orders');
    const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders]
  http:
    - match: [{uri: {prefix: /ghost}}]
      route: [{destination: {host: ghost}}]
    - route: [{destination: {host: orders}}]
`;
    const sc = await startSidecar(`${registry(up.port)}---\n${vs}`, SHOP);
    t.teardown(async () => {
      await sc.stop();
      await up.close();
    });
    const ghost = await get(`http://127.0.0.1:${sc.outbound}/ghost`, { headers: { host: 'orders' } });
    t.equal(ghost.status, 503);
    const ok = await get(`http://127.0.0.1:${sc.outbound}/fine`, { headers: { host: 'orders' } });
    t.equal(ok.status, 200);
  },
);

t.test('inbound: requests to the inbound listener reach the app on --app-port', async (t) => {
  const app = await startUpstream('app');
  const sc = await startSidecar(registry(1), { ...SHOP, sidecar: { inboundPort: 0, appPort: app.port } });
  t.teardown(async () => {
    await sc.stop();
    await app.close();
  });
  t.not(sc.inbound, null);
  const r = await get(`http://127.0.0.1:${sc.inbound}/hello`, { headers: { host: 'orders.shop:8080' } });
  t.equal(r.status, 200);
  t.equal(r.headers['x-upstream'], 'app');
  t.equal(app.requests[0]?.url, '/hello');
});

t.test('/config_dump shows the translated config as skiff translate prints it', async (t) => {
  const sc = await startSidecar(registry(1), SHOP);
  t.teardown(() => sc.stop());
  const dump = JSON.parse((await get(`${sc.adminBase}/config_dump`)).body) as {
    configs: Array<{ '@type': string; bootstrap?: unknown }>;
  };
  const boot = dump.configs.find((c) => c['@type'].endsWith('BootstrapConfigDump'));
  t.same(boot?.bootstrap, encodeBootstrap(sc.loaded.bootstrap));
  t.match(JSON.stringify(boot), /outbound\|8080\|\|orders\.shop\.svc\.cluster\.local/);
});

t.test('VirtualService features end to end: mirror, fault, CORS, redirect, rewrite, headers', async (t) => {
  const orders = await startUpstream('orders');
  const audit = await startUpstream('audit');
  const auditSe = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: audit, namespace: shop}
spec:
  hosts: [audit.shop.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${audit.port}}}]
`;
  const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders]
  http:
    - match: [{uri: {prefix: /broken}}]
      fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
      route: [{destination: {host: orders}}]
    - match: [{uri: {exact: /old}}]
      redirect: {uri: /new}
    - match: [{uri: {prefix: /v1/}}]
      rewrite: {uri: /api/}
      headers: {request: {set: {x-rewritten: "yes"}}, response: {add: {x-route: v1}}}
      route: [{destination: {host: orders}}]
    - corsPolicy:
        allowOrigins: [{exact: "https://shop.example"}]
        allowMethods: [GET, POST]
        maxAge: 60s
      mirror: {host: audit}
      route: [{destination: {host: orders}}]
`;
  const sc = await startSidecar(`${registry(orders.port)}---\n${auditSe}---\n${vs}`, SHOP);
  t.teardown(async () => {
    await sc.stop();
    await orders.close();
    await audit.close();
  });
  const url = (p: string): string => `http://127.0.0.1:${sc.outbound}${p}`;
  const host = { host: 'orders' };

  const broken = await get(url('/broken'), { headers: host });
  t.equal(broken.status, 418, 'fault abort');
  t.equal(orders.requests.length, 0);

  const old = await get(url('/old'), { headers: host });
  t.equal(old.status, 301, "redirect with Istio's default code");
  t.match(String(old.headers.location), /\/new$/);

  const v1 = await get(url('/v1/items'), { headers: host });
  t.equal(v1.status, 200);
  t.equal(orders.requests.at(-1)?.url, '/api/items', 'prefix rewrite');
  t.equal(orders.requests.at(-1)?.headers['x-rewritten'], 'yes');
  t.equal(v1.headers['x-route'], 'v1');

  const pre = await get(url('/x'), {
    method: 'OPTIONS',
    headers: { ...host, origin: 'https://shop.example', 'access-control-request-method': 'POST' },
  });
  t.equal(pre.status, 200, 'preflight answered by the CORS filter');
  t.equal(pre.headers['access-control-allow-origin'], 'https://shop.example');
  t.equal(pre.headers['access-control-max-age'], '60');

  const before = orders.requests.length;
  const main = await get(url('/mirrored'), { headers: { ...host, origin: 'https://shop.example' } });
  t.equal(main.status, 200);
  t.equal(main.headers['access-control-allow-origin'], 'https://shop.example');
  t.equal(orders.requests.length, before + 1);
  await eventually(() => audit.requests.length === 1, 'the shadow request');
  t.equal(audit.requests[0]?.url, '/mirrored');
  t.equal(audit.requests[0]?.headers.host, 'orders-shadow', 'Envoy appends -shadow to the host');
});
