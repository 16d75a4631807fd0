/**
 * `HTTPFaultInjection` and `CorsPolicy` → the per-route configs of Envoy's fault and CORS
 * filters, as istiod's `TranslateFault` and `TranslateCORSPolicy` build them
 * (pilot/pkg/networking/core/route/route.go).
 */

import { EMPTY_FAULT } from '../../envoy/fault.js';
import type {
  CorsPolicyConfig,
  FractionalPercentConfig,
  HttpFaultConfig,
  StringMatcherConfig,
} from '../../model.js';
import type { CorsPolicy, HttpFault, Percent } from '../model.js';
import { stringMatcher } from './http-route-match.js';
import { type FieldSource, warnAt } from './http-source.js';
import type { TranslateSink } from './types.js';

/** istiod's `translatePercentToFractionalPercent`: the percent × 10 000, over a million (truncated). */
export function percentToFraction(p: Percent): FractionalPercentConfig {
  return { numerator: Math.floor(p * 10_000), denominator: 1_000_000 };
}

/**
 * An absent percentage is the protobuf default 0/100: istiod leaves the abort percentage unset
 * and converts the delay's deprecated integer `percent` (0 when absent), and Envoy's fault filter
 * reads an unset FractionalPercent as 0 %. So a fault without a percentage affects no request.
 */
const NO_REQUESTS: FractionalPercentConfig = { numerator: 0, denominator: 100 };

// google.rpc.Code numbers by name (istiod's grpc.SupportedGRPCStatus).
const GRPC_CODES: Readonly<Record<string, number>> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

function fraction(p: Percent | null, source: FieldSource, path: string, sink: TranslateSink) {
  if (p !== null) return percentToFraction(p);
  warnAt(sink, source, path, 'no percentage: istiod injects this fault into no requests');
  return NO_REQUESTS;
}

/** The route's fault filter config; null when nothing is left to inject. */
export function translateFault(
  f: HttpFault,
  source: FieldSource,
  sink: TranslateSink,
): HttpFaultConfig | null {
  const d = f.delay;
  const a = f.abort;
  const out: HttpFaultConfig = {
    ...EMPTY_FAULT,
    delay:
      d === null
        ? null
        : {
            kind: 'fixed',
            fixedDelayMs: d.fixedDelayMs,
            percentage: fraction(d.percentage, source, 'fault.delay', sink),
          },
    abort:
      a === null
        ? null
        : {
            kind: a.grpcStatus !== '' ? 'grpc_status' : 'http_status',
            httpStatus: a.grpcStatus !== '' ? 0 : a.httpStatus,
            grpcStatus: a.grpcStatus !== '' ? (GRPC_CODES[a.grpcStatus] ?? 2) : 0,
            percentage: fraction(a.percentage, source, 'fault.abort', sink),
          },
  };
  return out.delay === null && out.abort === null ? null : out;
}

/** The route's CORS policy (the filter is enabled for 100 % of requests, as istiod sets it). */
export function translateCors(c: CorsPolicy): CorsPolicyConfig {
  const origins: StringMatcherConfig[] = [];
  for (const o of c.allowOrigins) {
    const m = stringMatcher(o);
    if (m !== null) origins.push(m);
  }
  return {
    allowOrigins: origins,
    allowMethods: c.allowMethods.join(','),
    allowHeaders: c.allowHeaders.join(','),
    exposeHeaders: c.exposeHeaders.join(','),
    maxAge: c.maxAgeMs === null ? '' : String(Math.floor(c.maxAgeMs / 1000)),
    allowCredentials: c.allowCredentials,
    allowPrivateNetworkAccess: null,
    // FORWARD and UNSPECIFIED keep Envoy's pre-1.30 default of forwarding.
    forwardNotMatchingPreflights: c.unmatchedPreflights !== 'IGNORE',
    filterEnabled: { numerator: 100, denominator: 100 },
    shadowEnabled: null,
  };
}
