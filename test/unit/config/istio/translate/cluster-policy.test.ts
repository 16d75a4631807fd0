import t from 'tap';
import { DEFAULT_THRESHOLDS } from '../../../../../lib/config/envoy/cluster-circuit-breakers.js';
import { buildOutboundCluster } from '../../../../../lib/config/istio/translate/cluster-policy.js';
import { DestinationRuleIndex } from '../../../../../lib/config/istio/translate/destination-rules.js';
import type { MergedDestinationRule } from '../../../../../lib/config/istio/translate/types.js';
import { clusterSpec, dr, rules, sink, workload } from './dr-fixtures.js';

const MAX = 4_294_967_295;

// The DestinationRule of /work/shared/seed/istio-canary.yaml, unchanged.
const SEED_DR = `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: order-service-dr
  namespace: production
spec:
  host: order-service
  subsets:
    - name: v1
      labels:
        version: 1.8.3
    - name: v2
      labels:
        version: 2.0.0-canary
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 200
      http:
        http1MaxPendingRequests: 100
        http2MaxRequests: 500
        maxRequestsPerConnection: 10
    outlierDetection:     # passive health checking (circuit breaking)
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 60s
      maxEjectionPercent: 50
    loadBalancer:
      simple: LEAST_REQUEST
`;
const ORDER = 'order-service.production.svc.cluster.local';

/** The merged rule a `default`-namespace workload uses for `host`. */
function ruleFor(text: string, host: string, file = 'dr.yaml'): MergedDestinationRule {
  const found = DestinationRuleIndex.build(rules(text, file), workload('default')).forHost(host);
  if (found === null) throw new Error(`no rule for ${host}`);
  return found;
}

t.test('without a DestinationRule: Istio defaults on Envoy defaults', async (t) => {
  const s = sink();
  const c = buildOutboundCluster(clusterSpec('a.example.com', 80), null, s);
  t.equal(c.name, 'outbound|80||a.example.com');
  t.equal(c.type, 'STATIC');
  t.equal(c.lbPolicy, 'LEAST_REQUEST');
  t.equal(c.connectTimeoutMs, 10_000);
  t.same(c.circuitBreakers.default, {
    maxConnections: MAX,
    maxPendingRequests: MAX,
    maxRequests: MAX,
    maxRetries: MAX,
    retryBudget: null,
    trackRemaining: true,
    maxConnectionPools: null,
  });
  t.same(c.circuitBreakers.high, DEFAULT_THRESHOLDS, 'Istio writes no HIGH-priority entry');
  t.equal(c.outlierDetection, null);
  t.equal(c.healthyPanicThresholdPercent, 50);
  t.equal(c.idleTimeoutMs, 3_600_000);
  t.equal(c.maxRequestsPerConnection, 0);
  t.same(c.ringHash, { minimumRingSize: 1024, maximumRingSize: 8_388_608 });
  t.equal(c.maglevTableSize, 65_537);
  t.equal(c.leastRequestChoiceCount, 2);
  t.equal(c.dnsRefreshRateMs, 5000);
  t.equal(c.dnsLookupFamily, 'AUTO');
  t.equal(c.perConnectionBufferLimitBytes, 1_048_576);
  t.equal(c.upstreamProtocol, 'http1');
  t.equal(c.eds, null);
  t.same(c.healthChecks, []);
  t.notOk('slowStart' in c);
  t.notOk('originalDst' in c);
  t.same(s, { issues: [], warnings: [] });
});

