import type { RetryPolicyConfig } from '../config/model.js';
import type { HeaderMap } from '../http/header-map.js';
import type { ResetReason } from '../upstream/upstream-errors.js';
import type { Random } from '../util/random.js';
import type { CompiledHeaderMatcher } from './header-matcher.js';

/** `retry_on` conditions as bits, so a decision is a few integer tests per attempt. */
export const RetryOn = {
  Status5xx: 1 << 0,
  GatewayError: 1 << 1,
  Reset: 1 << 2,
  ResetBeforeRequest: 1 << 3,
  ConnectFailure: 1 << 4,
  Retriable4xx: 1 << 5,
  RefusedStream: 1 << 6,
  RetriableStatusCodes: 1 << 7,
  RetriableHeaders: 1 << 8,
  EnvoyRateLimited: 1 << 9,
  GrpcCancelled: 1 << 10,
  GrpcDeadlineExceeded: 1 << 11,
  GrpcInternal: 1 << 12,
  GrpcResourceExhausted: 1 << 13,
  GrpcUnavailable: 1 << 14,
} as const;

const RETRY_ON_BITS: Readonly<Record<string, number>> = {
  '5xx': RetryOn.Status5xx,
  'gateway-error': RetryOn.GatewayError,
  reset: RetryOn.Reset,
  'reset-before-request': RetryOn.ResetBeforeRequest,
  'connect-failure': RetryOn.ConnectFailure,
  'retriable-4xx': RetryOn.Retriable4xx,
  'refused-stream': RetryOn.RefusedStream,
  'retriable-status-codes': RetryOn.RetriableStatusCodes,
  'retriable-headers': RetryOn.RetriableHeaders,
  'envoy-ratelimited': RetryOn.EnvoyRateLimited,
  cancelled: RetryOn.GrpcCancelled,
  'deadline-exceeded': RetryOn.GrpcDeadlineExceeded,
  internal: RetryOn.GrpcInternal,
  'resource-exhausted': RetryOn.GrpcResourceExhausted,
  unavailable: RetryOn.GrpcUnavailable,
};

const GRPC_BITS: ReadonlyArray<readonly [number, string]> = [
  [RetryOn.GrpcCancelled, '1'],
  [RetryOn.GrpcDeadlineExceeded, '4'],
  [RetryOn.GrpcResourceExhausted, '8'],
  [RetryOn.GrpcInternal, '13'],
  [RetryOn.GrpcUnavailable, '14'],
];

/** Envoy's default back-off base (runtime `upstream.base_retry_backoff_ms`). */
const DEFAULT_BASE_MS = 25;

/** A retry policy ready for per-request decisions (route or virtual host, plus request headers). */
export interface CompiledRetryPolicy {
  /** RetryOn bits. */
  readonly on: number;
  readonly numRetries: number;
  /** 0 = none. */
  readonly perTryTimeoutMs: number;
  readonly perTryIdleTimeoutMs: number;
  readonly statusCodes: readonly number[];
  readonly headers: readonly CompiledHeaderMatcher[];
  /** From `x-envoy-retriable-header-names`: a response carrying any of them is retriable. */
  readonly headerNames: readonly string[];
  readonly baseIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly previousHosts: boolean;
  readonly hostSelectionMaxAttempts: number;
}

export function retryOnBits(values: readonly string[]): number {
  let bits = 0;
  for (const v of values) bits |= RETRY_ON_BITS[v.trim()] ?? 0;
  return bits;
}

export function compileRetryPolicy(
  cfg: RetryPolicyConfig | null,
  headers: readonly CompiledHeaderMatcher[],
): CompiledRetryPolicy | null {
  if (cfg === null) return null;
  const base = cfg.backOff?.baseIntervalMs ?? DEFAULT_BASE_MS;
  return Object.freeze({
    on: retryOnBits(cfg.retryOn),
    numRetries: cfg.numRetries,
    perTryTimeoutMs: cfg.perTryTimeoutMs ?? 0,
    perTryIdleTimeoutMs: cfg.perTryIdleTimeoutMs ?? 0,
    statusCodes: cfg.retriableStatusCodes,
    headers,
    headerNames: [],
    baseIntervalMs: base,
    maxIntervalMs: cfg.backOff?.maxIntervalMs ?? base * 10,
    previousHosts: cfg.previousHostsPredicate,
    hostSelectionMaxAttempts: cfg.hostSelectionRetryMaxAttempts,
  });
}

const EMPTY_POLICY: CompiledRetryPolicy = compileRetryPolicy(
  {
    retryOn: [],
    numRetries: 1,
    perTryTimeoutMs: null,
    perTryIdleTimeoutMs: null,
    retriableStatusCodes: [],
    retriableHeaders: [],
    backOff: null,
    previousHostsPredicate: false,
    hostSelectionRetryMaxAttempts: 1,
  },
  [],
)!;

const RETRY_HEADERS = [
  'x-envoy-retry-on',
  'x-envoy-retry-grpc-on',
  'x-envoy-max-retries',
  'x-envoy-retriable-status-codes',
  'x-envoy-retriable-header-names',
  'x-envoy-upstream-rq-per-try-timeout-ms',
] as const;

const RETRY_HEADER_SET: ReadonlySet<string> = new Set(RETRY_HEADERS);
const SHORTEST_RETRY_HEADER = Math.min(...RETRY_HEADERS.map((n) => n.length));

