import type { FractionalPercentConfig } from '../../config/model.js';
import type { HeaderMap } from '../../http/header-map.js';
import type { Random } from '../../util/random.js';

/** Request headers that control faults when `header_delay` / `header_abort` are configured. */
export const FaultHeader = {
  delay: 'x-envoy-fault-delay-request',
  delayPercentage: 'x-envoy-fault-delay-request-percentage',
  abort: 'x-envoy-fault-abort-request',
  abortGrpc: 'x-envoy-fault-abort-grpc-request',
  abortPercentage: 'x-envoy-fault-abort-request-percentage',
  downstreamNode: 'x-envoy-downstream-service-node',
} as const;

const UINT = /^\s*\+?(\d+)\s*$/;

/**
 * An unsigned integer from an (untrusted) fault header, or -1 when absent or malformed. Only the
 * first value counts when the header is repeated, as in Envoy (absl::SimpleAtoi semantics).
 */
export function headerUint(headers: HeaderMap, name: string, max: number): number {
  const v = headers.get(name);
  if (v === undefined) return -1;
  const comma = v.indexOf(',');
  const m = UINT.exec(comma === -1 ? v : v.slice(0, comma));
  if (m === null) return -1;
  const n = Number(m[1]);
  return n <= max ? n : -1;
}

export const UINT32_MAX = 4_294_967_295;

/**
 * Envoy's featureEnabled(FractionalPercent): a uniform draw in [0, denominator) below the
 * numerator. `numerator` may be lowered by a percentage header; 0 % and 100 % draw nothing.
 */
export function sampled(p: FractionalPercentConfig, numerator: number, random: Random): boolean {
  if (numerator <= 0) return false;
  if (numerator >= p.denominator) return true;
  return random.int(p.denominator) < numerator;
}

/** The numerator after a percentage header: min(header, configured); the configured one otherwise. */
export function headerNumerator(p: FractionalPercentConfig, headers: HeaderMap, name: string): number {
  const h = headerUint(headers, name, UINT32_MAX);
  return h === -1 ? p.numerator : Math.min(h, p.numerator);
}
