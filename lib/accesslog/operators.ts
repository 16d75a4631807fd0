import { withoutPort } from './address.js';
import { CONNECTION_OPERATORS } from './connection-operators.js';
import type { AccessLogRecord } from './record.js';
import { formatResponseFlags } from './response-flags.js';
import { compileTimeFormat, validateTimeFormat } from './start-time.js';

/** A compiled command operator. `num` is set for operators a JSON format emits as numbers. */
export interface Operator {
  text(r: AccessLogRecord): string | null;
  readonly num: ((r: AccessLogRecord) => number | null) | null;
  /**
   * `text` with `-` for unset, as a text line prints it. Each operator gets its own function
   * (not a shared wrapper around `text`) so a compiled line can inline it with monomorphic
   * property loads; see formatter.ts.
   */
  readonly line: (r: AccessLogRecord) => string;
}

/** Builds an operator from its `(…)` argument (null when absent), or returns an error reason. */
type OperatorFactory = (name: string, arg: string | null) => Operator | string;

type Get<T> = (r: AccessLogRecord) => T;

/** A string operator; `line` must equal `text(r) ?? '-'` and is written out per operator. */
const str = (text: Get<string | null>, line: Get<string>): OperatorFactory =>
  noArg({ text, num: null, line });

/** A numeric operator; `line` must equal `String(num(r) ?? '-')`. */
function numeric(num: Get<number | null>, line: Get<string>): OperatorFactory {
  return noArg({
    text: (r) => {
      const v = num(r);
      return v === null ? null : String(v);
    },
    num,
    line,
  });
}

function noArg(op: Operator): OperatorFactory {
  return (name, arg) => (arg === null ? op : `%${name}% takes no argument`);
}

type HeaderGetter = (r: AccessLogRecord, name: string) => string | null;

/** `X?Y`: header X, else header Y. Names are matched lower-cased (pseudo-headers included). */
function header(get: HeaderGetter): OperatorFactory {
  return (name, arg) => {
    if (arg === null || arg.trim() === '') return `%${name}(…)% needs a header name`;
    const alts = arg.split('?');
    if (alts.length > 2) return `%${name}(${arg})% has more than one alternative header`;
    const main = alts[0]!.trim().toLowerCase();
    const alt = alts.length === 2 ? alts[1]!.trim().toLowerCase() : null;
    if (main === '' || alt === '') return `%${name}(${arg})% has an empty header name`;
    if (alt === null) return { text: (r) => get(r, main), num: null, line: (r) => get(r, main) ?? '-' };
    return {
      text: (r) => get(r, main) ?? get(r, alt),
      num: null,
      line: (r) => get(r, main) ?? get(r, alt) ?? '-',
    };
  };
}

const startTime: OperatorFactory = (_name, arg) => {
  if (arg !== null) {
    const err = validateTimeFormat(arg);
    if (err !== null) return err;
  }
  const render = compileTimeFormat(arg);
  const line = (r: AccessLogRecord): string => render(r.startTimeMs);
  return { text: line, num: null, line };
};

// Each getter is its own arrow so every call site that inlines it sees one record shape.
const req = header((r, n) => r.requestHeader(n));
const resp = header((r, n) => r.responseHeader(n));
const trailer = header((r, n) => r.responseTrailer(n));

/** Envoy prints durations as whole milliseconds (std::chrono duration_cast truncates). */
function wholeMs(v: number | null): number | null {
  return v === null ? null : Math.floor(v);
}

function wholeMsLine(v: number | null): string {
  return v === null ? '-' : String(Math.floor(v));
}

function withoutPortLine(addr: string | null): string {
  return withoutPort(addr) ?? '-';
}

// Envoy's UPSTREAM_HOST is the remote address of the upstream connection: same value.
const upstreamHost = str(
  (r) => r.upstreamHost,
  (r) => r.upstreamHost ?? '-',
);
// No proxy protocol or XFF trust here: the direct peer is the remote address.
const downstreamRemote = str(
  (r) => r.downstreamRemoteAddress,
  (r) => r.downstreamRemoteAddress ?? '-',
);
const downstreamRemoteWithoutPort = str(
  (r) => withoutPort(r.downstreamRemoteAddress),
  (r) => withoutPortLine(r.downstreamRemoteAddress),
);

