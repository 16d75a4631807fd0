import type { HeaderMap } from '../http/header-map.js';
import type { Random } from '../util/random.js';

/** Why a request is traced, as Envoy packs it into the x-request-id UUID (char 14). */
export const TraceReason = {
  NotTraced: 0,
  /** random_sampling (`9`). */
  Sampled: 1,
  /** `x-envoy-force-trace` (`a`). */
  ServiceForced: 2,
  /** `x-client-trace-id` with client_sampling (`b`). */
  ClientForced: 3,
} as const;

/** Percentages 0–100, as in the HCM `tracing` block. */
export interface SamplingPercentages {
  readonly clientSamplingPct: number;
  readonly randomSamplingPct: number;
  readonly overallSamplingPct: number;
}

const MARKERS = ['4', '9', 'a', 'b'] as const;
const UUID_MARK = 14;

/**
 * Envoy's decision (ConnectionManagerUtility::mutateTracingRequestHeader): a reason already in
 * the request id (set by an earlier hop) is kept; else a client trace id with client sampling,
 * a forced trace, or random sampling; overall sampling may still turn any of them off.
 */
export function decideReason(
  pct: SamplingPercentages,
  h: HeaderMap,
  requestId: string | null,
  random: Random,
): number {
  let reason = requestId === null ? TraceReason.NotTraced : reasonOf(requestId);
  if (reason === TraceReason.NotTraced) {
    if (h.has('x-client-trace-id') && chance(pct.clientSamplingPct, random))
      reason = TraceReason.ClientForced;
    else if (h.has('x-envoy-force-trace')) reason = TraceReason.ServiceForced;
    else if (chance(pct.randomSamplingPct, random)) reason = TraceReason.Sampled;
  }
  if (reason !== TraceReason.NotTraced && !chance(pct.overallSamplingPct, random))
    reason = TraceReason.NotTraced;
  return reason;
}

/** The reason a UUID request id carries, NotTraced for anything else. */
export function reasonOf(id: string): number {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45) return TraceReason.NotTraced;
  const i = MARKERS.indexOf(id[UUID_MARK] as (typeof MARKERS)[number]);
  return i <= 0 ? TraceReason.NotTraced : i;
}

/** The id with `reason` packed in, or null when it is not a UUID or already says so. */
export function markRequestId(id: string, reason: number): string | null {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45) return null;
  const c = id[UUID_MARK]!;
  const want = MARKERS[reason]!;
  // Only ids in Envoy's marker alphabet are rewritten; other UUID versions are left alone.
  if (c === want || !(MARKERS as readonly string[]).includes(c)) return null;
  return `${id.slice(0, UUID_MARK)}${want}${id.slice(UUID_MARK + 1)}`;
}

/** True with probability pct/100; never calls `random` at 0 or 100. */
export function chance(pct: number, random: Random): boolean {
  if (pct >= 100) return true;
  if (pct <= 0) return false;
  return random.next() * 100 < pct;
}