t.test('the seed DestinationRule maps field by field', async (t) => {
  const rule = ruleFor(SEED_DR, ORDER);
  for (const subset of ['', 'v1', 'v2']) {
    const s = sink();
    const c = buildOutboundCluster(clusterSpec(ORDER, 8080, subset), rule, s);
    t.equal(c.name, `outbound|8080|${subset}|${ORDER}`);
    t.equal(c.lbPolicy, 'LEAST_REQUEST');
    t.equal(c.connectTimeoutMs, 10_000);
    t.same(c.circuitBreakers.default, {
      maxConnections: 200,
      maxPendingRequests: 100,
      maxRequests: 500,
      maxRetries: MAX,
      retryBudget: null,
      trackRemaining: true,
      maxConnectionPools: null,
    });
    t.equal(c.maxRequestsPerConnection, 10);
    const od = c.outlierDetection!;
    t.equal(od.consecutive5xx, 5);
    t.equal(od.enforcingConsecutive5xx, 100);
    t.equal(od.intervalMs, 30_000);
    t.equal(od.baseEjectionTimeMs, 60_000);
    t.equal(od.maxEjectionTimeMs, 300_000);
    t.equal(od.maxEjectionPercent, 50);
    t.equal(od.enforcingSuccessRate, 0);
    t.equal(od.enforcingConsecutiveGatewayFailure, 0, 'gateway errors stay off');
    t.equal(c.healthyPanicThresholdPercent, 0, 'panic mode off once outlier detection is set');
    t.same(s, { issues: [], warnings: [] }, `nothing to warn about (subset "${subset}")`);
  }
});

function build(body: string, subset = '', port = 9080, opts: Parameters<typeof clusterSpec>[3] = {}) {
  const s = sink();
  const rule = ruleFor(dr('r', 'default', `  host: svc.example.com\n${body}`), 'svc.example.com');
  const c = buildOutboundCluster(clusterSpec('svc.example.com', port, subset, opts), rule, s);
  return { c, s, rule };
}

t.test('outlierDetection: Istio defaults and the 0-disables rule', async (t) => {
  const { c } = build('  trafficPolicy: {outlierDetection: {}}\n');
  const od = c.outlierDetection!;
  t.equal(od.consecutive5xx, 5);
  t.equal(od.enforcingConsecutive5xx, 100);
  t.equal(od.consecutiveGatewayFailure, 5);
  t.equal(od.enforcingConsecutiveGatewayFailure, 0);
  t.equal(od.intervalMs, 10_000);
  t.equal(od.baseEjectionTimeMs, 30_000);
  t.equal(od.maxEjectionPercent, 10);
  t.equal(od.enforcingSuccessRate, 0);
  t.equal(od.splitExternalLocalOriginErrors, false);
  t.equal(od.enforcingLocalOriginSuccessRate, 100);
  t.equal(c.healthyPanicThresholdPercent, 0);

  const full = build(`  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: 0
      consecutiveGatewayErrors: 3
      splitExternalLocalOriginErrors: true
      consecutiveLocalOriginFailures: 2
      baseEjectionTime: 10m
      minHealthPercent: 25
`).c;
  const f = full.outlierDetection!;
  t.equal(f.consecutive5xx, 0);
  t.equal(f.enforcingConsecutive5xx, 0, '0 disables the 5xx check');
  t.equal(f.consecutiveGatewayFailure, 3);
  t.equal(f.enforcingConsecutiveGatewayFailure, 100);
  t.equal(f.splitExternalLocalOriginErrors, true);
  t.equal(f.consecutiveLocalOriginFailure, 2);
  t.equal(f.enforcingConsecutiveLocalOriginFailure, 100);
  t.equal(f.enforcingLocalOriginSuccessRate, 0);
  t.equal(f.baseEjectionTimeMs, 600_000);
  t.equal(f.maxEjectionTimeMs, 600_000, 'the cap follows a longer base ejection time');
  t.equal(full.healthyPanicThresholdPercent, 25);
});

t.test('connectionPool: timeouts, reuse and upstream protocol', async (t) => {
  const { c, s } = build(`  trafficPolicy:
    connectionPool:
      tcp: {connectTimeout: 250ms, idleTimeout: 5m, maxConnections: 0}
      http: {idleTimeout: 30s, maxRetries: 4, maxRequestsPerConnection: 1}
`);
  t.equal(c.connectTimeoutMs, 250);
  t.equal(c.idleTimeoutMs, 30_000, 'http.idleTimeout wins over tcp.idleTimeout');
  t.equal(c.maxRequestsPerConnection, 1);
  t.equal(c.circuitBreakers.default.maxRetries, 4);
  t.equal(c.circuitBreakers.default.maxConnections, MAX, '0 is "unset" for istiod');
  t.same(s.warnings, []);
  t.equal(build('  trafficPolicy: {connectionPool: {tcp: {idleTimeout: 5m}}}\n').c.idleTimeoutMs, 300_000);
  t.equal(build('', '', 9080, { protocol: 'GRPC' }).c.upstreamProtocol, 'http2', 'gRPC ports are HTTP/2');
});

