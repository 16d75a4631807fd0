import { readFile } from 'node:fs/promises';
import t from 'tap';
import { ISTIO_TEXT_FORMAT } from '../../../../../lib/accesslog/istio-formats.js';
import { encodeBootstrapYaml } from '../../../../../lib/config/envoy/encode/yaml.js';
import type {
  AccessLogConfig,
  Bootstrap,
  ClusterConfig,
  ListenerConfig,
  TcpProxyConfig,
} from '../../../../../lib/config/model.js';
import { loadSidecarConfig, type SidecarTestOptions } from '../../../../helpers/sidecar.js';

const DB = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: shop}
spec:
  hosts: [db.shop.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
  resolution: STATIC
  endpoints:
    - {address: 10.0.0.1, labels: {version: v1, security.istio.io/tlsMode: istio}}
    - {address: 10.0.0.2, labels: {version: v2}}
`;

const DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 7, connectTimeout: 2s, idleTimeout: 90s, maxConnectionDuration: 1h}}
    outlierDetection: {consecutive5xxErrors: 3}
    loadBalancer: {simple: ROUND_ROBIN}
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
`;

function sidecar(egress: string, ingress = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: app, namespace: shop}
spec:
${egress === '' ? '' : `  egress:\n${egress}`}${ingress === '' ? '' : `  ingress:\n${ingress}`}`;
}

const EGRESS_5432 = `    - port: {number: 5432, protocol: TCP, name: tcp}
      captureMode: NONE
      hosts: [./db.shop.svc.cluster.local]
    - hosts: ["./*"]
`;

const OPTS: SidecarTestOptions = { workload: { namespace: 'shop', labels: { app: 'web' } } };

function load(yaml: string, o: SidecarTestOptions = OPTS) {
  const r = loadSidecarConfig(yaml, o);
  return { b: r.bootstrap, warnings: r.warnings.map((w) => `${w.path}: ${w.message}`) };
}

function listener(b: Bootstrap, name: string): ListenerConfig | undefined {
  return b.listeners.find((l) => l.name === name);
}

function proxyOf(l: ListenerConfig | undefined, chain = 0): TcpProxyConfig | undefined {
  return l?.filterChains[chain]?.tcpProxy;
}

function cluster(b: Bootstrap, name: string): ClusterConfig | undefined {
  return b.clusters.find((c) => c.name === name);
}

t.test(
  'an egress TCP port with captureMode NONE is a tcp_proxy listener on 127.0.0.1, named as istiod names it',
  async (t) => {
    const { b, warnings } = load([DB, DR, sidecar(EGRESS_5432)].join('---\n'));
    const l = listener(b, '127.0.0.1_5432');
    t.ok(l, warnings.join('\n'));
    t.same(l?.address, { address: '127.0.0.1', port: 5432 });
    t.equal(l?.trafficDirection, 'OUTBOUND');
    t.equal(l?.filterChains.length, 1);
    t.same(proxyOf(l), {
      statPrefix: 'outbound|5432||db.shop.svc.cluster.local',
      clusters: [{ name: 'outbound|5432||db.shop.svc.cluster.local', weight: 1 }],
      idleTimeoutMs: 90_000,
      maxConnectAttempts: 1,
      maxDownstreamConnectionDurationMs: 3_600_000,
      accessLog: [],
    });
    for (const name of ['', 'v1', 'v2']) {
      const c = cluster(b, `outbound|5432|${name}|db.shop.svc.cluster.local`);
      t.ok(c, `cluster for subset "${name}"`);
      t.equal(c?.connectTimeoutMs, 2000);
      t.equal(c?.circuitBreakers.default.maxConnections, 7);
      t.equal(c?.lbPolicy, 'ROUND_ROBIN');
      t.equal(c?.outlierDetection?.consecutive5xx, 3);
    }
    t.same(
      cluster(b, 'outbound|5432|v1|db.shop.svc.cluster.local')?.endpoints.map((e) => e.address.address),
      ['10.0.0.1'],
    );
    t.notOk(
      warnings.some((w) => /5432/.test(w)),
      'no "not served" warning for the served port',
    );
  },
);

t.test('a bind address and no DestinationRule: Istio defaults (1 h idle, no duration cap)', async (t) => {
  const egress = `    - port: {number: 5432, protocol: MONGO, name: mongo}
      bind: 127.0.0.2
      captureMode: NONE
      hosts: [./db.shop.svc.cluster.local]
`;
  const { b } = load([DB, sidecar(egress)].join('---\n'));
  const p = proxyOf(listener(b, '127.0.0.2_5432'));
  t.equal(p?.idleTimeoutMs, 3_600_000);
  t.equal(p?.maxDownstreamConnectionDurationMs, 0);
});

t.test('auto mTLS on a TCP cluster offers Istio TCP ALPN; ISTIO_MUTUAL too', async (t) => {
  const { b } = load([DB, sidecar(EGRESS_5432)].join('---\n'));
  const c = cluster(b, 'outbound|5432||db.shop.svc.cluster.local');
  const istio = c?.transportSocketMatches?.find((m) => m.name === 'tlsMode-istio');
  t.same(istio?.tls?.alpnProtocols, ['istio-peer-exchange', 'istio']);
  t.equal(istio?.tls?.sni, 'outbound_.5432_._.db.shop.svc.cluster.local');
  const mutual = DR.replace('loadBalancer: {simple: ROUND_ROBIN}', 'tls: {mode: ISTIO_MUTUAL}');
  const m = load([DB, mutual, sidecar(EGRESS_5432)].join('---\n')).b;
  t.same(cluster(m, 'outbound|5432|v2|db.shop.svc.cluster.local')?.upstreamTls?.alpnProtocols, [
    'istio-peer-exchange',
    'istio',
  ]);
});

const VS_TCP = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db-split, namespace: shop}
spec:
  hosts: [db]
  tcp:
    - match: [{port: 9999}]
      route: [{destination: {host: db, subset: v2}}]
    - match: [{sourceLabels: {app: other}}]
      route: [{destination: {host: db, subset: v2}}]
    - match: [{port: 5432, sourceLabels: {app: web}}]
      route:
        - {destination: {host: db, subset: v1}, weight: 80}
        - {destination: {host: db, subset: v2}, weight: 20}
        - {destination: {host: db, subset: v2}, weight: 0}
`;

t.test('a VirtualService tcp rule matching port and sourceLabels → weighted subset clusters', async (t) => {
  const { b, warnings } = load([DB, DR, VS_TCP, sidecar(EGRESS_5432)].join('---\n'));
  const p = proxyOf(listener(b, '127.0.0.1_5432'));
  t.same(p?.clusters, [
    { name: 'outbound|5432|v1|db.shop.svc.cluster.local', weight: 80 },
    { name: 'outbound|5432|v2|db.shop.svc.cluster.local', weight: 20 },
  ]);
  t.equal(p?.statPrefix, 'db-split.shop', 'istiod: <vs name>.<vs namespace> for weighted clusters');
  t.notOk(
    warnings.some((w) => w.startsWith('spec.tcp')),
    warnings.join('\n'),
  );
  const single = VS_TCP.replace(
    / {4}- match: \[\{port: 5432[\s\S]*$/,
    '    - route: [{destination: {host: db, subset: v1}}]\n',
  );
  const s = proxyOf(listener(load([DB, DR, single, sidecar(EGRESS_5432)].join('---\n')).b, '127.0.0.1_5432'));
  t.same(s?.clusters, [{ name: 'outbound|5432|v1|db.shop.svc.cluster.local', weight: 1 }]);
  t.equal(s?.statPrefix, 'outbound|5432|v1|db.shop.svc.cluster.local');
});

t.test('destinationSubnets matches are skipped with a warning', async (t) => {
  const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: shop}
spec:
  hosts: [db]
  tcp:
    - match: [{destinationSubnets: [10.0.0.0/8]}]
      route: [{destination: {host: db, subset: v2}}]
`;
  const { b, warnings } = load([DB, DR, vs, sidecar(EGRESS_5432)].join('---\n'));
  t.same(proxyOf(listener(b, '127.0.0.1_5432'))?.clusters, [
    { name: 'outbound|5432||db.shop.svc.cluster.local', weight: 1 },
  ]);
  t.ok(
    warnings.some((w) => /^spec\.tcp\[0\]\.match\[0\]\.destinationSubnets: this match is skipped/.test(w)),
    warnings.join('\n'),
  );
});

t.test('a route to a subset nobody defines names a missing cluster, with a warning', async (t) => {
  const vs = VS_TCP.replace('subset: v1}, weight: 80', 'subset: v9}, weight: 80');
  const { warnings } = load([DB, DR, vs, sidecar(EGRESS_5432)].join('---\n'));
  t.ok(
    warnings.some((w) =>
      /^spec\.egress\[0\]: port 5432 \(TCP\): cluster outbound\|5432\|v9\|db\.shop\.svc\.cluster\.local does not exist/.test(
        w,
      ),
    ),
    warnings.join('\n'),
  );
});

t.test('bad input: no service on the port, TLS ports, no captureMode NONE, several services', async (t) => {
  const none = load([DB, sidecar(EGRESS_5432.replace('number: 5432', 'number: 6379'))].join('---\n'));
  t.notOk(listener(none.b, '127.0.0.1_6379'));
  t.ok(
    none.warnings.some((w) =>
      /^spec\.egress\[0\]\.port: port 6379 is not served: no service imported by hosts \[\.\/db\.shop\.svc\.cluster\.local\] has port 6379/.test(
        w,
      ),
    ),
    none.warnings.join('\n'),
  );
  const tls = load([DB, sidecar(EGRESS_5432.replace('protocol: TCP', 'protocol: TLS'))].join('---\n'));
  t.notOk(listener(tls.b, '127.0.0.1_5432'));
  t.ok(
    tls.warnings.some((w) =>
      /^spec\.egress\[0\]\.port\.protocol: port 5432 \(TLS\) is not served: TLS\/HTTPS ports are routed by SNI/.test(
        w,
      ),
    ),
  );
  const capture = load(
    [DB, sidecar(EGRESS_5432.replace('captureMode: NONE', 'captureMode: DEFAULT'))].join('---\n'),
  );
  t.notOk(listener(capture.b, '127.0.0.1_5432'));
  t.ok(
    capture.warnings.some((w) =>
      /^spec\.egress\[0\]\.captureMode: .*needs iptables capture unless captureMode is NONE/.test(w),
    ),
  );
  t.ok(
    capture.warnings.some((w) =>
      /^spec\.ports\[0\]: port 5432 \(TCP\) is not served: Skiff proxies TCP ports only on a Sidecar egress listener/.test(
        w,
      ),
    ),
  );
  const other = DB.replace('name: db,', 'name: db2,').replace('db.shop.svc', 'db2.shop.svc');
  const both = load(
    [DB, other, sidecar(EGRESS_5432.replace('[./db.shop.svc.cluster.local]', '["./*"]'))].join('---\n'),
  );
  t.same(proxyOf(listener(both.b, '127.0.0.1_5432'))?.clusters, [
    { name: 'outbound|5432||db.shop.svc.cluster.local', weight: 1 },
  ]);
  t.ok(
    both.warnings.some((w) =>
      /^spec\.egress\[0\]\.port: services db\.shop\.svc\.cluster\.local, db2\.shop\.svc\.cluster\.local all have port 5432; .*db\.shop\.svc\.cluster\.local \(the oldest ServiceEntry/.test(
        w,
      ),
    ),
    both.warnings.join('\n'),
  );
});

const INGRESS = `    - port: {number: 9000, protocol: TCP, name: tcp-app}
      captureMode: NONE
      defaultEndpoint: 127.0.0.1:19000
`;

function pa(mode: string): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: ${mode}}
`;
}

t.test(
  'an ingress TCP port with captureMode NONE: its own listener to inbound|port|| by PeerAuthentication',
  async (t) => {
    const permissive = load(sidecar('', INGRESS));
    const l = listener(permissive.b, '127.0.0.1_9000');
    t.ok(l, permissive.warnings.join('\n'));
    t.equal(l?.trafficDirection, 'INBOUND');
    t.same(l?.address, { address: '127.0.0.1', port: 9000 }, '--bind-address stands for the pod IP');
    t.same(l?.listenerFilters, ['tls_inspector']);
    t.same(
      l?.filterChains.map((c) => [
        c.match?.transportProtocol,
        c.tls?.requireClientCertificate ?? null,
        c.tcpProxy?.clusters[0]?.name,
      ]),
      [
        ['tls', true, 'inbound|9000||'],
        ['raw_buffer', null, 'inbound|9000||'],
      ],
    );
    const alpn = l?.filterChains[0]?.tls?.alpnProtocols ?? [];
    t.same(alpn.slice(0, 2), ['istio-peer-exchange', 'istio'], 'TCP ALPNs first');
    t.ok(alpn.includes('istio-http/1.1'), 'HTTP ALPNs accepted too');
    t.equal(proxyOf(l)?.statPrefix, 'inbound|9000||');
    t.same(
      cluster(permissive.b, 'inbound|9000||')?.endpoints.map((e) => e.address),
      [{ address: '127.0.0.1', port: 19000 }],
    );
    t.notOk(listener(permissive.b, 'virtualInbound'), 'a TCP port is not an HTTP inbound port');

    const strict = listener(load([sidecar('', INGRESS), pa('STRICT')].join('---\n')).b, '127.0.0.1_9000');
    t.same(
      strict?.filterChains.map((c) => c.match?.transportProtocol),
      ['tls'],
    );
    const plain = listener(load([sidecar('', INGRESS), pa('DISABLE')].join('---\n')).b, '127.0.0.1_9000');
    t.same(
      plain?.filterChains.map((c) => [c.match, c.tls]),
      [[undefined, undefined]],
    );
    t.equal(plain?.listenerFilters, undefined);
    const bound = load(
      sidecar('', INGRESS.replace('captureMode: NONE', 'captureMode: NONE\n      bind: 0.0.0.0')),
    );
    t.ok(listener(bound.b, '0.0.0.0_9000'));
  },
);

function authz(action: string, annotations = ''): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: guard, namespace: shop${annotations}}
spec:
  action: ${action}
  rules: [{from: [{source: {principals: [x]}}]}]
`;
}

t.test(
  'an AuthorizationPolicy on the workload puts network RBAC before every inbound TCP chain',
  async (t) => {
    for (const action of ['ALLOW', 'DENY', 'AUDIT']) {
      const r = load([sidecar('', INGRESS), authz(action)].join('---\n'));
      const l = listener(r.b, '127.0.0.1_9000');
      t.ok(l, r.warnings.join('\n'));
      t.equal(l?.filterChains.length, 2, 'PERMISSIVE: TLS and plaintext chains');
      for (const c of l?.filterChains ?? []) {
        const rbac = c.hcm === undefined ? c.networkRbac : undefined;
        t.equal(rbac?.length, 1, action);
        t.equal(rbac?.[0]?.statPrefix, 'tcp.');
        t.equal(rbac?.[0]?.rules?.action, action === 'AUDIT' ? 'LOG' : action);
      }
    }
    const dry = authz('DENY', ', annotations: {istio.io/dry-run: "true"}');
    const c = listener(load([sidecar('', INGRESS), dry].join('---\n')).b, '127.0.0.1_9000')?.filterChains[0];
    const rbac = c?.hcm === undefined ? c?.networkRbac?.[0] : undefined;
    t.equal(rbac?.rules, null, 'dry-run enforces nothing');
    t.equal(rbac?.shadowRules?.policies.length, 1);
    t.equal(rbac?.shadowRulesStatPrefix, 'istio_dry_run_deny_');
    const none = listener(load(sidecar('', INGRESS)).b, '127.0.0.1_9000')?.filterChains[0];
    t.equal(none?.hcm === undefined ? none?.networkRbac : 'hcm', undefined, 'no policy, no filter');
  },
);

t.test('ingress TCP ports without captureMode NONE, and TLS ones, are refused with the reason', async (t) => {
  const r = load(sidecar('', INGRESS.replace('      captureMode: NONE\n', '')));
  t.notOk(listener(r.b, '127.0.0.1_9000'));
  t.ok(
    r.warnings.some((w) =>
      /^spec\.ingress\[0\]\.captureMode: port 9000 \(TCP\) is not served: a TCP ingress port needs iptables capture/.test(
        w,
      ),
    ),
    r.warnings.join('\n'),
  );
  const tls = load(sidecar('', INGRESS.replace('protocol: TCP', 'protocol: TLS')));
  t.ok(
    tls.warnings.some((w) =>
      /^spec\.ingress\[0\]\.port\.protocol: port 9000 \(TLS\) is not served: TLS\/HTTPS ports are routed by SNI/.test(
        w,
      ),
    ),
  );
});

const LOG: AccessLogConfig = {
  name: 'envoy.access_loggers.file',
  path: '/dev/stdout',
  textFormat: ISTIO_TEXT_FORMAT,
  jsonFormat: null,
};

t.test('--access-log lands on the tcp_proxy chains, and skiff translate prints them', async (t) => {
  const { b } = load([DB, DR, VS_TCP, sidecar(EGRESS_5432, INGRESS)].join('---\n'), {
    ...OPTS,
    sidecar: { accessLog: LOG },
  });
  for (const name of ['127.0.0.1_5432', '127.0.0.1_9000']) {
    const l = listener(b, name);
    t.ok(l?.filterChains.length, name);
    for (const c of l?.filterChains ?? []) t.same(c.tcpProxy?.accessLog, [LOG], `${name}/${c.name}`);
  }
  const yaml = encodeBootstrapYaml(b);
  t.match(
    yaml,
    /name: 127\.0\.0\.1_5432[\s\S]*envoy\.filters\.network\.tcp_proxy[\s\S]*stat_prefix: db-split\.shop/,
  );
  t.match(yaml, /weight: 80/);
  t.match(yaml, /idle_timeout: 90s/);
  t.match(yaml, /name: 127\.0\.0\.1_9000[\s\S]*stat_prefix: inbound\|9000\|\|/);
});

t.test('the example config-examples/istio/tcp-sidecar.yaml: one TCP listener, three clusters', async (t) => {
  const text = await readFile(
    new URL('../../../../../../config-examples/istio/tcp-sidecar.yaml', import.meta.url),
    'utf8',
  );
  const { b, warnings } = load(text, { workload: { namespace: 'production', labels: { app: 'orders' } } });
  t.same(warnings, []);
  const p = proxyOf(listener(b, '127.0.0.1_5432'));
  t.same(
    p?.clusters.map((c) => [c.name, c.weight]),
    [
      ['outbound|5432|v1|orders-db.production.svc.cluster.local', 90],
      ['outbound|5432|v2|orders-db.production.svc.cluster.local', 10],
    ],
  );
  t.equal(p?.idleTimeoutMs, 1_800_000);
  t.same(
    b.clusters.filter((c) => c.name.startsWith('outbound|5432|')).map((c) => c.name),
    ['', 'v1', 'v2'].map((s) => `outbound|5432|${s}|orders-db.production.svc.cluster.local`),
  );
});

t.test('a consistentHash DestinationRule on a TCP port warns that tcp_proxy has no hash', async (t) => {
  const dr = DR.replace(
    'loadBalancer: {simple: ROUND_ROBIN}',
    'loadBalancer: {consistentHash: {useSourceIp: true}}',
  );
  const { b, warnings } = load(`${DB}---\n${dr}---\n${sidecar(EGRESS_5432)}`);
  t.ok(
    b.listeners.some((l) => l.name === '127.0.0.1_5432'),
    'still served',
  );
  t.ok(
    warnings.some((w) =>
      /consistentHash load balancer of outbound\|5432\|\|db\.shop\.svc\.cluster\.local has no hash on TCP/.test(
        w,
      ),
    ),
    warnings.join('\n'),
  );
});
