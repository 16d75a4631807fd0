import t from 'tap';
import { issuesOf, one } from './istio-fixtures.js';

t.test('defaults: a host alone', async (t) => {
  const dr = one('DestinationRule', '  host: reviews\n');
  t.same(dr.spec, {
    host: 'reviews',
    trafficPolicy: null,
    subsets: [],
    exportTo: [],
    workloadSelector: null,
  });
});

t.test('defaults inside a traffic policy are proto defaults (istiod fills in its own)', async (t) => {
  const dr = one(
    'DestinationRule',
    '  host: r\n  trafficPolicy:\n    connectionPool: {tcp: {}, http: {}}\n    outlierDetection: {}\n    tls: {}\n    loadBalancer: {}\n',
  );
  const tp = dr.spec.trafficPolicy!;
  t.same(tp.connectionPool, {
    tcp: {
      maxConnections: 0,
      connectTimeoutMs: null,
      tcpKeepalive: null,
      maxConnectionDurationMs: null,
      idleTimeoutMs: null,
    },
    http: {
      http1MaxPendingRequests: 0,
      http2MaxRequests: 0,
      maxRequestsPerConnection: 0,
      maxRetries: 0,
      idleTimeoutMs: null,
      h2UpgradePolicy: 'DEFAULT',
      useClientProtocol: false,
      maxConcurrentStreams: 0,
    },
  });
  t.same(tp.outlierDetection, {
    consecutive5xxErrors: null,
    consecutiveGatewayErrors: null,
    consecutiveLocalOriginFailures: null,
    splitExternalLocalOriginErrors: false,
    intervalMs: null,
    baseEjectionTimeMs: null,
    maxEjectionPercent: 0,
    minHealthPercent: 0,
  });
  t.equal(tp.tls?.mode, 'DISABLE');
  t.equal(tp.tls?.insecureSkipVerify, null);
  t.equal(tp.loadBalancer?.simple, 'UNSPECIFIED');
  t.same(tp.portLevelSettings, []);
});

t.test('a full DestinationRule', async (t) => {
  const dr = one(
    'DestinationRule',
    `  host: reviews.prod.svc.cluster.local
  exportTo: ["."]
  workloadSelector: {matchLabels: {app: web}}
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie: {name: user, path: /, ttl: 0s}
        maglev: {tableSize: 65537}
      localityLbSetting:
        distribute: [{from: us-west/*, to: {"us-west/*": 80, "us-east/*": 20}}]
        enabled: true
      warmupDurationSecs: 60s
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 30ms
        tcpKeepalive: {probes: 3, time: 7200s, interval: 75s}
        maxConnectionDuration: 1h
        idleTimeout: 5m
      http:
        http1MaxPendingRequests: 10
        http2MaxRequests: 1000
        maxRequestsPerConnection: 1
        maxRetries: 3
        idleTimeout: 30s
        h2UpgradePolicy: UPGRADE
        maxConcurrentStreams: 100
    outlierDetection:
      consecutive5xxErrors: 0
      consecutiveGatewayErrors: 3
      consecutiveLocalOriginFailures: 2
      splitExternalLocalOriginErrors: true
      interval: 5s
      baseEjectionTime: 15m
      maxEjectionPercent: 100
      minHealthPercent: 25
    tls:
      mode: MUTUAL
      clientCertificate: /etc/certs/cert.pem
      privateKey: /etc/certs/key.pem
      caCertificates: /etc/certs/ca.pem
      subjectAltNames: [spiffe://cluster.local/ns/prod/sa/reviews]
      sni: reviews.example
    portLevelSettings:
    - port: {number: 9080}
      loadBalancer: {simple: ROUND_ROBIN}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {simple: RANDOM}
  - name: v2
    labels: {version: v2}
`,
  );
  const tp = dr.spec.trafficPolicy!;
  t.same(tp.loadBalancer?.consistentHash, {
    hashKey: { type: 'httpCookie', name: 'user', path: '/', ttlMs: 0 },
    hashAlgorithm: { type: 'maglev', tableSize: 65537 },
    minimumRingSize: 0,
  });
  t.same(tp.loadBalancer?.localityLbSetting?.distribute, [
    { from: 'us-west/*', to: { 'us-west/*': 80, 'us-east/*': 20 } },
  ]);
  t.equal(tp.loadBalancer?.warmupDurationMs, 60_000);
  t.equal(tp.connectionPool?.tcp?.connectTimeoutMs, 30);
  t.same(tp.connectionPool?.tcp?.tcpKeepalive, { probes: 3, timeMs: 7_200_000, intervalMs: 75_000 });
  t.equal(tp.connectionPool?.tcp?.idleTimeoutMs, 300_000);
  t.equal(tp.connectionPool?.http?.h2UpgradePolicy, 'UPGRADE');
  t.equal(tp.outlierDetection?.consecutive5xxErrors, 0, 'explicit 0 (disables) is kept apart from absent');
  t.equal(tp.outlierDetection?.baseEjectionTimeMs, 900_000);
  t.equal(tp.tls?.mode, 'MUTUAL');
  t.same(
    tp.portLevelSettings.map((p) => [p.port, p.loadBalancer?.simple]),
    [[9080, 'ROUND_ROBIN']],
  );
  t.same(
    dr.spec.subsets.map((s) => [s.name, s.labels, s.trafficPolicy?.loadBalancer?.simple ?? null]),
    [
      ['v1', { version: 'v1' }, 'RANDOM'],
      ['v2', { version: 'v2' }, null],
    ],
  );
  t.same(dr.spec.workloadSelector, { labels: { app: 'web' } });
});

