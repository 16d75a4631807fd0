import { ResponseFlag } from '../accesslog/response-flags.js';

/** Envoy's reset reasons (Http::Utility::resetReasonToString), as printed in local reply bodies. */
export type ResetReason =
  | 'local reset'
  | 'connection failure'
  | 'remote connection failure'
  | 'connection timeout'
  | 'connection termination'
  | 'remote reset'
  | 'remote refused stream reset'
  | 'overflow'
  | 'protocol error';

/** A classified upstream failure: what the router needs to decide on reply, flag, stats, retry. */
export interface UpstreamFailure {
  readonly reason: ResetReason;
  /** Response flag bit for the access log (UF, UC, UR, UPE, …). */
  readonly flag: number;
  /** `%UPSTREAM_TRANSPORT_FAILURE_REASON%`, e.g. `delayed connect error: Connection refused`. */
  readonly transportFailureReason: string | null;
  /** True when the connection was never established (connect-failure retries). */
  readonly connectFailure: boolean;
  /** True when the response had started; the downstream must then be reset, not answered. */
  readonly afterHeaders: boolean;
  readonly error: Error;
}

/** A circuit breaker (max_pending_requests or max_requests) refused the request. */
export class UpstreamOverflowError extends Error {
  readonly code = 'SKIFF_UPSTREAM_OVERFLOW';
  constructor() {
    super('circuit breaker overflow');
  }
}

const CONNECT_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
};

function errCode(err: Error): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** Maps an undici / socket error to Envoy's reset reason and response flag. */
export function classifyUpstreamError(err: Error, afterHeaders: boolean): UpstreamFailure {
  const code = errCode(err);
  if (code === 'SKIFF_UPSTREAM_OVERFLOW') {
    return {
      reason: 'overflow',
      flag: ResponseFlag.UpstreamOverflow,
      transportFailureReason: null,
      connectFailure: false,
      afterHeaders,
      error: err,
    };
  }
  if (code === 'SKIFF_UPSTREAM_TLS') {
    return {
      reason: 'connection failure',
      flag: ResponseFlag.UpstreamConnectionFailure,
      transportFailureReason: (err as { transportFailureReason?: string }).transportFailureReason ?? null,
      connectFailure: true,
      afterHeaders,
      error: err,
    };
  }
  const connectMsg = CONNECT_ERRNO[code];
  if (connectMsg !== undefined) {
    return {
      reason: 'remote connection failure',
      flag: ResponseFlag.UpstreamConnectionFailure,
      transportFailureReason: `delayed connect error: ${connectMsg}`,
      connectFailure: true,
      afterHeaders,
      error: err,
    };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return {
      reason: 'connection timeout',
      flag: ResponseFlag.UpstreamConnectionFailure,
      transportFailureReason: null,
      connectFailure: true,
      afterHeaders,
      error: err,
    };
  }
  // undici's HTTPParserError carries no code for some llhttp failures (e.g. a bad header char).
  if (
    err.name === 'HTTPParserError' ||
    code.startsWith('HPE_') ||
    code === 'UND_ERR_HEADERS_OVERFLOW' ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
  ) {
    return {
      reason: 'protocol error',
      flag: ResponseFlag.UpstreamProtocolError,
      transportFailureReason: null,
      connectFailure: false,
      afterHeaders,
      error: err,
    };
  }
  // UND_ERR_SOCKET ("other side closed"), ECONNRESET, EPIPE: the upstream dropped the connection.
  return {
    reason: 'connection termination',
    flag: ResponseFlag.UpstreamConnectionTermination,
    transportFailureReason: null,
    connectFailure: false,
    afterHeaders,
    error: err,
  };
}

/** Envoy's local reply body for a failure before response headers. */
export function upstreamFailureBody(f: UpstreamFailure): string {
  const base = `upstream connect error or disconnect/reset before headers. reset reason: ${f.reason}`;
  return f.transportFailureReason === null
    ? base
    : `${base}, transport failure reason: ${f.transportFailureReason}`;
}
