/**
 * `HTTPRetry` → Envoy `RetryPolicy` as istiod's `retry.ConvertPolicy`
 * (pilot/pkg/networking/core/route/retry/retry.go): the mesh default policy, overridden field by
 * field by what the VirtualService sets.
 */
import type { RetryPolicyConfig } from '../../model.js';
import type { HttpRetry } from '../model.js';
import { type FieldSource, warnAt } from './http-source.js';
import type { TranslateSink } from './types.js';

/**
 * The mesh `defaultHttpRetryPolicy`. `retriable-status-codes` is in the list with no codes:
 * 503 is only added when EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY is false (it defaults to true).
 */
const DEFAULT_RETRY_ON = [
  'connect-failure',
  'refused-stream',
  'unavailable',
  'cancelled',
  'retriable-status-codes',
];
const DEFAULT_ATTEMPTS = 2;
/** istiod hard-codes `host_selection_retry_max_attempts: 5` ("TODO: allow this to be configured"). */
const HOST_SELECTION_ATTEMPTS = 5;
/** Envoy's `retry_back_off.max_interval` default: 10 × the base interval. */
const MAX_BACKOFF_FACTOR = 10;

// Go's http.StatusText table: istiod moves a retryOn token to retriable_status_codes only when
// it is an integer Go knows as an HTTP status.
const KNOWN_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307,
  308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
  422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/**
 * The policy of a route whose VirtualService sets no `retries` (and of istiod's default route for
 * a service without one).
 */
export function istioDefaultRetryPolicy(previousHosts: boolean): RetryPolicyConfig {
  return {
    retryOn: DEFAULT_RETRY_ON,
    numRetries: DEFAULT_ATTEMPTS,
    perTryTimeoutMs: null,
    perTryIdleTimeoutMs: null,
    retriableStatusCodes: [],
    retriableHeaders: [],
    backOff: null,
    previousHostsPredicate: previousHosts,
    hostSelectionRetryMaxAttempts: HOST_SELECTION_ATTEMPTS,
  };
}

/**
 * The route's retry policy; null when retries are disabled (`attempts: 0`). `previousHosts` is
 * false when the destination uses consistent hashing, which istiod then keeps on the same host.
 */
export function translateRetries(
  retry: HttpRetry | null,
  previousHosts: boolean,
  source: FieldSource,
  sink: TranslateSink,
): RetryPolicyConfig | null {
  const base = istioDefaultRetryPolicy(previousHosts);
  if (retry === null) return base;
  if (retry.attempts <= 0) return null;
  let retryOn = base.retryOn;
  let codes: number[] = [];
  if (retry.retryOn !== '') {
    const parsed = parseRetryOn(retry.retryOn);
    retryOn = parsed.tokens;
    codes = parsed.codes;
    for (const n of parsed.unknownCodes) {
      warnAt(sink, source, 'retries.retryOn', `${n} is not an HTTP status istiod knows; ignored`);
    }
    // istiod checks with strings.Contains over the joined list, so any token holding the
    // name counts; only `retriable-status-codes` itself can.
    if (codes.length > 0 && !retryOn.includes('retriable-status-codes'))
      retryOn = [...retryOn, 'retriable-status-codes'];
  }
  if (retry.retryRemoteLocalities === true) {
    warnAt(
      sink,
      source,
      'retries.retryRemoteLocalities',
      'retry priorities (previous_priorities) are not supported; retries may stay in the same locality',
    );
  }
  return {
    ...base,
    retryOn,
    numRetries: retry.attempts,
    perTryTimeoutMs: retry.perTryTimeoutMs,
    retriableStatusCodes: codes,
    backOff:
      retry.backoffMs === null
        ? null
        : { baseIntervalMs: retry.backoffMs, maxIntervalMs: retry.backoffMs * MAX_BACKOFF_FACTOR },
    previousHostsPredicate: retry.retryIgnorePreviousHosts ?? previousHosts,
  };
}

/** istiod's `parseRetryOn`: integers that are HTTP statuses become codes; the rest stay tokens. */
function parseRetryOn(raw: string): { tokens: string[]; codes: number[]; unknownCodes: string[] } {
  const tokens: string[] = [];
  const codes: number[] = [];
  const unknownCodes: string[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (!/^[+-]?\d+$/.test(p)) tokens.push(p);
    // istiod would pass an unknown integer on as a retry_on token, which Envoy does not know.
    else if (KNOWN_STATUS.has(Number(p))) codes.push(Number(p));
    else unknownCodes.push(p);
  }
  return { tokens, codes, unknownCodes };
}
