/** Hand-built clusters (one per discovery type and load balancer) with every optional section set. */
import type {
  ClusterConfig,
  EndpointConfig,
  HealthCheckConfig,
  OutlierDetectionConfig,
} from '../../../../lib/config/model.js';

const THRESHOLDS = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
  retryBudget: null,
  trackRemaining: false,
  maxConnectionPools: null,
};

const OUTLIER: OutlierDetectionConfig = {
  consecutive5xx: 3,
  consecutiveGatewayFailure: 2,
  consecutiveLocalOriginFailure: 4,
  splitExternalLocalOriginErrors: true,
  intervalMs: 500,
  baseEjectionTimeMs: 400_000,
  maxEjectionTimeMs: 900_000,
  maxEjectionTimeJitterMs: 1500,
  maxEjectionPercent: 100,
  alwaysEjectOneHost: true,
  enforcingConsecutive5xx: 90,
  enforcingConsecutiveGatewayFailure: 80,
  enforcingConsecutiveLocalOriginFailure: 70,
  enforcingSuccessRate: 60,
  enforcingLocalOriginSuccessRate: 50,
  enforcingFailurePercentage: 40,
  enforcingFailurePercentageLocalOrigin: 30,
  successRateMinimumHosts: 2,
  successRateRequestVolume: 20,
  successRateStdevFactor: 1500,
  failurePercentageThreshold: 70,
  failurePercentageMinimumHosts: 1,
  failurePercentageRequestVolume: 10,
  successfulActiveHealthCheckUnejectHost: false,
};

