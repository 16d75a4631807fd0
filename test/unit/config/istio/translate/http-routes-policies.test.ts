import t from 'tap';
import { forwardOf, translate } from './fixtures.js';

function withRule(extra: string): string {
  return `  hosts: [a]\n  http:\n  - match:\n    - uri: {prefix: /p}\n    - uri: {prefix: /q}\n    route:\n    - destination: {host: a}\n${extra}`;
}

t.test('retries: overrides on top of the mesh default', async (t) => {
  const { routes, warnings } = translate(
    withRule(`    retries:
      attempts: 4
      perTryTimeout: 250ms
      retryOn: "5xx,503,504,retriable-4xx"
      retryRemoteLocalities: true
      retryIgnorePreviousHosts: false
      backoff: 40ms
`),
  );
  t.same(forwardOf(routes[0]).retryPolicy, {
    retryOn: ['5xx', 'retriable-4xx', 'retriable-status-codes'],
    numRetries: 4,
    perTryTimeoutMs: 250,
    perTryIdleTimeoutMs: null,
    retriableStatusCodes: [503, 504],
    retriableHeaders: [],
    backOff: { baseIntervalMs: 40, maxIntervalMs: 400 },
    previousHostsPredicate: false,
    hostSelectionRetryMaxAttempts: 5,
  });
  t.same(
    warnings,
    [
      'spec.http[0].retries.retryRemoteLocalities: retry priorities (previous_priorities) are not supported; retries may stay in the same locality',
    ],
    'one warning for the rule, not one per match',
  );
});

t.test('retries: attempts without retryOn keep the default conditions; attempts 0 disables', async (t) => {
  const kept = translate(withRule('    retries: {attempts: 5}\n'));
  t.same(forwardOf(kept.routes[0]).retryPolicy?.retryOn, [
    'connect-failure',
    'refused-stream',
    'unavailable',
    'cancelled',
    'retriable-status-codes',
  ]);
  t.equal(forwardOf(kept.routes[0]).retryPolicy?.numRetries, 5);
  const off = translate(withRule('    retries: {attempts: 0}\n'));
  t.equal(forwardOf(off.routes[0]).retryPolicy, null);
  const explicit = translate(withRule('    retries: {attempts: 1, retryOn: "retriable-status-codes,502"}\n'));
  t.same(forwardOf(explicit.routes[0]).retryPolicy?.retryOn, ['retriable-status-codes'], 'not added twice');
  t.same(forwardOf(explicit.routes[0]).retryPolicy?.retriableStatusCodes, [502]);
  const odd = translate(withRule('    retries: {attempts: 1, retryOn: "reset,599"}\n'));
  t.same(forwardOf(odd.routes[0]).retryPolicy?.retryOn, ['reset']);
  t.same(odd.warnings, ['spec.http[0].retries.retryOn: 599 is not an HTTP status istiod knows; ignored']);
});

t.test('timeout: as written, 0 when absent', async (t) => {
  t.equal(forwardOf(translate(withRule('    timeout: 2.5s\n')).routes[0]).timeoutMs, 2500);
  t.equal(forwardOf(translate(withRule('')).routes[0]).timeoutMs, 0);
});

t.test('fault: delay and HTTP abort with percentages over a million', async (t) => {
  const { routes, warnings } = translate(
    withRule(`    fault:
      delay: {fixedDelay: 2s, percentage: {value: 10}}
      abort: {httpStatus: 503, percentage: {value: 0.5}}
`),
  );
  t.same(warnings, []);
  t.same(routes[0]!.typedPerFilterConfig, {
    'envoy.filters.http.fault': {
      kind: 'fault',
      fault: {
        delay: {
          kind: 'fixed',
          fixedDelayMs: 2000,
          percentage: { numerator: 100_000, denominator: 1_000_000 },
        },
        abort: {
          kind: 'http_status',
          httpStatus: 503,
          grpcStatus: 0,
          percentage: { numerator: 5000, denominator: 1_000_000 },
        },
        upstreamCluster: '',
        headers: [],
        downstreamNodes: [],
        maxActiveFaults: null,
        responseRateLimit: null,
        disableDownstreamClusterStats: false,
      },
    },
  });
});

t.test('fault: gRPC abort by name; no percentage affects no request (with a warning)', async (t) => {
  const { routes, warnings } = translate(
    withRule(`    fault:
      abort: {grpcStatus: UNAVAILABLE}
      delay: {fixedDelay: 1s}
`),
  );
  const f = routes[0]!.typedPerFilterConfig?.['envoy.filters.http.fault'];
  if (f?.kind !== 'fault') throw new Error('no fault config');
  t.same(f.fault.abort, {
    kind: 'grpc_status',
    httpStatus: 0,
    grpcStatus: 14,
    percentage: { numerator: 0, denominator: 100 },
  });
  t.same(f.fault.delay?.percentage, { numerator: 0, denominator: 100 });
  t.same(warnings, [
    'spec.http[0].fault.delay: no percentage: istiod injects this fault into no requests',
    'spec.http[0].fault.abort: no percentage: istiod injects this fault into no requests',
  ]);
});

t.test('corsPolicy → the CORS filter per-route policy', async (t) => {
  const { routes } = translate(
    withRule(`    corsPolicy:
      allowOrigins:
      - exact: https://a.example
      - prefix: https://b.
      - regex: "https://.*\\\\.c\\\\.example"
      allowMethods: [GET, POST]
      allowHeaders: [x-a, x-b]
      exposeHeaders: [x-e]
      maxAge: 24h
      allowCredentials: true
      unmatchedPreflights: IGNORE
`),
  );
  t.same(routes[0]!.typedPerFilterConfig, {
    'envoy.filters.http.cors': {
      kind: 'cors',
      policy: {
        allowOrigins: [
          { kind: 'exact', value: 'https://a.example', ignoreCase: false },
          { kind: 'prefix', value: 'https://b.', ignoreCase: false },
          { kind: 'safe_regex', regex: 'https://.*\\.c\\.example', ignoreCase: false },
        ],
        allowMethods: 'GET,POST',
        allowHeaders: 'x-a,x-b',
        exposeHeaders: 'x-e',
        maxAge: '86400',
        allowCredentials: true,
        allowPrivateNetworkAccess: null,
        forwardNotMatchingPreflights: false,
        filterEnabled: { numerator: 100, denominator: 100 },
        shadowEnabled: null,
      },
    },
  });
  const minimal = translate(withRule('    corsPolicy:\n      allowOrigins: [{exact: "*"}]\n'));
  const c = minimal.routes[0]!.typedPerFilterConfig?.['envoy.filters.http.cors'];
  t.match(c, {
    kind: 'cors',
    policy: { maxAge: '', allowCredentials: null, forwardNotMatchingPreflights: true },
  });
});
