import type { AccessLogRecord } from './record.js';
import { formatResponseFlags } from './response-flags.js';
import { compileTimeFormat, validateTimeFormat } from './start-time.js';

/** A compiled command operator. `num` is set for operators a JSON format emits as numbers. */
export interface Operator {
  text(r: AccessLogRecord): string | null;
  readonly num: ((r: AccessLogRecord) => number | null) | null;
}

/** Builds an operator from its `(…)` argument (null when absent), or returns an error reason. */
type OperatorFactory = (name: string, arg: string | null) => Operator | string;

const str = (fn: (r: AccessLogRecord) => string | null): OperatorFactory => noArg({ text: fn, num: null });

function numeric(fn: (r: AccessLogRecord) => number | null): OperatorFactory {
  return noArg({
    text: (r) => {
      const v = fn(r);
      return v === null ? null : String(v);
    },
    num: fn,
  });
}

function noArg(op: Operator): OperatorFactory {
  return (name, arg) => (arg === null ? op : `%${name}% takes no argument`);
}

/** `ip:port` → `ip`; `[v6]:port` → `v6`; anything else unchanged. */
export function withoutPort(addr: string | null): string | null {
  if (addr === null) return null;
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    return end < 0 ? addr : addr.slice(1, end);
  }
  const i = addr.indexOf(':');
  return i >= 0 && i === addr.lastIndexOf(':') ? addr.slice(0, i) : addr;
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
    const text =
      alt === null
        ? (r: AccessLogRecord) => get(r, main)
        : (r: AccessLogRecord) => get(r, main) ?? get(r, alt);
    return { text, num: null };
  };
}

const startTime: OperatorFactory = (_name, arg) => {
  if (arg !== null) {
    const err = validateTimeFormat(arg);
    if (err !== null) return err;
  }
  const render = compileTimeFormat(arg);
  return { text: (r) => render(r.startTimeMs), num: null };
};

const req = header((r, n) => r.requestHeader(n));
const resp = header((r, n) => r.responseHeader(n));
const trailer = header((r, n) => r.responseTrailer(n));

/** Every supported operator by name. Aliases follow Envoy (REQUEST_HEADER = REQ, …). */
/** Envoy prints durations as whole milliseconds (std::chrono duration_cast truncates). */
function wholeMs(v: number | null): number | null {
  return v === null ? null : Math.floor(v);
}

export const OPERATORS: ReadonlyMap<string, OperatorFactory> = new Map<string, OperatorFactory>([
  ['START_TIME', startTime],
  ['REQ', req],
  ['REQUEST_HEADER', req],
  ['RESP', resp],
  ['RESPONSE_HEADER', resp],
  ['TRAILER', trailer],
  ['RESPONSE_TRAILER', trailer],
  ['RESPONSE_CODE', numeric((r) => r.responseCode)],
  ['RESPONSE_FLAGS', str((r) => formatResponseFlags(r.responseFlags))],
  ['RESPONSE_CODE_DETAILS', str((r) => r.responseCodeDetails)],
  ['CONNECTION_TERMINATION_DETAILS', str((r) => r.connectionTerminationDetails)],
  ['UPSTREAM_TRANSPORT_FAILURE_REASON', str((r) => r.upstreamTransportFailureReason)],
  ['BYTES_RECEIVED', numeric((r) => r.bytesReceived)],
  ['BYTES_SENT', numeric((r) => r.bytesSent)],
  ['DURATION', numeric((r) => wholeMs(r.durationMs))],
  ['RESPONSE_DURATION', numeric((r) => wholeMs(r.responseDurationMs))],
  // The record does not carry the request-complete time yet, so this is always unset (`-`).
  ['REQUEST_DURATION', numeric(() => null)],
  ['PROTOCOL', str((r) => r.protocol || null)],
  ['UPSTREAM_HOST', str((r) => r.upstreamHost)],
  ['UPSTREAM_CLUSTER', str((r) => r.upstreamCluster)],
  ['UPSTREAM_CLUSTER_RAW', str((r) => r.upstreamCluster)],
  ['UPSTREAM_LOCAL_ADDRESS', str((r) => r.upstreamLocalAddress)],
  ['DOWNSTREAM_REMOTE_ADDRESS', str((r) => r.downstreamRemoteAddress)],
  ['DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT', str((r) => withoutPort(r.downstreamRemoteAddress))],
  ['DOWNSTREAM_LOCAL_ADDRESS', str((r) => r.downstreamLocalAddress)],
  ['DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT', str((r) => withoutPort(r.downstreamLocalAddress))],
  ['REQUESTED_SERVER_NAME', str((r) => r.requestedServerName || null)],
  ['ROUTE_NAME', str((r) => r.routeName || null)],
]);
