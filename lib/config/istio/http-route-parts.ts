/**
 * The messages an `HTTPRoute` holds besides its matches: redirect, direct response, rewrite,
 * retries, fault, mirrors and CORS, each checked as istiod's validation does.
 */
import { addIssue, type FieldReader } from '../reader.js';
import { checkRegex } from '../regex.js';
import {
  boolValue,
  destinationField,
  durationField,
  int32Field,
  percentField,
  portField,
  readStringMatch,
} from './istio-common.js';
import type {
  CorsPolicy,
  FaultAbort,
  FaultDelay,
  HttpDirectResponse,
  HttpFault,
  HttpMirrorPolicy,
  HttpRedirect,
  HttpRetry,
  HttpRewrite,
} from './model.js';
import { isHeaderName } from './names.js';

/** `HTTPRedirect`. */
export function readRedirect(r: FieldReader): HttpRedirect {
  const which = r.oneOf(['port', 'derivePort'], false);
  const port = which === 'port' ? portField(r, 'port') : 0;
  const derivePort =
    which === 'derivePort'
      ? (r.enumValue('derivePort', ['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'] as const) ?? null)
      : null;
  const scheme = r.string('scheme') ?? '';
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https') {
    r.error('scheme', `invalid redirect scheme "${scheme}"; must be "http" or "https"`);
  }
  const code = r.int('redirectCode', 0, 2_147_483_647) ?? 0;
  if (code !== 0 && (code < 300 || code > 399)) r.error('redirectCode', `${code} is not a 3xx redirect code`);
  const out: HttpRedirect = {
    uri: r.string('uri') ?? '',
    authority: r.string('authority') ?? '',
    port: port === 0 ? null : port,
    derivePort,
    scheme,
    redirectCode: code === 0 ? 301 : code,
  };
  if (out.uri === '' && out.authority === '' && out.port === null && derivePort === null && scheme === '') {
    r.error(null, 'a redirect must set at least one of uri, authority, scheme, port or derivePort');
  }
  r.finish();
  return out;
}

/** `HTTPDirectResponse {status, body {string | bytes}}`. */
export function readDirectResponse(r: FieldReader): HttpDirectResponse {
  if (!r.has('status')) r.error(null, 'missing required field "status"');
  const status = r.int('status', 200, 599) ?? 0;
  let body: string | null = null;
  const b = r.object('body');
  if (b !== undefined) {
    const which = b.oneOf(['string', 'bytes'], true);
    if (which === 'string') body = b.string('string') ?? '';
    else if (which === 'bytes') {
      const raw = b.string('bytes') ?? '';
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) b.error('bytes', 'expected base64');
      else body = Buffer.from(raw, 'base64').toString('latin1');
    }
    if (body !== null && Buffer.byteLength(body) > 1024 * 1024) {
      b.error(which ?? null, 'direct responses must be smaller than 1MB');
    }
    b.finish();
  }
  r.finish();
  return { status, body };
}

/** `HTTPRewrite`. */
export function readRewrite(r: FieldReader): HttpRewrite {
  const uri = r.string('uri') ?? '';
  const authority = r.string('authority') ?? '';
  let uriRegexRewrite: HttpRewrite['uriRegexRewrite'] = null;
  const rr = r.object('uriRegexRewrite');
  if (rr !== undefined) {
    const match = rr.requiredString('match');
    const rewrite = rr.requiredString('rewrite');
    const bad = match === '' ? null : checkRegex(match);
    if (bad !== null) rr.error('match', bad);
    rr.finish();
    uriRegexRewrite = { match, rewrite };
  }
  if (uri !== '' && rr !== undefined) r.error(null, 'only one of uri and uriRegexRewrite may be set');
  if (uri === '' && rr === undefined && authority === '') {
    r.error(null, 'a rewrite must set at least one of uri, uriRegexRewrite or authority');
  }
  r.finish();
  return { uri, authority, uriRegexRewrite };
}

// Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policies, as istiod accepts them.
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

/** `HTTPRetry`. */
export function readRetries(r: FieldReader): HttpRetry {
  const attempts = int32Field(r, 'attempts');
  const out: HttpRetry = {
    attempts,
    perTryTimeoutMs: durationField(r, 'perTryTimeout'),
    retryOn: r.string('retryOn') ?? '',
    retryRemoteLocalities: boolValue(r, 'retryRemoteLocalities'),
    retryIgnorePreviousHosts: boolValue(r, 'retryIgnorePreviousHosts'),
    backoffMs: durationField(r, 'backoff'),
  };
  if (out.retryOn !== '') {
    for (const policy of out.retryOn.split(',')) {
      // Bare status codes become retriable_status_codes.
      if (!RETRY_ON.has(policy) && !/^[1-5]\d\d$/.test(policy)) {
        r.error('retryOn', `"${policy}" is not a valid retryOn policy`);
      }
    }
  }
  if (
    attempts === 0 &&
    (out.perTryTimeoutMs !== null || out.retryOn !== '' || out.retryRemoteLocalities !== null)
  ) {
    r.error(null, 'retry settings are given but attempts is 0 (retries disabled)');
  }
  r.finish();
  return out;
}