t.test('settings the model cannot carry warn with their Istio field path', async (t) => {
  const { c, s } = build(`  trafficPolicy:
    connectionPool:
      tcp:
        tcpKeepalive: {time: 60s}
        maxConnectionDuration: 1h
      http: {h2UpgradePolicy: UPGRADE, maxConcurrentStreams: 10}
    tls: {mode: ISTIO_MUTUAL}
    loadBalancer:
      simple: PASSTHROUGH
      localityLbSetting:
        failover: [{from: us-east, to: us-west}]
`);
  t.equal(c.upstreamProtocol, 'http2');
  t.equal(c.lbPolicy, 'LEAST_REQUEST', 'PASSTHROUGH balances the known endpoints');
  t.equal(c.type, 'STATIC');
  t.same(
    s.warnings.map((w) => [w.file, w.path]),
    [
      ['dr.yaml', 'spec.trafficPolicy.connectionPool.tcp.tcpKeepalive'],
      ['dr.yaml', 'spec.trafficPolicy.connectionPool.tcp.maxConnectionDuration'],
      ['dr.yaml', 'spec.trafficPolicy.connectionPool.http.h2UpgradePolicy'],
      ['dr.yaml', 'spec.trafficPolicy.connectionPool.http.maxConcurrentStreams'],
      ['dr.yaml', 'spec.trafficPolicy.loadBalancer.localityLbSetting'],
      ['dr.yaml', 'spec.trafficPolicy.loadBalancer.simple'],
    ],
  );
  t.equal(c.upstreamTls?.certificate?.kind, 'workload', 'ISTIO_MUTUAL is applied (issue 5)');
  t.same(s.issues, [], 'never an error');

  const again = sink();
  const rule = ruleFor(
    dr('r', 'default', '  host: x.example.com\n  trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}\n'),
    'x.example.com',
  );
  buildOutboundCluster(clusterSpec('x.example.com', 80), rule, again);
  buildOutboundCluster(clusterSpec('x.example.com', 80, 'v1'), rule, again);
  t.equal(again.warnings.length, 1, 'one warning per written section, not per cluster');

  const client = build('  trafficPolicy: {connectionPool: {http: {useClientProtocol: true}}}\n', '', 9080, {
    protocol: 'HTTP2',
  });
  t.equal(client.c.upstreamProtocol, 'http1');
  t.same(
    client.s.warnings.map((w) => w.path),
    ['spec.trafficPolicy.connectionPool.http.useClientProtocol'],
  );
  const disabled = build('  trafficPolicy: {tls: {mode: DISABLE}}\n');
  t.same(disabled.s.warnings, [], 'DISABLE is plaintext');
  t.equal(disabled.c.upstreamTls, undefined);
  t.equal(disabled.c.transportSocketMatches, undefined);
  const off = build('  trafficPolicy: {loadBalancer: {localityLbSetting: {enabled: false}}}\n');
  t.same(off.s.warnings, []);
});

t.test('subsets inherit the destination policy section by section', async (t) => {
  const body = `  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 7}}
    loadBalancer: {simple: ROUND_ROBIN}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer: {simple: RANDOM}
      tls: {mode: SIMPLE}
`;
  const whole = build(body).c;
  t.equal(whole.lbPolicy, 'ROUND_ROBIN');
  const v1 = build(body, 'v1').c;
  t.equal(v1.lbPolicy, 'ROUND_ROBIN');
  t.equal(v1.circuitBreakers.default.maxConnections, 7);
  const v2 = build(body, 'v2');
  t.equal(v2.c.lbPolicy, 'RANDOM', 'the subset overrides its section');
  t.equal(v2.c.circuitBreakers.default.maxConnections, 7, 'and inherits the others');
  t.same(v2.s.warnings, []);
  t.equal(v2.c.upstreamTls?.sni, 'svc.example.com', 'the subset adds SIMPLE');
  t.equal(build(body, 'nope').c.lbPolicy, 'ROUND_ROBIN', 'an unknown subset gets the destination policy');
});

