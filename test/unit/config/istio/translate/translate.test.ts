import t from 'tap';
import { loadConfigText } from '../../../../../lib/config/load.js';
import type {
  ClusterConfig,
  ForwardActionConfig,
  VirtualHostConfig,
} from '../../../../../lib/config/model.js';
import { loadSidecarConfig, testSidecarOptions } from '../../../../helpers/sidecar.js';

const SE = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  ports: [{number: 9080, name: http, protocol: HTTP}, {number: 9443, name: grpc, protocol: GRPC}, {number: 5432, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
    - {address: 10.0.0.1, labels: {version: v1}}
    - {address: 10.0.0.2, labels: {version: v2}, ports: {http: 19080}}
`;

const DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
`;

function vhosts(
  b: {
    listeners: readonly {
      name: string;
      filterChains: readonly { hcm?: { routeConfig: { virtualHosts: readonly VirtualHostConfig[] } } }[];
    }[];
  },
  listener = 'virtualOutbound',
): readonly VirtualHostConfig[] {
  const l = b.listeners.find((x) => x.name === listener);
  return l?.filterChains[0]?.hcm?.routeConfig.virtualHosts ?? [];
}

function cluster(b: { clusters: readonly ClusterConfig[] }, name: string): ClusterConfig | undefined {
  return b.clusters.find((c) => c.name === name);
}

t.test('a service port becomes a virtual host named by every Host form a caller may use', async (t) => {
  const { bootstrap } = loadSidecarConfig(SE, { workload: { namespace: 'shop' } });
  const vh = vhosts(bootstrap);
  const http = vh.find((v) => v.name === 'reviews.shop.svc.cluster.local:9080');
  t.ok(http);
  t.same(
    [...(http?.domains ?? [])].sort(),
    [
      'reviews',
      'reviews.shop',
      'reviews.shop.svc',
      'reviews.shop.svc.cluster.local',
      'reviews.shop.svc.cluster.local:9080',
      'reviews.shop.svc:9080',
      'reviews.shop:9080',
      'reviews:9080',
    ].sort(),
    'the first HTTP port also takes port-less Hosts',
  );
  const grpc = vh.find((v) => v.name === 'reviews.shop.svc.cluster.local:9443');
  t.notOk(grpc?.domains.includes('reviews'), 'only one port answers port-less Hosts');
  t.notOk(
    vh.some((v) => v.name.endsWith(':5432')),
    'TCP ports are not HTTP virtual hosts',
  );
  t.equal(vh.at(-1)?.name, 'allow_any', 'the catch-all comes last');
});

t.test('from another namespace the bare short name is not a domain', async (t) => {
  const { bootstrap } = loadSidecarConfig(SE, { workload: { namespace: 'web' } });
  const http = vhosts(bootstrap).find((v) => v.name === 'reviews.shop.svc.cluster.local:9080');
  t.notOk(http?.domains.includes('reviews'));
  t.ok(http?.domains.includes('reviews.shop'));
});

t.test('without a VirtualService a service gets istiod default route: no timeout, 2 retries', async (t) => {
  const { bootstrap } = loadSidecarConfig(SE, { workload: { namespace: 'shop' } });
  const route = vhosts(bootstrap).find((v) => v.name === 'reviews.shop.svc.cluster.local:9080')?.routes[0];
  t.equal(route?.name, 'default');
  const action = route?.action as ForwardActionConfig;
  t.same(action.target, { kind: 'cluster', name: 'outbound|9080||reviews.shop.svc.cluster.local' });
  t.equal(action.timeoutMs, 0);
  t.equal(action.retryPolicy?.numRetries, 2);
  t.same(action.retryPolicy?.retryOn, [
    'connect-failure',
    'refused-stream',
    'unavailable',
    'cancelled',
    'retriable-status-codes',
  ]);
  t.equal(action.retryPolicy?.previousHostsPredicate, true);
  t.equal(action.retryPolicy?.hostSelectionRetryMaxAttempts, 5);
});

t.test(
  'clusters: one per HTTP port and per DestinationRule subset, endpoints narrowed by labels',
  async (t) => {
    const { bootstrap } = loadSidecarConfig(`${SE}---\n${DR}`, { workload: { namespace: 'shop' } });
    const all = cluster(bootstrap, 'outbound|9080||reviews.shop.svc.cluster.local');
    t.same(
      all?.endpoints.map((e) => `${e.address.address}:${e.address.port}`),
      ['10.0.0.1:9080', '10.0.0.2:19080'],
      'named endpoint ports override the service port',
    );
    const v2 = cluster(bootstrap, 'outbound|9080|v2|reviews.shop.svc.cluster.local');
    t.same(
      v2?.endpoints.map((e) => e.address.address),
      ['10.0.0.2'],
    );
    t.ok(cluster(bootstrap, 'outbound|9443|v1|reviews.shop.svc.cluster.local'));
    t.notOk(cluster(bootstrap, 'outbound|5432||reviews.shop.svc.cluster.local'));
    t.ok(cluster(bootstrap, 'PassthroughCluster'));
    t.ok(cluster(bootstrap, 'BlackHoleCluster'));
    t.equal(all?.type, 'STATIC');
    t.equal(all?.lbPolicy, 'LEAST_REQUEST', "Istio's default load balancer");
    t.equal(all?.connectTimeoutMs, 10_000, "Istio's connect timeout");
  },
);

t.test(
  'resolution decides discovery: DNS → STRICT_DNS on the host, NONE → ORIGINAL_DST by Host',
  async (t) => {
    const { bootstrap } = loadSidecarConfig(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: default}
spec:
  hosts: [api.example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: any, namespace: default}
spec:
  hosts: ['*.internal.example']
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: NONE
`);
    const dns = cluster(bootstrap, 'outbound|80||api.example.com');
    t.equal(dns?.type, 'STRICT_DNS');
    t.same(
      dns?.endpoints.map((e) => `${e.address.address}:${e.address.port}`),
      ['api.example.com:80'],
    );
    const none = cluster(bootstrap, 'outbound|80||*.internal.example');
    t.equal(none?.type, 'ORIGINAL_DST');
    t.equal(none?.originalDst?.httpHeaderName, ':authority');
  },
);

t.test(
  'outboundTrafficPolicy: ALLOW_ANY passes unknown hosts through, REGISTRY_ONLY answers 502',
  async (t) => {
    const allow = loadSidecarConfig(SE);
    const allowAny = vhosts(allow.bootstrap).at(-1);
    t.equal(allowAny?.name, 'allow_any');
    t.same((allowAny?.routes[0]?.action as ForwardActionConfig | undefined)?.target, {
      kind: 'cluster',
      name: 'PassthroughCluster',
    });
    const block = loadSidecarConfig(SE, { sidecar: { outboundTrafficPolicy: 'REGISTRY_ONLY' } });
    const blockAll = vhosts(block.bootstrap).at(-1);
    t.equal(blockAll?.name, 'block_all');
    t.same(blockAll?.routes[0]?.action, { kind: 'direct_response', status: 502, body: null });
  },
);

t.test(
  'a Sidecar resource: selection by workload labels, egress visibility, its traffic policy',
  async (t) => {
    const other = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: other, namespace: elsewhere}
spec:
  hosts: [other.elsewhere.svc.cluster.local]
  ports: [{number: 80, name: http}]
  resolution: STATIC
  endpoints: [{address: 10.1.1.1}]
`;
    const sidecar = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: frontend, namespace: shop}
spec:
  workloadSelector: {labels: {app: frontend}}
  egress: [{hosts: [./*]}]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
`;
    const docs = `${SE}---\n${other}---\n${sidecar}`;
    const selected = loadSidecarConfig(docs, {
      workload: { namespace: 'shop', labels: { app: 'frontend' } },
    });
    t.notOk(
      cluster(selected.bootstrap, 'outbound|80||other.elsewhere.svc.cluster.local'),
      'egress ./* hides other namespaces',
    );
    t.ok(cluster(selected.bootstrap, 'outbound|9080||reviews.shop.svc.cluster.local'));
    t.equal(vhosts(selected.bootstrap).at(-1)?.name, 'block_all');
    const notSelected = loadSidecarConfig(docs, {
      workload: { namespace: 'shop', labels: { app: 'backend' } },
    });
    t.ok(cluster(notSelected.bootstrap, 'outbound|80||other.elsewhere.svc.cluster.local'));
    t.equal(vhosts(notSelected.bootstrap).at(-1)?.name, 'allow_any');
  },
);

t.test('inbound: from the Sidecar ingress, else --app-port, else no inbound listener', async (t) => {
  const none = loadSidecarConfig(SE, { sidecar: { inboundPort: 0 } });
  t.notOk(none.bootstrap.listeners.some((l) => l.name === 'virtualInbound'));
  const app = loadSidecarConfig(SE, { sidecar: { inboundPort: 0, appPort: 8080 } });
  t.ok(app.bootstrap.listeners.some((l) => l.name === 'virtualInbound'));
  t.same(
    cluster(app.bootstrap, 'inbound|8080||')?.endpoints.map((e) => `${e.address.address}:${e.address.port}`),
    ['127.0.0.1:8080'],
  );
  const ing = loadSidecarConfig(
    `${SE}---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  ingress:
    - port: {number: 9080, protocol: HTTP, name: http}
      defaultEndpoint: 127.0.0.1:19090
`,
    { sidecar: { inboundPort: 0, appPort: 8080 } },
  );
  t.same(
    cluster(ing.bootstrap, 'inbound|9080||')?.endpoints.map((e) => `${e.address.address}:${e.address.port}`),
    ['127.0.0.1:19090'],
  );
  t.notOk(cluster(ing.bootstrap, 'inbound|8080||'), 'the Sidecar ingress wins over --app-port');
  const vh = vhosts(ing.bootstrap, 'virtualInbound');
  t.same(vh[0]?.domains, ['*']);
});

t.test('two VirtualServices on mesh for one host: the oldest wins, the other is reported', async (t) => {
  const vs = (name: string, ts: string, subset: string): string => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: shop, creationTimestamp: "${ts}"}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: ${subset}}}]}]
`;
  const loaded = loadSidecarConfig(
    `${SE}---\n${DR}---\n${vs('canary-new', '2026-02-01T00:00:00Z', 'v2')}---\n${vs('stable-old', '2025-01-01T00:00:00Z', 'v1')}`,
    { workload: { namespace: 'shop' } },
  );
  const route = vhosts(loaded.bootstrap).find((v) => v.name === 'reviews.shop.svc.cluster.local:9080')
    ?.routes[0];
  t.same((route?.action as ForwardActionConfig | undefined)?.target, {
    kind: 'cluster',
    name: 'outbound|9080|v1|reviews.shop.svc.cluster.local',
  });
  t.match(
    loaded.warnings.map((w) => w.message).join('\n'),
    /already routed by VirtualService shop\/stable-old, which comes first in istiod's order/,
  );
});

t.test(
  'AuthorizationPolicy becomes RBAC filters before the inbound router; STRICT makes the inbound listener mTLS-only',
  async (t) => {
    const ap = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: default}
spec: {}
`;
    const r = loadConfigText(`${SE}---\n${ap}`, 'x.yaml', {
      sidecar: testSidecarOptions({ sidecar: { inboundPort: 0, appPort: 8080 } }),
    });
    t.ok(r.ok, r.ok ? '' : r.issues.map((i) => i.message).join('\n'));
    if (r.ok) {
      const inbound = r.bootstrap.listeners.find((l) => l.name === 'virtualInbound');
      for (const chain of inbound?.filterChains ?? []) {
        t.same(
          chain.hcm!.httpFilters.map((f) => f.kind),
          ['rbac', 'router'],
        );
        t.match(chain.hcm!.httpFilters[0], { rules: { action: 'ALLOW', policies: [] }, shadowRules: null });
        t.equal(chain.hcm!.normalizePath, true);
      }
      const outbound = r.bootstrap.listeners.find((l) => l.name === 'virtualOutbound');
      t.equal(outbound?.filterChains[0]?.hcm?.normalizePath, true);
      t.notOk(outbound?.filterChains[0]?.hcm?.httpFilters.some((f) => f.kind === 'rbac'));
    }
    const pa = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;
    const r2 = loadSidecarConfig(`${SE}---\n${pa}`, { sidecar: { inboundPort: 0, appPort: 8080 } });
    t.notMatch(r2.warnings.map((w) => w.message).join('\n'), /STRICT/);
    const inbound = r2.bootstrap.listeners.find((l) => l.name === 'virtualInbound');
    t.same(
      inbound?.filterChains.map((c) => [c.match?.transportProtocol, c.tls?.requireClientCertificate]),
      [['tls', true]],
    );
    t.same(inbound?.listenerFilters, ['tls_inspector']);
  },
);

t.test(
  'what is not served is said with its field: TCP ports, tcp routes without a Sidecar TCP listener',
  async (t) => {
    const loaded = loadSidecarConfig(`${SE}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: shop}
spec:
  hosts: [reviews]
  tcp: [{route: [{destination: {host: reviews, port: {number: 5432}}}]}]
`);
    const w = loaded.warnings.map((x) => `${x.path}: ${x.message}`);
    t.ok(
      w.some((m) => /^spec\.ports\[2\]: port 5432 \(TCP\) is not served: .*captureMode NONE/.test(m)),
      w.join('\n'),
    );
    t.ok(w.some((m) => /^spec\.tcp: tcp routes are not served here/.test(m)));
  },
);