const GRPC_STATUS = new Set([
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
]);

function readDelay(r: FieldReader): FaultDelay | null {
  const fixedDelayMs = r.has('fixedDelay') ? durationField(r, 'fixedDelay') : null;
  if (!r.has('fixedDelay') && !r.has('exponentialDelay'))
    r.error(null, 'missing required field "fixedDelay"');
  const percentage = percentField(r, 'percentage');
  r.finish({ unsupported: { exponentialDelay: 'Istio rejects it too', percent: 'use percentage' } });
  return fixedDelayMs === null ? null : { fixedDelayMs, percentage };
}

function readAbort(r: FieldReader): FaultAbort | null {
  const which = r.oneOf(['httpStatus', 'grpcStatus', 'http2Error'], true);
  const percentage = percentField(r, 'percentage');
  let out: FaultAbort | null = null;
  if (which === 'httpStatus') {
    const s = r.int('httpStatus', 200, 599);
    if (s !== undefined) out = { httpStatus: s, grpcStatus: '', percentage };
  } else if (which === 'grpcStatus') {
    const s = r.string('grpcStatus') ?? '';
    if (!GRPC_STATUS.has(s))
      r.error('grpcStatus', `unknown gRPC status "${s}"; use a name such as UNAVAILABLE`);
    else out = { httpStatus: 0, grpcStatus: s, percentage };
  }
  r.finish({ unsupported: { http2Error: 'Istio rejects it too', percent: 'use percentage' } });
  return out;
}

/** `HTTPFaultInjection`. */
export function readFault(r: FieldReader): HttpFault {
  const d = r.object('delay');
  const a = r.object('abort');
  if (d === undefined && a === undefined) r.error(null, 'a fault needs an abort and/or a delay');
  const out = {
    delay: d === undefined ? null : readDelay(d),
    abort: a === undefined ? null : readAbort(a),
  };
  r.finish();
  return out;
}

/** `mirrors[]`. */
export function readMirrors(r: FieldReader): HttpMirrorPolicy[] {
  const out: HttpMirrorPolicy[] = [];
  for (const m of r.objects('mirrors')) {
    const destination = destinationField(m, 'destination');
    const percentage = percentField(m, 'percentage');
    m.finish();
    if (destination !== null) out.push({ destination, percentage });
  }
  return out;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE']);

/** `CorsPolicy`. */
export function readCors(r: FieldReader): CorsPolicy {
  const allowOrigins = [];
  for (const o of r.objects('allowOrigins')) {
    const m = readStringMatch(o);
    if (m !== null && m.value === '') o.error(null, 'an allowOrigins entry needs exact, prefix or regex');
    else if (m !== null) allowOrigins.push(m);
  }
  const allowMethods = r.strings('allowMethods');
  for (const m of allowMethods) {
    if (!METHODS.has(m)) r.error('allowMethods', `"${m}" is not a supported HTTP method`);
  }
  const headerList = (name: string): string[] => {
    const list = r.strings(name);
    list.forEach((h, i) => {
      if (h !== '*' && !isHeaderName(h))
        addIssue(r.sink, `${r.at(name)}[${i}]`, `invalid header name "${h}"`);
    });
    return list;
  };
  const maxAgeMs = durationField(r, 'maxAge');
  if (maxAgeMs !== null && maxAgeMs % 1000 !== 0) r.error('maxAge', 'maxAge is accurate to seconds only');
  const out: CorsPolicy = {
    allowOrigins,
    allowMethods,
    allowHeaders: headerList('allowHeaders'),
    exposeHeaders: headerList('exposeHeaders'),
    maxAgeMs,
    allowCredentials: boolValue(r, 'allowCredentials'),
    unmatchedPreflights:
      r.enumValue('unmatchedPreflights', ['UNSPECIFIED', 'FORWARD', 'IGNORE'] as const) ?? 'UNSPECIFIED',
  };
  r.finish({ unsupported: { allowOrigin: 'deprecated; use allowOrigins' } });
  return out;
}
