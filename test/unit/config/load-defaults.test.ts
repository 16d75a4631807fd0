import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { Bootstrap, ForwardActionConfig } from '../../../lib/config/model.js';
import { FULL, minimal } from './fixtures.js';

const ENVOY_THRESHOLDS = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
  retryBudget: null,
  trackRemaining: false,
  maxConnectionPools: null,
};

function load(text: string, file = 'test.yaml'): Bootstrap {
  const r = loadConfigText(text, file);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.bootstrap;
}

t.test('a minimal bootstrap gets every default', async (t) => {
  const b = load(minimal());
  t.same(b.sources, ['test.yaml']);
  t.same(b.node, { id: '', cluster: '' });
  t.equal(b.admin, null);
  const l = b.listeners[0]!;
  t.equal(l.name, '127.0.0.1:10000');
  t.same(l.address, { address: '127.0.0.1', port: 10000 });
  t.equal(l.trafficDirection, 'UNSPECIFIED');
  t.equal(l.perConnectionBufferLimitBytes, 1_048_576);
  t.equal(l.filterChains.length, 1);
  t.equal(l.filterChains[0]!.name, '');
  const h = l.filterChains[0]!.hcm!;
  t.same(
    { ...h, routeConfig: undefined },
    {
      statPrefix: 'ingress',
      routeConfig: undefined,
      httpFilters: [
        {
          kind: 'router',
          name: 'envoy.filters.http.router',
          suppressEnvoyHeaders: false,
          startChildSpan: false,
        },
      ],
      accessLog: [],
      generateRequestId: true,
      preserveExternalRequestId: false,
      streamIdleTimeoutMs: 300_000,
      requestTimeoutMs: 0,
      requestHeadersTimeoutMs: 0,
      serverName: 'envoy',
      serverHeaderTransformation: 'OVERWRITE',
      useRemoteAddress: false,
      xffNumTrustedHops: 0,
      skipXffAppend: false,
      via: '',
      maxRequestHeadersKb: 60,
      idleTimeoutMs: 3_600_000,
      maxHeadersCount: 100,
      maxRequestsPerConnection: 0,
      headersWithUnderscoresAction: 'ALLOW',
      allowAbsoluteUrl: false,
      normalizePath: false,
      mergeSlashes: false,
      drainTimeoutMs: 5000,
    },
  );
  const rc = h.routeConfig;
  t.equal(rc.name, '');
  t.equal(rc.ignorePortInHostMatching, false);
  t.same(rc.headers, {
    requestHeadersToAdd: [],
    requestHeadersToRemove: [],
    responseHeadersToAdd: [],
    responseHeadersToRemove: [],
  });
  const vh = rc.virtualHosts[0]!;
  t.same(
    [vh.name, vh.domains, vh.retryPolicy, vh.includeRequestAttemptCount, vh.includeAttemptCountInResponse],
    ['all', ['*'], null, false, false],
  );
  const route = vh.routes[0]!;
  t.equal(route.name, '');
  t.equal(route.decoratorOperation, null);
  t.same(route.match, {
    path: { kind: 'prefix', value: '/' },
    caseSensitive: true,
    headers: [],
    queryParameters: [],
    grpc: false,
  });
  t.same(route.action, {
    kind: 'forward',
    target: { kind: 'cluster', name: 'svc' },
    prefixRewrite: null,
    regexRewrite: null,
    hostRewriteLiteral: null,
    autoHostRewrite: false,
    timeoutMs: 15_000,
    idleTimeoutMs: null,
    retryPolicy: null,
    clusterNotFoundResponseCode: 503,
  });
  t.same(b.clusters[0], {
    name: 'svc',
    type: 'STATIC',
    connectTimeoutMs: 5000,
    lbPolicy: 'ROUND_ROBIN',
    endpoints: [
      {
        address: { address: '127.0.0.1', port: 8080 },
        weight: 1,
        healthStatus: 'UNKNOWN',
        locality: { region: '', zone: '', subZone: '' },
        priority: 0,
        hostname: '',
        labels: {},
      },
    ],
    dnsRefreshRateMs: 5000,
    dnsLookupFamily: 'AUTO',
    idleTimeoutMs: 3_600_000,
    maxRequestsPerConnection: 0,
    perConnectionBufferLimitBytes: 1_048_576,
    leastRequestChoiceCount: 2,
    ringHash: { minimumRingSize: 1024, maximumRingSize: 8_388_608 },
    maglevTableSize: 65_537,
    healthyPanicThresholdPercent: 50,
    upstreamProtocol: 'http1',
    eds: null,
    outlierDetection: null,
    healthChecks: [],
    circuitBreakers: { default: ENVOY_THRESHOLDS, high: ENVOY_THRESHOLDS },
  });
  t.ok(Object.isFrozen(b) && Object.isFrozen(b.clusters[0]!.endpoints[0]!.address), 'deep-frozen');
});