/** Every supported operator by name. Aliases follow Envoy (REQUEST_HEADER = REQ, …). */
export const OPERATORS: ReadonlyMap<string, OperatorFactory> = new Map<string, OperatorFactory>([
  ['START_TIME', startTime],
  ['REQ', req],
  ['REQUEST_HEADER', req],
  ['RESP', resp],
  ['RESPONSE_HEADER', resp],
  ['TRAILER', trailer],
  ['RESPONSE_TRAILER', trailer],
  [
    'RESPONSE_CODE',
    numeric(
      (r) => r.responseCode,
      (r) => String(r.responseCode),
    ),
  ],
  [
    'RESPONSE_FLAGS',
    str(
      (r) => formatResponseFlags(r.responseFlags),
      (r) => (r.responseFlags === 0 ? '-' : formatResponseFlags(r.responseFlags)),
    ),
  ],
  [
    'RESPONSE_CODE_DETAILS',
    str(
      (r) => r.responseCodeDetails,
      (r) => r.responseCodeDetails ?? '-',
    ),
  ],
  [
    'CONNECTION_TERMINATION_DETAILS',
    str(
      (r) => r.connectionTerminationDetails,
      (r) => r.connectionTerminationDetails ?? '-',
    ),
  ],
  [
    'UPSTREAM_TRANSPORT_FAILURE_REASON',
    str(
      (r) => r.upstreamTransportFailureReason,
      (r) => r.upstreamTransportFailureReason ?? '-',
    ),
  ],
  [
    'BYTES_RECEIVED',
    numeric(
      (r) => r.bytesReceived,
      (r) => String(r.bytesReceived),
    ),
  ],
  [
    'BYTES_SENT',
    numeric(
      (r) => r.bytesSent,
      (r) => String(r.bytesSent),
    ),
  ],
  [
    'DURATION',
    numeric(
      (r) => wholeMs(r.durationMs),
      (r) => wholeMsLine(r.durationMs),
    ),
  ],
  [
    'RESPONSE_DURATION',
    numeric(
      (r) => wholeMs(r.responseDurationMs),
      (r) => wholeMsLine(r.responseDurationMs),
    ),
  ],
  // The record does not carry the request-complete time yet, so this is always unset (`-`).
  [
    'REQUEST_DURATION',
    numeric(
      () => null,
      () => '-',
    ),
  ],
  [
    'PROTOCOL',
    str(
      (r) => r.protocol || null,
      (r) => r.protocol || '-',
    ),
  ],
  ['UPSTREAM_HOST', upstreamHost],
  ['UPSTREAM_REMOTE_ADDRESS', upstreamHost],
  [
    'UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT',
    str(
      (r) => withoutPort(r.upstreamHost),
      (r) => withoutPortLine(r.upstreamHost),
    ),
  ],
  [
    'UPSTREAM_CLUSTER',
    str(
      (r) => r.upstreamCluster,
      (r) => r.upstreamCluster ?? '-',
    ),
  ],
  [
    'UPSTREAM_CLUSTER_RAW',
    str(
      (r) => r.upstreamCluster,
      (r) => r.upstreamCluster ?? '-',
    ),
  ],
  [
    'UPSTREAM_LOCAL_ADDRESS',
    str(
      (r) => r.upstreamLocalAddress,
      (r) => r.upstreamLocalAddress ?? '-',
    ),
  ],
  [
    'UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT',
    str(
      (r) => withoutPort(r.upstreamLocalAddress),
      (r) => withoutPortLine(r.upstreamLocalAddress),
    ),
  ],
  ['DOWNSTREAM_REMOTE_ADDRESS', downstreamRemote],
  ['DOWNSTREAM_DIRECT_REMOTE_ADDRESS', downstreamRemote],
  ['DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT', downstreamRemoteWithoutPort],
  ['DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT', downstreamRemoteWithoutPort],
  [
    'DOWNSTREAM_LOCAL_ADDRESS',
    str(
      (r) => r.downstreamLocalAddress,
      (r) => r.downstreamLocalAddress ?? '-',
    ),
  ],
  [
    'DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT',
    str(
      (r) => withoutPort(r.downstreamLocalAddress),
      (r) => withoutPortLine(r.downstreamLocalAddress),
    ),
  ],
  [
    'REQUESTED_SERVER_NAME',
    str(
      (r) => r.requestedServerName || null,
      (r) => r.requestedServerName || '-',
    ),
  ],
  [
    'ROUTE_NAME',
    str(
      (r) => r.routeName || null,
      (r) => r.routeName || '-',
    ),
  ],
  ...CONNECTION_OPERATORS.map(([name, text, line]) => [name, str(text, line)] as const),
]);
