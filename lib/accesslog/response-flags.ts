/**
 * Envoy response flags as a bitmask, so the hot path sets a flag with one `|=` and the string is
 * built only when a log line or stat label needs it. Order of FLAG_NAMES is Envoy's print order.
 */
export const ResponseFlag = {
  FailedLocalHealthCheck: 1 << 0, // LH
  NoHealthyUpstream: 1 << 1, // UH
  UpstreamRequestTimeout: 1 << 2, // UT
  LocalReset: 1 << 3, // LR
  UpstreamRemoteReset: 1 << 4, // UR
  UpstreamConnectionFailure: 1 << 5, // UF
  UpstreamConnectionTermination: 1 << 6, // UC
  UpstreamOverflow: 1 << 7, // UO
  NoRouteFound: 1 << 8, // NR
  DelayInjected: 1 << 9, // DI
  FaultInjected: 1 << 10, // FI
  RateLimited: 1 << 11, // RL
  UnauthorizedExternalService: 1 << 12, // UAEX
  RateLimitServiceError: 1 << 13, // RLSE
  DownstreamConnectionTermination: 1 << 14, // DC
  UpstreamRetryLimitExceeded: 1 << 15, // URX
  StreamIdleTimeout: 1 << 16, // SI
  InvalidEnvoyRequestHeaders: 1 << 17, // IH
  DownstreamProtocolError: 1 << 18, // DPE
  UpstreamMaxStreamDurationReached: 1 << 19, // UMSDR
  NoFilterConfigFound: 1 << 20, // NFCF
  DurationTimeout: 1 << 21, // DT
  UpstreamProtocolError: 1 << 22, // UPE
  NoClusterFound: 1 << 23, // NC
  OverloadManagerTerminated: 1 << 24, // OM
  DnsResolutionFailed: 1 << 25, // DF
  DropOverload: 1 << 26, // DO
  DownstreamRemoteReset: 1 << 27, // DR
} as const;

export type ResponseFlagBit = (typeof ResponseFlag)[keyof typeof ResponseFlag];

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [ResponseFlag.FailedLocalHealthCheck, 'LH'],
  [ResponseFlag.NoHealthyUpstream, 'UH'],
  [ResponseFlag.UpstreamRequestTimeout, 'UT'],
  [ResponseFlag.LocalReset, 'LR'],
  [ResponseFlag.UpstreamRemoteReset, 'UR'],
  [ResponseFlag.UpstreamConnectionFailure, 'UF'],
  [ResponseFlag.UpstreamConnectionTermination, 'UC'],
  [ResponseFlag.UpstreamOverflow, 'UO'],
  [ResponseFlag.NoRouteFound, 'NR'],
  [ResponseFlag.DelayInjected, 'DI'],
  [ResponseFlag.FaultInjected, 'FI'],
  [ResponseFlag.RateLimited, 'RL'],
  [ResponseFlag.UnauthorizedExternalService, 'UAEX'],
  [ResponseFlag.RateLimitServiceError, 'RLSE'],
  [ResponseFlag.DownstreamConnectionTermination, 'DC'],
  [ResponseFlag.UpstreamRetryLimitExceeded, 'URX'],
  [ResponseFlag.StreamIdleTimeout, 'SI'],
  [ResponseFlag.InvalidEnvoyRequestHeaders, 'IH'],
  [ResponseFlag.DownstreamProtocolError, 'DPE'],
  [ResponseFlag.UpstreamMaxStreamDurationReached, 'UMSDR'],
  [ResponseFlag.NoFilterConfigFound, 'NFCF'],
  [ResponseFlag.DurationTimeout, 'DT'],
  [ResponseFlag.UpstreamProtocolError, 'UPE'],
  [ResponseFlag.NoClusterFound, 'NC'],
  [ResponseFlag.OverloadManagerTerminated, 'OM'],
  [ResponseFlag.DnsResolutionFailed, 'DF'],
  [ResponseFlag.DropOverload, 'DO'],
  [ResponseFlag.DownstreamRemoteReset, 'DR'],
];

/** Comma-joined short names in Envoy's order, or `-` when no flag is set. */
export function formatResponseFlags(flags: number): string {
  if (flags === 0) return '-';
  let out = '';
  for (const [bit, name] of FLAG_NAMES) {
    if ((flags & bit) !== 0) out = out === '' ? name : `${out},${name}`;
  }
  return out;
}