const HTTP_CHECK: HealthCheckConfig = {
  timeoutMs: 1000,
  intervalMs: 5000,
  initialJitterMs: 100,
  intervalJitterMs: 200,
  intervalJitterPercent: 10,
  unhealthyThreshold: 3,
  healthyThreshold: 2,
  reuseConnection: false,
  noTrafficIntervalMs: 30_000,
  noTrafficHealthyIntervalMs: 45_000,
  unhealthyIntervalMs: 2000,
  unhealthyEdgeIntervalMs: 1000,
  healthyEdgeIntervalMs: 3000,
  alwaysLogHealthCheckFailures: true,
  eventLogPath: '/tmp/hc.log',
  checker: {
    kind: 'http',
    host: 'hc.local',
    path: '/healthz',
    method: 'HEAD',
    requestHeadersToAdd: [
      { key: 'x-hc', value: 'yes', appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD', keepEmptyValue: false },
    ],
    requestHeadersToRemove: ['user-agent'],
    expectedStatuses: [
      { start: 200, end: 300 },
      { start: 404, end: 405 },
    ],
    retriableStatuses: [{ start: 503, end: 504 }],
    serviceNameMatcher: { kind: 'prefix', value: 'orders', ignoreCase: true },
  },
};

const TCP_CHECK: HealthCheckConfig = {
  ...HTTP_CHECK,
  initialJitterMs: 0,
  intervalJitterMs: 0,
  intervalJitterPercent: 0,
  reuseConnection: true,
  noTrafficIntervalMs: 60_000,
  noTrafficHealthyIntervalMs: 60_000,
  unhealthyIntervalMs: 5000,
  unhealthyEdgeIntervalMs: 5000,
  healthyEdgeIntervalMs: 5000,
  alwaysLogHealthCheckFailures: false,
  eventLogPath: null,
  checker: { kind: 'tcp', send: '50494e47', receive: ['504f', '4e47'] },
};

function endpoint(address: string, over: Partial<EndpointConfig> = {}): EndpointConfig {
  return {
    address: { address, port: 8080 },
    weight: 1,
    healthStatus: 'UNKNOWN',
    locality: { region: '', zone: '', subZone: '' },
    priority: 0,
    hostname: '',
    labels: {},
    ...over,
  };
}

function cluster(name: string, over: Partial<ClusterConfig>): ClusterConfig {
  return {
    name,
    type: 'STATIC',
    connectTimeoutMs: 5000,
    lbPolicy: 'ROUND_ROBIN',
    endpoints: [],
    dnsRefreshRateMs: 5000,
    dnsLookupFamily: 'AUTO',
    idleTimeoutMs: 3_600_000,
    maxRequestsPerConnection: 0,
    perConnectionBufferLimitBytes: 1_048_576,
    leastRequestChoiceCount: 2,
    ringHash: { minimumRingSize: 1024, maximumRingSize: 8_388_608 },
    maglevTableSize: 65_537,
    healthyPanicThresholdPercent: 50,
    eds: null,
    upstreamProtocol: 'http1',
    outlierDetection: null,
    healthChecks: [],
    circuitBreakers: { default: THRESHOLDS, high: THRESHOLDS },
    ...over,
  };
}

/** Clusters: one per discovery type and load balancer, each with its optional sections set. */
export const CLUSTERS: readonly ClusterConfig[] = [
  cluster('static', {
    connectTimeoutMs: 250.5,
    endpoints: [
      endpoint('10.0.0.1', {
        weight: 3,
        healthStatus: 'HEALTHY',
        hostname: 'a.local',
        labels: { version: 'v1', canary: 'true' },
      }),
      endpoint('10.0.0.2', { locality: { region: 'eu', zone: 'eu-1', subZone: 'r1' } }),
      endpoint('10.0.0.3', {
        locality: { region: 'eu', zone: 'eu-1', subZone: 'r1' },
        healthStatus: 'DRAINING',
      }),
      endpoint('10.0.0.4', { priority: 1, healthStatus: 'DEGRADED' }),
      endpoint('::1', { healthStatus: 'TIMEOUT' }),
    ],
    dnsLookupFamily: 'V6_ONLY',
    idleTimeoutMs: 30_000,
    maxRequestsPerConnection: 10,
    perConnectionBufferLimitBytes: 32_768,
    healthyPanicThresholdPercent: 0,
    upstreamProtocol: 'http2',
    slowStart: { windowMs: 30_000, aggression: 1.5, minWeightFraction: 0.07 },
    outlierDetection: OUTLIER,
    healthChecks: [HTTP_CHECK],
    circuitBreakers: {
      default: {
        ...THRESHOLDS,
        maxConnections: 500,
        maxPendingRequests: 200,
        maxRequests: 1000,
        maxRetries: 0,
        trackRemaining: true,
        maxConnectionPools: 4,
      },
      high: { ...THRESHOLDS, retryBudget: { budgetPercent: 12.5, minRetryConcurrency: 1 } },
    },
  }),
  cluster('dns', {
    type: 'STRICT_DNS',
    lbPolicy: 'LEAST_REQUEST',
    endpoints: [endpoint('orders.local'), endpoint('orders2.local', { weight: 2 })],
    dnsRefreshRateMs: 1000,
    dnsLookupFamily: 'V4_PREFERRED',
    leastRequestChoiceCount: 4,
    activeRequestBias: 0.5,
    slowStart: { windowMs: 1000, aggression: 1, minWeightFraction: 0.1 },
    outlierDetection: { ...OUTLIER, baseEjectionTimeMs: 30_000, maxEjectionTimeMs: 300_000 },
    healthChecks: [TCP_CHECK],
    circuitBreakers: {
      default: THRESHOLDS,
      high: { ...THRESHOLDS, retryBudget: { budgetPercent: 20, minRetryConcurrency: 3 } },
    },
  }),
  cluster('logical', {
    type: 'LOGICAL_DNS',
    lbPolicy: 'RANDOM',
    endpoints: [endpoint('one.local')],
    dnsLookupFamily: 'ALL',
    activeRequestBias: 0,
  }),
  cluster('ring', { lbPolicy: 'RING_HASH', ringHash: { minimumRingSize: 16, maximumRingSize: 64 } }),
  cluster('maglev', {
    lbPolicy: 'MAGLEV',
    maglevTableSize: 251,
    outlierDetection: { ...OUTLIER, maxEjectionTimeMs: 400_000 },
  }),
  cluster('eds-file', { type: 'EDS', eds: { path: '/etc/skiff/eds.yaml', serviceName: 'orders.svc' } }),
  cluster('eds-same', { type: 'EDS', eds: { path: 'eds.json', serviceName: 'eds-same' } }),
  cluster('eds-doc', {
    type: 'EDS',
    endpoints: [endpoint('10.1.0.1', { labels: { version: 'v2' } }), endpoint('10.1.0.2', { priority: 2 })],
  }),
  cluster('tls-files', {
    upstreamTls: {
      sni: 'api.example.com',
      certificate: { kind: 'files', certChainPath: '/certs/c.pem', privateKeyPath: '/certs/k.pem' },
      validation: {
        trust: { kind: 'file', path: '/certs/ca.pem' },
        subjectAltNames: [
          { sanType: 'DNS', matcher: { kind: 'suffix', value: '.example.com', ignoreCase: true } },
          { sanType: 'IP_ADDRESS', matcher: { kind: 'exact', value: '10.0.0.1', ignoreCase: false } },
        ],
        acceptUntrusted: true,
      },
      alpnProtocols: ['h2', 'http/1.1'],
      minVersion: 'TLSv1_3',
      maxVersion: 'TLSv1_3',
    },
  }),
  cluster('tls-system', {
    upstreamTls: {
      sni: '',
      certificate: null,
      validation: { trust: { kind: 'system' }, subjectAltNames: [], acceptUntrusted: false },
      alpnProtocols: [],
      minVersion: 'TLSv1_2',
      maxVersion: 'TLSv1_3',
    },
  }),
  cluster('tls-auto', {
    endpoints: [endpoint('10.2.0.1', { labels: { 'security.istio.io/tlsMode': 'istio' } })],
    transportSocketMatches: [
      {
        name: 'tlsMode-istio',
        match: { 'security.istio.io/tlsMode': 'istio' },
        tls: {
          sni: 'outbound_.80_._.a.default.svc.cluster.local',
          certificate: { kind: 'workload' },
          validation: {
            trust: { kind: 'workload' },
            subjectAltNames: [
              {
                sanType: 'URI',
                matcher: {
                  kind: 'exact',
                  value: 'spiffe://cluster.local/ns/default/sa/a',
                  ignoreCase: false,
                },
              },
            ],
            acceptUntrusted: false,
          },
          alpnProtocols: ['istio-http/1.1', 'istio', 'http/1.1'],
          minVersion: 'TLSv1_2',
          maxVersion: 'TLSv1_3',
        },
      },
      {
        name: 'rootca-only',
        match: { trust: 'mesh' },
        tls: {
          sni: '',
          certificate: { kind: 'workload' },
          validation: { trust: { kind: 'workload' }, subjectAltNames: [], acceptUntrusted: false },
          alpnProtocols: [],
          minVersion: 'TLSv1_2',
          maxVersion: 'TLSv1_3',
        },
      },
      { name: 'tlsMode-disabled', match: {}, tls: null },
    ],
  }),
];

/** The whole hand-built bootstrap. */
