/** Hand-built routes covering every match, action and policy field. */
import type {
  HeaderMutations,
  HttpFaultConfig,
  RetryPolicyConfig,
  RouteConfig,
} from '../../../../lib/config/model.js';

export const NO_HEADERS: HeaderMutations = {
  requestHeadersToAdd: [],
  requestHeadersToRemove: [],
  responseHeadersToAdd: [],
  responseHeadersToRemove: [],
};

export const HEADERS: HeaderMutations = {
  requestHeadersToAdd: [
    { key: 'x-a', value: '%DOWNSTREAM_REMOTE_ADDRESS%', appendAction: 'ADD_IF_ABSENT', keepEmptyValue: true },
    { key: 'x-b', value: 'yes', appendAction: 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue: false },
  ],
  requestHeadersToRemove: ['x-drop'],
  responseHeadersToAdd: [
    { key: 'x-c', value: '1_000', appendAction: 'OVERWRITE_IF_EXISTS', keepEmptyValue: false },
  ],
  responseHeadersToRemove: ['x-internal', 'server-timing'],
};

export const FAULT: HttpFaultConfig = {
  delay: { kind: 'fixed', fixedDelayMs: 1500.25, percentage: { numerator: 5, denominator: 10_000 } },
  abort: {
    kind: 'grpc_status',
    httpStatus: 0,
    grpcStatus: 14,
    percentage: { numerator: 1, denominator: 1_000_000 },
  },
  upstreamCluster: 'orders',
  headers: [
    { name: 'x-fault', match: { kind: 'present', present: true }, invert: false, treatMissingAsEmpty: false },
  ],
  downstreamNodes: ['node-a', 'node-b'],
  maxActiveFaults: 7,
  responseRateLimit: { kind: 'fixed', limitKbps: 64, percentage: { numerator: 50, denominator: 100 } },
  disableDownstreamClusterStats: true,
};

const HEADER_FAULT: HttpFaultConfig = {
  delay: { kind: 'header', fixedDelayMs: 0, percentage: { numerator: 100, denominator: 100 } },
  abort: { kind: 'header', httpStatus: 0, grpcStatus: 0, percentage: { numerator: 0, denominator: 100 } },
  upstreamCluster: '',
  headers: [],
  downstreamNodes: [],
  maxActiveFaults: null,
  responseRateLimit: { kind: 'header', limitKbps: 0, percentage: { numerator: 0, denominator: 100 } },
  disableDownstreamClusterStats: false,
};

export const RETRY: RetryPolicyConfig = {
  retryOn: ['5xx', 'retriable-status-codes', 'retriable-headers', 'reset'],
  numRetries: 4,
  perTryTimeoutMs: 250,
  perTryIdleTimeoutMs: 0.000001,
  retriableStatusCodes: [409, 503],
  retriableHeaders: [
    {
      name: 'x-retry',
      match: { kind: 'string', matcher: { kind: 'safe_regex', regex: '^(yes|on)$', ignoreCase: true } },
      invert: true,
      treatMissingAsEmpty: true,
    },
  ],
  backOff: { baseIntervalMs: 25, maxIntervalMs: 100 },
  previousHostsPredicate: true,
  hostSelectionRetryMaxAttempts: 3,
};

function route(
  name: string,
  rest: Omit<RouteConfig, 'name' | 'headers' | 'decoratorOperation' | 'perRequestBufferLimitBytes'>,
): RouteConfig {
  return { name, headers: NO_HEADERS, decoratorOperation: null, perRequestBufferLimitBytes: null, ...rest };
}

const MATCH_ALL = {
  path: { kind: 'prefix', value: '/' },
  caseSensitive: true,
  headers: [],
  queryParameters: [],
  grpc: false,
} as const;