t.test('bad input: one issue per problem, with the field path', async (t) => {
  const cases: [string, string, string[]][] = [
    ['no host', '  subsets: []\n', ['spec: missing required field "host"']],
    ['bad host', '  host: "a b"\n', ['spec.host: invalid host "a b"']],
    [
      'empty traffic policy',
      '  host: a\n  trafficPolicy: {}\n',
      ['spec.trafficPolicy: a traffic policy needs at least one setting'],
    ],
    [
      'unknown lb',
      '  host: a\n  trafficPolicy: {loadBalancer: {simple: FASTEST}}\n',
      [
        'spec.trafficPolicy.loadBalancer.simple: unknown value "FASTEST"; expected one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST',
      ],
    ],
    [
      'simple and consistentHash',
      '  host: a\n  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}\n',
      [
        'spec.trafficPolicy.loadBalancer: only one of simple, consistentHash may be set (found simple and consistentHash)',
      ],
    ],
    [
      'cookie without name',
      '  host: a\n  trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {ttl: 10s}}}}\n',
      ['spec.trafficPolicy.loadBalancer.consistentHash.httpCookie: missing required field "name"'],
    ],
    [
      'maglev not prime',
      '  host: a\n  trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true, maglev: {tableSize: 100}}}}\n',
      ['spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: 100 is not a prime number'],
    ],
    [
      'distribute weights',
      '  host: a\n  trafficPolicy: {loadBalancer: {localityLbSetting: {distribute: [{from: a, to: {b: 50}}]}}}\n',
      [
        'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to: the weights must add up to 100 (they add up to 50)',
      ],
    ],
    [
      'warmup aggression',
      '  host: a\n  trafficPolicy: {loadBalancer: {warmup: {duration: 300s, aggression: 0.3}}}\n',
      ['spec.trafficPolicy.loadBalancer.warmup.aggression: 0.3 is out of range; must be at least 1'],
    ],
    [
      'empty connection pool',
      '  host: a\n  trafficPolicy: {connectionPool: {}}\n',
      ['spec.trafficPolicy.connectionPool: a connection pool needs tcp and/or http settings'],
    ],
    [
      'negative max connections',
      '  host: a\n  trafficPolicy: {connectionPool: {tcp: {maxConnections: -1}}}\n',
      ['spec.trafficPolicy.connectionPool.tcp.maxConnections: -1 is out of range; must be 0–2147483647'],
    ],
    [
      'connect timeout as a number',
      '  host: a\n  trafficPolicy: {connectionPool: {tcp: {connectTimeout: 5}}}\n',
      [
        'spec.trafficPolicy.connectionPool.tcp.connectTimeout: invalid duration: expected a string such as "10s" or "500ms", got a number (5)',
      ],
    ],
    [
      'upgrade with client protocol',
      '  host: a\n  trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}}}\n',
      [
        'spec.trafficPolicy.connectionPool.http.useClientProtocol: must not be true when h2UpgradePolicy is UPGRADE',
      ],
    ],
    [
      'ejection percent',
      '  host: a\n  trafficPolicy: {outlierDetection: {maxEjectionPercent: 150}}\n',
      ['spec.trafficPolicy.outlierDetection.maxEjectionPercent: 150 is out of range; must be 0–100'],
    ],
    [
      'local origin without split',
      '  host: a\n  trafficPolicy: {outlierDetection: {consecutiveLocalOriginFailures: 3}}\n',
      [
        'spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures: requires splitExternalLocalOriginErrors: true',
      ],
    ],
    [
      'outlier misspelt',
      '  host: a\n  trafficPolicy: {outlierDetection: {consecutive5xxError: 3}}\n',
      ['spec.trafficPolicy.outlierDetection: unknown field "consecutive5xxError"'],
    ],
    [
      'tls mode',
      '  host: a\n  trafficPolicy: {tls: {mode: STRICT}}\n',
      [
        'spec.trafficPolicy.tls.mode: unknown value "STRICT"; expected one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL',
      ],
    ],
    [
      'MUTUAL without files',
      '  host: a\n  trafficPolicy: {tls: {mode: MUTUAL}}\n',
      [
        'spec.trafficPolicy.tls: MUTUAL TLS requires clientCertificate',
        'spec.trafficPolicy.tls: MUTUAL TLS requires privateKey',
      ],
    ],
    [
      'port-level without port',
      '  host: a\n  trafficPolicy: {portLevelSettings: [{tls: {mode: SIMPLE}}]}\n',
      ['spec.trafficPolicy.portLevelSettings[0]: missing required field "port"'],
    ],
    [
      'duplicate subsets',
      '  host: a\n  subsets: [{name: v1}, {name: v1}]\n',
      ['spec.subsets: duplicate subset name "v1"'],
    ],
    [
      'subset without name',
      '  host: a\n  subsets: [{labels: {v: "1"}}]\n',
      ['spec.subsets[0]: missing required field "name"'],
    ],
    [
      'numeric label',
      '  host: a\n  subsets: [{name: v1, labels: {version: 2}}]\n',
      ['spec.subsets[0].labels.version: expected a string, got a number (2) (quote it)'],
    ],
    [
      'tunnel (not supported yet)',
      '  host: a\n  trafficPolicy: {tunnel: {targetHost: b, targetPort: 80}}\n',
      ['spec.trafficPolicy.tunnel: tunnel is not supported yet'],
    ],
    [
      'selector with exportTo beyond',
      '  host: a\n  workloadSelector: {matchLabels: {app: b}}\n  exportTo: ["*"]\n',
      ['spec.exportTo: a DestinationRule with a workloadSelector can only be exported to its own namespace'],
    ],
  ];
  for (const [name, body, expected] of cases) t.same(issuesOf('DestinationRule', body), expected, name);
});