t.test('portLevelSettings replace the destination settings without inheritance', async (t) => {
  const body = `  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 7}}
    outlierDetection: {consecutive5xxErrors: 3}
    loadBalancer: {simple: RANDOM}
    portLevelSettings:
    - port: {number: 9080}
      loadBalancer: {simple: ROUND_ROBIN}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      outlierDetection: {consecutive5xxErrors: 9}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      connectionPool: {tcp: {maxConnections: 8}}
      portLevelSettings:
      - port: {number: 7070}
        tls: {mode: SIMPLE}
`;
  const onPort = build(body, '', 9080).c;
  t.equal(onPort.lbPolicy, 'ROUND_ROBIN');
  t.equal(onPort.circuitBreakers.default.maxConnections, MAX, 'the destination pool is not inherited');
  t.equal(onPort.outlierDetection, null, 'nor its outlier detection');
  const otherPort = build(body, '', 8080).c;
  t.equal(otherPort.lbPolicy, 'RANDOM');
  t.equal(otherPort.circuitBreakers.default.maxConnections, 7);
  t.equal(otherPort.outlierDetection?.consecutive5xx, 3);

  const v1 = build(body, 'v1', 9080).c;
  t.equal(v1.lbPolicy, 'ROUND_ROBIN', 'a subset inherits the port-level destination policy');
  t.equal(v1.outlierDetection?.consecutive5xx, 9);
  t.equal(v1.circuitBreakers.default.maxConnections, MAX);

  const v2 = build(body, 'v2', 7070);
  t.equal(v2.c.lbPolicy, 'LEAST_REQUEST', "the subset's port-level entry replaces every section");
  t.equal(v2.c.circuitBreakers.default.maxConnections, MAX);
  t.equal(v2.c.outlierDetection, null);
  t.same(v2.s.warnings, []);
  t.equal(v2.c.upstreamTls?.sni, 'svc.example.com', "the subset's port-level SIMPLE applies");
  t.equal(build(body, 'v2', 8080).c.circuitBreakers.default.maxConnections, 8);
});

t.test('warm-up becomes slow start for ROUND_ROBIN and LEAST_REQUEST', async (t) => {
  const warm = build('  trafficPolicy: {loadBalancer: {warmupDurationSecs: 60s}}\n').c;
  t.same(warm.slowStart, { windowMs: 60_000, aggression: 1, minWeightFraction: 0.1 });
  const full = build(
    '  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN, warmup: {duration: 30s, minimumPercent: 20, aggression: 2}}}\n',
  ).c;
  t.same(full.slowStart, { windowMs: 30_000, aggression: 2, minWeightFraction: 0.2 });
  const random = build('  trafficPolicy: {loadBalancer: {simple: RANDOM, warmupDurationSecs: 60s}}\n');
  t.notOk('slowStart' in random.c);
  t.same(
    random.s.warnings.map((w) => w.path),
    ['spec.trafficPolicy.loadBalancer.warmupDurationSecs'],
  );
  t.equal(build('  trafficPolicy: {loadBalancer: {simple: LEAST_CONN}}\n').c.lbPolicy, 'LEAST_REQUEST');
});

t.test('ORIGINAL_DST clusters keep their destination and ignore the balancer', async (t) => {
  const { c } = build(
    '  trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true}}, outlierDetection: {}}\n',
    '',
    9080,
    { type: 'ORIGINAL_DST' },
  );
  t.equal(c.type, 'ORIGINAL_DST');
  t.equal(c.originalDst?.httpHeaderName, ':authority');
  t.equal(c.lbPolicy, 'LEAST_REQUEST');
  t.ok(c.outlierDetection, 'outlier detection still applies');
});
