import type {
  FaultAbortConfig,
  FaultDelayConfig,
  FaultRateLimitConfig,
  FractionalPercentConfig,
  HttpFaultConfig,
} from '../model.js';
import type { FieldReader } from '../reader.js';
import { HTTP_FAULT_RULES } from './field-rules.js';
import { readHeaderMatchers } from './matchers.js';
import { warnNotEnforced } from './not-enforced.js';

export const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;
type DenominatorName = keyof typeof DENOMINATORS;
const DENOMINATOR_NAMES = Object.keys(DENOMINATORS) as DenominatorName[];

/** Protobuf's default FractionalPercent: 0 %, which is also Envoy's default for fault percentages. */
export const ZERO_PERCENT: FractionalPercentConfig = { numerator: 0, denominator: 100 };

/** Reads a `type.v3.FractionalPercent`; absent → 0/100 (the proto default). */
export function readFractionalPercent(r: FieldReader, field: string): FractionalPercentConfig {
  const p = r.object(field);
  if (p === undefined) return ZERO_PERCENT;
  const numerator = p.int('numerator') ?? 0;
  const denominator = DENOMINATORS[p.enumValue('denominator', DENOMINATOR_NAMES) ?? 'HUNDRED'];
  p.finish();
  return { numerator, denominator };
}

/**
 * Envoy's fault percentages default to 0 %, so a delay or abort without `percentage` never fires.
 * That is almost always a mistake; say so instead of silently doing nothing.
 */
function percentageOf(r: FieldReader): FractionalPercentConfig {
  if (!r.has('percentage')) {
    r.warn(null, 'no "percentage": Envoy defaults it to 0 %, so this fault is never injected');
  }
  return readFractionalPercent(r, 'percentage');
}

/** Reads an empty marker message such as `header_delay: {}`. */
function readMarker(r: FieldReader, field: string): void {
  r.object(field)?.finish();
}

function readDelay(r: FieldReader): FaultDelayConfig | null {
  const which = r.oneOf(['fixed_delay', 'header_delay'], true);
  const percentage = percentageOf(r);
  let out: FaultDelayConfig | null = null;
  if (which === 'fixed_delay') {
    const ms = r.duration('fixed_delay');
    if (ms !== undefined && ms <= 0) r.error('fixed_delay', 'must be greater than 0s');
    else if (ms !== undefined) out = { kind: 'fixed', fixedDelayMs: ms, percentage };
  } else if (which === 'header_delay') {
    readMarker(r, 'header_delay');
    out = { kind: 'header', fixedDelayMs: 0, percentage };
  }
  r.finish();
  return out;
}

function readAbort(r: FieldReader): FaultAbortConfig | null {
  const which = r.oneOf(['http_status', 'grpc_status', 'header_abort'], true);
  const percentage = percentageOf(r);
  let out: FaultAbortConfig | null = null;
  if (which === 'http_status') {
    // Envoy's proto rule: [200, 600).
    const status = r.int('http_status', 200, 599);
    if (status !== undefined) out = { kind: 'http_status', httpStatus: status, grpcStatus: 0, percentage };
  } else if (which === 'grpc_status') {
    const status = r.int('grpc_status');
    if (status !== undefined) out = { kind: 'grpc_status', httpStatus: 0, grpcStatus: status, percentage };
  } else if (which === 'header_abort') {
    readMarker(r, 'header_abort');
    out = { kind: 'header', httpStatus: 0, grpcStatus: 0, percentage };
  }
  r.finish();
  return out;
}

function readRateLimit(r: FieldReader): FaultRateLimitConfig | null {
  const which = r.oneOf(['fixed_limit', 'header_limit'], true);
  const percentage = readFractionalPercent(r, 'percentage');
  let out: FaultRateLimitConfig | null = null;
  if (which === 'fixed_limit') {
    const f = r.object('fixed_limit');
    if (f !== undefined) {
      if (!f.has('limit_kbps')) f.error(null, 'missing required field "limit_kbps"');
      const kbps = f.int('limit_kbps', 1, Number.MAX_SAFE_INTEGER);
      f.finish();
      if (kbps !== undefined) out = { kind: 'fixed', limitKbps: kbps, percentage };
    }
  } else if (which === 'header_limit') {
    readMarker(r, 'header_limit');
    out = { kind: 'header', limitKbps: 0, percentage };
  }
  r.finish();
  return out;
}

/** `HTTPFault {}`: no delay, no abort (Istio's listener-level config). */
export const EMPTY_FAULT: HttpFaultConfig = {
  delay: null,
  abort: null,
  upstreamCluster: '',
  headers: [],
  downstreamNodes: [],
  maxActiveFaults: null,
  responseRateLimit: null,
  disableDownstreamClusterStats: false,
};

/**
 * Decodes an `HTTPFault` (the filter's typed_config or a per-route override). The `*_runtime`
 * keys are accepted and ignored: Skiff has no runtime layer, so the configured values always
 * apply (exactly what Envoy does when the runtime does not override the keys).
 */
export function readHttpFault(r: FieldReader | undefined): HttpFaultConfig {
  if (r === undefined) return EMPTY_FAULT;
  const d = r.object('delay');
  const a = r.object('abort');
  warnNotEnforced(r, 'response_rate_limit', 'response rate limiting in the fault filter');
  const rl = r.object('response_rate_limit');
  const cfg: HttpFaultConfig = {
    delay: d === undefined ? null : readDelay(d),
    abort: a === undefined ? null : readAbort(a),
    upstreamCluster: r.string('upstream_cluster') ?? '',
    headers: readHeaderMatchers(r, 'headers'),
    downstreamNodes: r.strings('downstream_nodes'),
    // UInt32Value: protobuf JSON writes wrappers as bare numbers.
    maxActiveFaults: r.int('max_active_faults') ?? null,
    responseRateLimit: rl === undefined ? null : readRateLimit(rl),
    disableDownstreamClusterStats: r.bool('disable_downstream_cluster_stats') ?? false,
  };
  r.finish(HTTP_FAULT_RULES);
  return cfg;
}