export const ROUTES: RouteConfig[] = [
  {
    name: 'hashed',
    match: {
      path: { kind: 'safe_regex', regex: '/api/v[0-9]+/.*' },
      caseSensitive: true,
      headers: [
        {
          name: ':method',
          match: { kind: 'string', matcher: { kind: 'exact', value: 'GET', ignoreCase: false } },
          invert: false,
          treatMissingAsEmpty: false,
        },
        {
          name: 'x-num',
          match: { kind: 'range', start: -5, end: 10 },
          invert: false,
          treatMissingAsEmpty: false,
        },
        {
          name: 'x-absent',
          match: { kind: 'present', present: false },
          invert: false,
          treatMissingAsEmpty: false,
        },
        {
          name: 'x-suffix',
          match: { kind: 'string', matcher: { kind: 'suffix', value: '.com', ignoreCase: true } },
          invert: false,
          treatMissingAsEmpty: false,
        },
        {
          name: 'x-contains',
          match: { kind: 'string', matcher: { kind: 'contains', value: 'on', ignoreCase: false } },
          invert: false,
          treatMissingAsEmpty: false,
        },
      ],
      queryParameters: [
        { name: 'v', match: { kind: 'string', matcher: { kind: 'exact', value: '', ignoreCase: true } } },
        { name: 'debug', match: { kind: 'present', present: true } },
      ],
      grpc: true,
    },
    action: {
      kind: 'forward',
      target: { kind: 'cluster', name: 'static' },
      prefixRewrite: null,
      regexRewrite: { regex: '^/api/(.*)$', substitution: '/\\1' },
      hostRewriteLiteral: null,
      autoHostRewrite: true,
      timeoutMs: 0,
      idleTimeoutMs: 1000.34,
      retryPolicy: RETRY,
      clusterNotFoundResponseCode: 500,
      hashPolicy: [
        {
          kind: 'header',
          headerName: ':authority',
          regexRewrite: { regex: '\\.', substitution: '-' },
          terminal: true,
        },
        { kind: 'header', headerName: 'x-user', regexRewrite: null, terminal: false },
        {
          kind: 'cookie',
          name: 'sticky',
          ttlSeconds: 0,
          path: '/api',
          attributes: [{ name: 'SameSite', value: 'Lax' }],
          terminal: false,
        },
        { kind: 'cookie', name: 'nottl', ttlSeconds: null, path: '', attributes: [], terminal: true },
        { kind: 'source_ip', terminal: false },
        { kind: 'query_parameter', name: 'user', terminal: true },
        { kind: 'filter_state', key: 'io.istio.peer', terminal: false },
      ],
    },
    headers: HEADERS,
    decoratorOperation: 'api',
    perRequestBufferLimitBytes: 0,
    typedPerFilterConfig: { 'envoy.filters.http.fault': { kind: 'fault', fault: HEADER_FAULT } },
  },
  route('weighted', {
    match: { ...MATCH_ALL, path: { kind: 'path_separated_prefix', value: '/orders' }, caseSensitive: false },
    action: {
      kind: 'forward',
      target: {
        kind: 'weighted',
        clusters: [
          {
            name: 'dns',
            weight: 0,
            headers: HEADERS,
            hostRewriteLiteral: 'v1.orders',
            typedPerFilterConfig: { 'envoy.filters.http.fault': { kind: 'disabled' } },
          },
          { name: 'eds-file', weight: 3, headers: NO_HEADERS, hostRewriteLiteral: null },
        ],
      },
      prefixRewrite: '/v2',
      regexRewrite: null,
      hostRewriteLiteral: 'orders.internal',
      autoHostRewrite: false,
      timeoutMs: 15_000,
      idleTimeoutMs: null,
      retryPolicy: null,
      clusterNotFoundResponseCode: 404,
    },
  }),
  route('header', {
    match: { ...MATCH_ALL, path: { kind: 'path', value: '/exact' } },
    action: {
      kind: 'forward',
      target: { kind: 'cluster_header', header: 'x-target' },
      prefixRewrite: null,
      regexRewrite: null,
      hostRewriteLiteral: null,
      autoHostRewrite: false,
      timeoutMs: 2500,
      idleTimeoutMs: 0,
      retryPolicy: {
        ...RETRY,
        retryOn: [],
        backOff: null,
        previousHostsPredicate: false,
        hostSelectionRetryMaxAttempts: 1,
        retriableHeaders: [],
        retriableStatusCodes: [],
        perTryTimeoutMs: null,
        perTryIdleTimeoutMs: null,
      },
      clusterNotFoundResponseCode: 503,
    },
  }),
  route('ghost', {
    match: { ...MATCH_ALL, path: { kind: 'prefix', value: '/ghost' } },
    action: {
      kind: 'forward',
      target: { kind: 'cluster', name: 'not-defined' },
      prefixRewrite: null,
      regexRewrite: null,
      hostRewriteLiteral: null,
      autoHostRewrite: false,
      timeoutMs: 15_000,
      idleTimeoutMs: null,
      retryPolicy: null,
      clusterNotFoundResponseCode: 503,
    },
  }),
  route('redirect', {
    match: MATCH_ALL,
    action: {
      kind: 'redirect',
      schemeRedirect: 'http',
      hostRedirect: 'new.example.com',
      portRedirect: 8443,
      pathRedirect: null,
      prefixRewrite: null,
      regexRewrite: { regex: '^/old/(.*)$', substitution: '/new/\\1' },
      responseCode: 307,
      stripQuery: true,
    },
  }),
  route('redirect-defaults', {
    match: MATCH_ALL,
    action: {
      kind: 'redirect',
      schemeRedirect: null,
      hostRedirect: null,
      portRedirect: null,
      pathRedirect: '/',
      prefixRewrite: null,
      regexRewrite: null,
      responseCode: 301,
      stripQuery: false,
    },
  }),
  route('big-body', {
    match: MATCH_ALL,
    action: { kind: 'direct_response', status: 418, body: 'x'.repeat(5000) },
  }),
  route('', { match: MATCH_ALL, action: { kind: 'direct_response', status: 204, body: null } }),
];
