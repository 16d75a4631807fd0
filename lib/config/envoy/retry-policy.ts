import type { RetryPolicyConfig } from '../model.js';
import { addIssue, type FieldReader } from '../reader.js';
import { RETRY_HOST_PREDICATE_RULES, RETRY_POLICY_RULES } from './field-rules.js';
import { readHeaderMatchers } from './matchers.js';

/** Every `retry_on` value Envoy's `parseRetryOn`/`parseRetryGrpcOn` knows (HTTP and gRPC). */
export const RETRY_ON_VALUES: readonly string[] = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
];

const PREVIOUS_HOSTS = 'envoy.retry_host_predicates.previous_hosts';
const PREVIOUS_HOSTS_TYPE =
  'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate';

/** Decodes a `RetryPolicy` (virtual host or route level). */
export function readRetryPolicy(r: FieldReader): RetryPolicyConfig {
  const retryOn: string[] = [];
  const raw = r.string('retry_on') ?? '';
  for (const part of raw.split(',')) {
    const v = part.trim();
    if (v === '') continue;
    if (!RETRY_ON_VALUES.includes(v)) {
      r.error('retry_on', `unknown value "${v}"; expected one of ${RETRY_ON_VALUES.join(', ')}`);
    } else if (!retryOn.includes(v)) {
      retryOn.push(v);
    }
  }
  const numRetries = r.int('num_retries') ?? 1;
  const perTryTimeoutMs = r.duration('per_try_timeout') ?? null;
  const perTryIdleTimeoutMs = r.duration('per_try_idle_timeout') ?? null;
  const retriableStatusCodes: number[] = [];
  for (const e of r.list('retriable_status_codes')) {
    if (typeof e.value === 'number' && Number.isInteger(e.value) && e.value >= 100 && e.value <= 599) {
      retriableStatusCodes.push(e.value);
    } else {
      addIssue(r.sink, e.path, `expected an HTTP status code (100–599), got ${JSON.stringify(e.value)}`);
    }
  }
  const retriableHeaders = readHeaderMatchers(r, 'retriable_headers');
  let backOff: RetryPolicyConfig['backOff'] = null;
  const bo = r.object('retry_back_off');
  if (bo !== undefined) {
    if (!bo.has('base_interval')) bo.error(null, 'missing required field "base_interval"');
    const base = bo.duration('base_interval');
    const max = bo.duration('max_interval');
    bo.finish();
    if (base !== undefined && base <= 0) bo.error('base_interval', 'must be greater than 0');
    else if (base !== undefined && max !== undefined && max < base) {
      bo.error('max_interval', 'must be greater than or equal to base_interval');
    } else if (base !== undefined) {
      backOff = { baseIntervalMs: base, maxIntervalMs: max ?? base * 10 };
    }
  }
  let previousHostsPredicate = false;
  for (const p of r.objects('retry_host_predicate')) {
    const name = p.requiredString('name');
    const tc = p.object('typed_config');
    const type = tc?.string('@type');
    tc?.finish();
    p.finish(RETRY_HOST_PREDICATE_RULES);
    if (name === PREVIOUS_HOSTS && (type === undefined || type === PREVIOUS_HOSTS_TYPE)) {
      previousHostsPredicate = true;
    } else if (name !== '') {
      p.error('name', `retry host predicate "${name}" is not supported yet (supported: ${PREVIOUS_HOSTS})`);
    }
  }
  const hostSelectionRetryMaxAttempts =
    r.int('host_selection_retry_max_attempts', 0, Number.MAX_SAFE_INTEGER) ?? 1;
  r.finish(RETRY_POLICY_RULES);
  return {
    retryOn,
    numRetries,
    perTryTimeoutMs,
    perTryIdleTimeoutMs,
    retriableStatusCodes,
    retriableHeaders,
    backOff,
    previousHostsPredicate,
    hostSelectionRetryMaxAttempts,
  };
}
