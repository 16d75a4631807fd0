import t from 'tap';
import type { RetryPolicyConfig } from '../../../lib/config/model.js';
import { HeaderMap } from '../../../lib/http/header-map.js';
import { CompiledHeaderMatcher } from '../../../lib/router/header-matcher.js';
import {
  backOffMs,
  compileRetryPolicy,
  RetryOn,
  requestRetryPolicy,
  retriableReset,
  retriableResponse,
  retriesPerTryTimeout,
} from '../../../lib/router/retry-policy.js';
import { seededRandom } from '../../../lib/util/random.js';

function policy(p: Partial<RetryPolicyConfig> = {}): RetryPolicyConfig {
  return {
    retryOn: ['5xx'],
    numRetries: 1,
    perTryTimeoutMs: null,
    perTryIdleTimeoutMs: null,
    retriableStatusCodes: [],
    retriableHeaders: [],
    backOff: null,
    previousHostsPredicate: false,
    hostSelectionRetryMaxAttempts: 1,
    ...p,
  };
}

const none = new HeaderMap([]);

t.test('response decisions follow retry_on', async (t) => {
  const p5 = compileRetryPolicy(policy(), [])!;
  t.ok(retriableResponse(p5, 500, none));
  t.ok(retriableResponse(p5, 503, none));
  t.notOk(retriableResponse(p5, 404, none));
  const gw = compileRetryPolicy(policy({ retryOn: ['gateway-error'] }), [])!;
  t.notOk(retriableResponse(gw, 500, none), 'gateway-error: not a plain 500');
  t.ok(retriableResponse(gw, 502, none));
  t.ok(retriableResponse(gw, 504, none));
  const codes = compileRetryPolicy(
    policy({ retryOn: ['retriable-status-codes'], retriableStatusCodes: [418] }),
    [],
  )!;
  t.ok(retriableResponse(codes, 418, none));
  t.notOk(retriableResponse(codes, 503, none));
  const c409 = compileRetryPolicy(policy({ retryOn: ['retriable-4xx'] }), [])!;
  t.ok(retriableResponse(c409, 409, none));
  t.notOk(retriableResponse(c409, 400, none));
  t.notOk(
    retriableResponse(p5, 503, new HeaderMap(['x-envoy-ratelimited', 'true'])),
    'rate-limited responses only under envoy-ratelimited',
  );
  const grpc = compileRetryPolicy(policy({ retryOn: ['unavailable'] }), [])!;
  t.ok(retriableResponse(grpc, 200, new HeaderMap(['grpc-status', '14'])));
  t.notOk(retriableResponse(grpc, 200, new HeaderMap(['grpc-status', '13'])));
});

t.test('retriable-headers: response header matchers and x-envoy-retriable-header-names', async (t) => {
  const matcher = new CompiledHeaderMatcher(
    {
      name: 'x-upstream-busy',
      match: { kind: 'present', present: true },
      invert: false,
      treatMissingAsEmpty: false,
    },
    'test',
  );
  const p = compileRetryPolicy(policy({ retryOn: ['retriable-headers'] }), [matcher])!;
  t.ok(retriableResponse(p, 200, new HeaderMap(['x-upstream-busy', '1'])));
  t.notOk(retriableResponse(p, 200, new HeaderMap(['other', '1'])));
  const byName = requestRetryPolicy(p, new HeaderMap(['x-envoy-retriable-header-names', 'X-Retry-Me']))!;
  t.ok(retriableResponse(byName, 200, new HeaderMap(['x-retry-me', 'yes'])), 'names from the request header');
});

t.test('reset decisions follow Envoy wouldRetryFromReset', async (t) => {
  const cf = compileRetryPolicy(policy({ retryOn: ['connect-failure'] }), [])!;
  t.ok(retriableReset(cf, 'remote connection failure', true, false));
  t.notOk(retriableReset(cf, 'connection termination', false, true));
  const rbr = compileRetryPolicy(policy({ retryOn: ['reset-before-request'] }), [])!;
  t.ok(retriableReset(rbr, 'connection termination', false, false), 'nothing sent yet');
  t.notOk(retriableReset(rbr, 'connection termination', false, true), 'request already sent');
  const p5 = compileRetryPolicy(policy(), [])!;
  t.ok(retriableReset(p5, 'connection termination', false, true), '5xx covers resets');
  t.ok(retriableReset(p5, 'remote connection failure', true, false), '5xx covers connect failures');
  t.notOk(retriableReset(p5, 'overflow', false, false), 'overflow is never retried');
  t.ok(retriesPerTryTimeout(p5));
  t.notOk(retriesPerTryTimeout(cf));
});

t.test('request headers add conditions, set limits and are consumed', async (t) => {
  const h = new HeaderMap([
    'x-envoy-retry-on',
    'connect-failure, retriable-4xx',
    'x-envoy-max-retries',
    '4',
    'x-envoy-upstream-rq-per-try-timeout-ms',
    '250',
    'x-envoy-retriable-status-codes',
    '418,nope',
    'keep',
    'me',
  ]);
  const p = requestRetryPolicy(compileRetryPolicy(policy(), []), h)!;
  t.equal(p.on, RetryOn.Status5xx | RetryOn.ConnectFailure | RetryOn.Retriable4xx);
  t.equal(p.numRetries, 4);
  t.equal(p.perTryTimeoutMs, 250);
  t.same(p.statusCodes, [418]);
  t.same(h.flat(), ['keep', 'me'], 'the x-envoy retry headers are removed');
  t.equal(requestRetryPolicy(null, new HeaderMap([])), null, 'no policy, no header: no retries');
  t.equal(
    requestRetryPolicy(null, new HeaderMap(['x-envoy-max-retries', '3'])),
    null,
    'max-retries alone enables nothing',
  );
  const route = compileRetryPolicy(policy(), []);
  t.equal(
    requestRetryPolicy(route, new HeaderMap(['a', 'b'])),
    route,
    'no header: the shared compiled policy',
  );
});

t.test('back-off is fully jittered, growing, and capped at max_interval', async (t) => {
  const p = compileRetryPolicy(policy(), [])!;
  const rnd = seededRandom(7);
  for (let i = 0; i < 200; i++) {
    t.ok(backOffMs(p, 1, rnd) < 25, 'first retry within [0, 25)');
    t.ok(backOffMs(p, 2, rnd) < 75, 'second within [0, 75)');
    t.ok(backOffMs(p, 10, rnd) <= 250, 'capped at 10 × base');
  }
  const custom = compileRetryPolicy(policy({ backOff: { baseIntervalMs: 100, maxIntervalMs: 150 } }), [])!;
  t.equal(backOffMs(custom, 5, { next: () => 0.99, int: () => 0 }), 150);
});