/** One pass over the request's header names (this runs for every routed request). */
function hasRetryHeader(h: HeaderMap): boolean {
  for (let j = 0; j < h.size; j++) {
    const raw = h.rawNameAt(j);
    if (raw.length < SHORTEST_RETRY_HEADER || (raw.charCodeAt(0) | 0x20) !== 120 /* 'x' */) continue;
    if (RETRY_HEADER_SET.has(raw.toLowerCase())) return true;
  }
  return false;
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The policy for one request: the route's, with Envoy's request headers applied and consumed
 * (they are never forwarded). `x-envoy-retry-on` ORs conditions in and enables retries without a
 * policy; `x-envoy-max-retries` only counts when some condition is on. Allocates only when a
 * header is present.
 */
export function requestRetryPolicy(
  route: CompiledRetryPolicy | null,
  h: HeaderMap,
): CompiledRetryPolicy | null {
  if (!hasRetryHeader(h)) return route === null || route.on === 0 ? null : route;
  const p = { ...(route ?? EMPTY_POLICY) } as {
    -readonly [K in keyof CompiledRetryPolicy]: CompiledRetryPolicy[K];
  };
  const on = h.get('x-envoy-retry-on');
  const grpcOn = h.get('x-envoy-retry-grpc-on');
  if (on !== undefined) p.on |= retryOnBits(splitList(on));
  if (grpcOn !== undefined) p.on |= retryOnBits(splitList(grpcOn)) & GRPC_MASK;
  const max = Number(h.get('x-envoy-max-retries'));
  if (h.has('x-envoy-max-retries') && Number.isInteger(max) && max >= 0) p.numRetries = max;
  const codes = h.get('x-envoy-retriable-status-codes');
  if (codes !== undefined) {
    const extra = splitList(codes)
      .map(Number)
      .filter((c) => Number.isInteger(c) && c >= 100 && c <= 599);
    p.statusCodes = [...p.statusCodes, ...extra];
  }
  const names = h.get('x-envoy-retriable-header-names');
  if (names !== undefined) p.headerNames = splitList(names.toLowerCase());
  const perTry = Number(h.get('x-envoy-upstream-rq-per-try-timeout-ms'));
  if (h.has('x-envoy-upstream-rq-per-try-timeout-ms') && Number.isInteger(perTry) && perTry >= 0) {
    p.perTryTimeoutMs = perTry;
  }
  for (const name of RETRY_HEADERS) h.remove(name);
  return p.on === 0 ? null : p;
}

const GRPC_MASK =
  RetryOn.GrpcCancelled |
  RetryOn.GrpcDeadlineExceeded |
  RetryOn.GrpcInternal |
  RetryOn.GrpcResourceExhausted |
  RetryOn.GrpcUnavailable;

/** Envoy's wouldRetryFromHeaders: is this upstream response worth another attempt? */
export function retriableResponse(p: CompiledRetryPolicy, status: number, headers: HeaderMap): boolean {
  const on = p.on;
  // A rate-limited response is retried only under envoy-ratelimited, whatever else is set.
  if (headers.has('x-envoy-ratelimited')) return (on & RetryOn.EnvoyRateLimited) !== 0;
  if ((on & RetryOn.Status5xx) !== 0 && status >= 500 && status <= 599) return true;
  if ((on & RetryOn.GatewayError) !== 0 && status >= 502 && status <= 504) return true;
  if ((on & RetryOn.Retriable4xx) !== 0 && status === 409) return true;
  if ((on & RetryOn.RetriableStatusCodes) !== 0 && p.statusCodes.includes(status)) return true;
  if ((on & RetryOn.RetriableHeaders) !== 0) {
    for (const m of p.headers) {
      const v = headers.all(m.name);
      if (m.matches(v.length === 0 ? undefined : v.join(','))) return true;
    }
    for (const name of p.headerNames) if (headers.has(name)) return true;
  }
  if ((on & GRPC_MASK) !== 0) {
    const grpc = headers.get('grpc-status');
    if (grpc !== undefined) {
      for (const [bit, code] of GRPC_BITS) if ((on & bit) !== 0 && grpc === code) return true;
    }
  }
  return false;
}

/** Envoy's wouldRetryFromReset, in its order. Overflow (circuit breaker) is never retried. */
export function retriableReset(
  p: CompiledRetryPolicy,
  reason: ResetReason,
  connectFailure: boolean,
  requestSent: boolean,
): boolean {
  if (reason === 'overflow') return false;
  const on = p.on;
  if (connectFailure && (on & RetryOn.ConnectFailure) !== 0) return true;
  if ((on & RetryOn.ResetBeforeRequest) !== 0 && !requestSent) return true;
  if ((on & (RetryOn.Reset | RetryOn.Status5xx | RetryOn.GatewayError)) !== 0) return true;
  return (on & RetryOn.RefusedStream) !== 0 && reason === 'remote refused stream reset';
}

/** A per-try timeout is retried only under 5xx, gateway-error or reset. */
export function retriesPerTryTimeout(p: CompiledRetryPolicy): boolean {
  return (p.on & (RetryOn.Status5xx | RetryOn.GatewayError | RetryOn.Reset)) !== 0;
}

/**
 * Fully jittered exponential back-off as Envoy computes it: retry n (1-based) waits uniform in
 * [0, (2^n − 1) · base), and never longer than max_interval.
 */
export function backOffMs(p: CompiledRetryPolicy, retry: number, random: Random): number {
  const ceiling = (2 ** Math.min(retry, 30) - 1) * p.baseIntervalMs;
  return Math.min(Math.floor(random.next() * ceiling), p.maxIntervalMs);
}