t.test('an empty bootstrap is valid and empty', async (t) => {
  const r = loadConfigText('{}', 'empty.json');
  t.ok(r.ok);
  if (r.ok) t.same([r.bootstrap.listeners, r.bootstrap.clusters, r.bootstrap.admin], [[], [], null]);
});

t.test('a full-featured bootstrap decodes every field', async (t) => {
  const r = loadConfigText(FULL, 'full.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  const b = r.bootstrap;
  // Decoded-but-not-enforced fields warn with their path (lib/config/envoy/not-enforced.ts).
  const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
  const later = 'decoded but not enforced yet (coming with';
  t.same(r.warnings.map(formatIssue), [
    `full.yaml: ${HCM}.xff_num_trusted_hops: ${later} trusted-hop XFF handling)`,
    'full.yaml: static_resources.clusters[0].typed_extension_protocol_options.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.explicit_http_config.http2_protocol_options: HTTP/2 upstreams are not supported yet; HTTP/1.1 is used',
    'full.yaml: static_resources.clusters[3]: EDS cluster without endpoints: give eds_cluster_config.eds_config.path_config_source, or load a ClusterLoadAssignment document for it (an xDS server is not supported yet); the cluster starts empty',
  ]);
  t.same(b.node, { id: 'sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local', cluster: 'orders' });
  t.same(b.admin, {
    address: { address: '127.0.0.1', port: 15000 },
    accessLog: [
      { name: 'envoy.access_loggers.stdout', path: '/dev/stdout', textFormat: null, jsonFormat: null },
    ],
  });
  const l = b.listeners[0]!;
  t.same(
    [l.name, l.trafficDirection, l.perConnectionBufferLimitBytes, l.filterChains[0]!.name],
    ['inbound', 'INBOUND', 32768, 'http'],
  );
  const h = l.filterChains[0]!.hcm!;
  t.match(h, {
    statPrefix: 'inbound_http',
    generateRequestId: false,
    preserveExternalRequestId: true,
    streamIdleTimeoutMs: 60_000,
    requestTimeoutMs: 30_000,
    requestHeadersTimeoutMs: 5000,
    serverName: 'skiff',
    serverHeaderTransformation: 'PASS_THROUGH',
    useRemoteAddress: true,
    xffNumTrustedHops: 2,
    skipXffAppend: true,
    via: 'skiff',
    maxRequestHeadersKb: 96,
    idleTimeoutMs: 120_000,
    maxHeadersCount: 50,
    maxRequestsPerConnection: 1000,
    headersWithUnderscoresAction: 'REJECT_REQUEST',
    allowAbsoluteUrl: true,
    normalizePath: true,
    mergeSlashes: true,
    drainTimeoutMs: 10_000,
  });
  t.same(h.httpFilters, [
    { kind: 'router', name: 'envoy.filters.http.router', suppressEnvoyHeaders: true, startChildSpan: true },
  ]);
  t.same(h.accessLog, [
    {
      name: 'envoy.access_loggers.file',
      path: '/tmp/access.log',
      textFormat: '%RESPONSE_CODE% %RESPONSE_FLAGS%\n',
      jsonFormat: null,
    },
    {
      name: 'envoy.access_loggers.stderr',
      path: '/dev/stderr',
      textFormat: null,
      jsonFormat: { status: '%RESPONSE_CODE%', flags: '%RESPONSE_FLAGS%' },
    },
    { name: 'legacy', path: '/dev/stdout', textFormat: '%PROTOCOL%\n', jsonFormat: null },
  ]);
  const rc = h.routeConfig;
  t.same([rc.name, rc.ignorePortInHostMatching], ['inbound-routes', true]);
  t.same(rc.headers.requestHeadersToAdd, [
    { key: 'x-route-config', value: 'rc', appendAction: 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue: false },
  ]);
  t.same(rc.headers.responseHeadersToRemove, ['x-internal']);
  const vh = rc.virtualHosts[0]!;
  t.same(vh.domains, ['orders.example.com', '*.orders.svc', 'orders.*']);
  t.same([vh.includeRequestAttemptCount, vh.includeAttemptCountInResponse], [true, true]);
  t.same(vh.retryPolicy, {
    retryOn: ['5xx', 'connect-failure'],
    numRetries: 3,
    perTryTimeoutMs: null,
    perTryIdleTimeoutMs: null,
    retriableStatusCodes: [],
    retriableHeaders: [],
    backOff: null,
    previousHostsPredicate: false,
    hostSelectionRetryMaxAttempts: 1,
  });
  t.same(vh.headers.requestHeadersToAdd, [
    {
      key: 'x-vh',
      value: '%DOWNSTREAM_REMOTE_ADDRESS%',
      appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD',
      keepEmptyValue: false,
    },
  ]);
  const [exact, regex, weighted, redirect, found, bytes, last] = vh.routes;
  t.equal(exact!.name, 'exact');
  t.same(exact!.match, {
    path: { kind: 'path', value: '/health' },
    caseSensitive: false,
    headers: [
      {
        name: ':method',
        match: { kind: 'string', matcher: { kind: 'exact', value: 'GET', ignoreCase: false } },
        invert: false,
        treatMissingAsEmpty: false,
      },
      {
        name: 'x-debug',
        match: { kind: 'present', present: false },
        invert: false,
        treatMissingAsEmpty: false,
      },
      {
        name: 'x-num',
        match: { kind: 'range', start: 1, end: 10 },
        invert: false,
        treatMissingAsEmpty: false,
      },
      {
        name: 'x-legacy',
        match: { kind: 'string', matcher: { kind: 'exact', value: 'v1', ignoreCase: false } },
        invert: true,
        treatMissingAsEmpty: true,
      },
      {
        name: 'x-re',
        match: { kind: 'string', matcher: { kind: 'safe_regex', regex: '^a+$', ignoreCase: false } },
        invert: false,
        treatMissingAsEmpty: false,
      },
      { name: 'x-any', match: { kind: 'present', present: true }, invert: false, treatMissingAsEmpty: false },
    ],
    queryParameters: [
      { name: 'debug', match: { kind: 'present', present: true } },
      { name: 'v', match: { kind: 'string', matcher: { kind: 'prefix', value: '2', ignoreCase: true } } },
    ],
    grpc: false,
  });
  t.same(exact!.action, { kind: 'direct_response', status: 200, body: 'ok' });
  t.same(regex!.match.path, { kind: 'safe_regex', regex: '/api/v[0-9]+/.*' });
  t.equal(regex!.match.grpc, true);
  t.equal(regex!.decoratorOperation, 'api');
  t.same((regex!.action as ForwardActionConfig).target, { kind: 'cluster_header', header: 'x-target' });
  t.same(weighted!.match.path, { kind: 'path_separated_prefix', value: '/orders' });
  t.same(weighted!.headers.requestHeadersToRemove, ['x-remove-me']);
  const w = weighted!.action as ForwardActionConfig;
  t.same(w.target, {
    kind: 'weighted',
    clusters: [
      {
        name: 'orders-v1',
        weight: 90,
        hostRewriteLiteral: 'v1.orders',
        headers: {
          requestHeadersToAdd: [],
          requestHeadersToRemove: [],
          responseHeadersToAdd: [
            { key: 'x-version', value: 'v1', appendAction: 'OVERWRITE_IF_EXISTS', keepEmptyValue: true },
          ],
          responseHeadersToRemove: [],
        },
      },
      {
        name: 'orders-v2',
        weight: 10,
        hostRewriteLiteral: null,
        headers: {
          requestHeadersToAdd: [],
          requestHeadersToRemove: [],
          responseHeadersToAdd: [],
          responseHeadersToRemove: [],
        },
      },
    ],
  });
  t.same(w.regexRewrite, { regex: '^/orders/(.*)$', substitution: '/\\1' });
  t.same([w.autoHostRewrite, w.hostRewriteLiteral, w.timeoutMs, w.idleTimeoutMs], [true, null, 0, 2500]);
  t.same(w.retryPolicy, {
    retryOn: ['gateway-error', 'retriable-status-codes', 'retriable-headers', 'reset'],
    numRetries: 2,
    perTryTimeoutMs: 1000,
    perTryIdleTimeoutMs: 500,
    retriableStatusCodes: [409, 503],
    retriableHeaders: [
      {
        name: 'x-retry',
        match: { kind: 'string', matcher: { kind: 'exact', value: 'yes', ignoreCase: false } },
        invert: false,
        treatMissingAsEmpty: false,
      },
    ],
    backOff: { baseIntervalMs: 100, maxIntervalMs: 1000 },
    previousHostsPredicate: true,
    hostSelectionRetryMaxAttempts: 5,
  });
  t.same(redirect!.action, {
    kind: 'redirect',
    schemeRedirect: 'https',
    hostRedirect: 'new.example.com',
    portRedirect: 8443,
    pathRedirect: null,
    prefixRewrite: '/new',
    regexRewrite: null,
    responseCode: 308,
    stripQuery: true,
  });
  t.match(found!.action, {
    kind: 'redirect',
    schemeRedirect: null,
    pathRedirect: '/',
    responseCode: 302,
    stripQuery: false,
  });
  t.same(bytes!.action, { kind: 'direct_response', status: 503, body: 'hello' });
  t.match(last!.action, {
    prefixRewrite: '/',
    hostRewriteLiteral: 'orders.internal',
    autoHostRewrite: false,
  });

  const [v1, v2, maglev, eds] = b.clusters;
  t.match(v1, {
    type: 'STRICT_DNS',
    connectTimeoutMs: 250,
    lbPolicy: 'LEAST_REQUEST',
    dnsRefreshRateMs: 10_000,
    dnsLookupFamily: 'V4_ONLY',
    perConnectionBufferLimitBytes: 65536,
    leastRequestChoiceCount: 3,
    healthyPanicThresholdPercent: 25.5,
    idleTimeoutMs: 30_000,
    maxRequestsPerConnection: 100,
    upstreamProtocol: 'http2',
  });
  t.same(v1!.endpoints, [
    {
      address: { address: 'orders.local', port: 8080 },
      weight: 3,
      healthStatus: 'DRAINING',
      locality: { region: 'eu', zone: 'eu-1', subZone: 'rack1' },
      priority: 1,
      hostname: 'orders-host',
      labels: { workload: 'orders', version: 'v1', canary: 'true' },
    },
  ]);
  t.match(v2, {
    type: 'LOGICAL_DNS',
    lbPolicy: 'RING_HASH',
    ringHash: { minimumRingSize: 64, maximumRingSize: 4096 },
    maxRequestsPerConnection: 7,
    idleTimeoutMs: 5000,
    upstreamProtocol: 'http1',
  });
  t.match(maglev, { lbPolicy: 'MAGLEV', maglevTableSize: 251, endpoints: [] });
  t.match(eds, { type: 'EDS', endpoints: [] });
});

t.test('camelCase field names are accepted as in protobuf JSON', async (t) => {
  const b = load(
    minimal()
      .replace('stat_prefix: ingress', 'statPrefix: ingress')
      .replace('port_value: 8080', 'portValue: 8080'),
  );
  t.equal(b.listeners[0]!.filterChains[0]!.hcm!.statPrefix, 'ingress');
  t.equal(b.clusters[0]!.endpoints[0]!.address.port, 8080);
});
