import type {
  HealthCheckConfig,
  HttpHealthCheckConfig,
  StatusRange,
  StringMatcherConfig,
  TcpHealthCheckConfig,
} from '../model.js';
import type { FieldReader } from '../reader.js';
import {
  HEALTH_CHECK_PAYLOAD_RULES,
  HEALTH_CHECK_RULES,
  HTTP_HEALTH_CHECK_RULES,
  STATUS_RANGE_RULES,
  TCP_HEALTH_CHECK_RULES,
} from './field-rules.js';
import { readAdds, readRemoves } from './header-mutations.js';
import { readStringMatcher } from './matchers.js';

const CHECKERS = ['http_health_check', 'tcp_health_check', 'grpc_health_check', 'custom_health_check'];
const METHODS = ['METHOD_UNSPECIFIED', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'];
const CODEC_TYPES = ['HTTP1'];
const DEFAULT_EXPECTED: readonly StatusRange[] = [{ start: 200, end: 201 }];
// Envoy's default no_traffic_interval.
const NO_TRAFFIC_INTERVAL_MS = 60_000;

/**
 * Decodes `Cluster.health_checks[]`. Skiff runs one checker per cluster (older Envoy's rule),
 * HTTP/1.1 or TCP; gRPC, custom and HTTP/2 checkers are rejected rather than silently skipped.
 */
export function readHealthChecks(r: FieldReader): HealthCheckConfig[] {
  const out: HealthCheckConfig[] = [];
  const list = r.objects('health_checks');
  if (list.length > 1) r.error('health_checks', 'only one health check per cluster is supported yet');
  for (const hc of list) {
    const cfg = readHealthCheck(hc);
    if (cfg !== undefined) out.push(cfg);
  }
  return out;
}

function readHealthCheck(r: FieldReader): HealthCheckConfig | undefined {
  const timeoutMs = requiredDuration(r, 'timeout');
  const intervalMs = requiredDuration(r, 'interval');
  const unhealthyThreshold = requiredThreshold(r, 'unhealthy_threshold');
  const healthyThreshold = requiredThreshold(r, 'healthy_threshold');
  const initialJitterMs = nonNegativeDuration(r, 'initial_jitter');
  const intervalJitterMs = nonNegativeDuration(r, 'interval_jitter');
  const intervalJitterPercent = r.int('interval_jitter_percent') ?? 0;
  const reuseConnection = r.bool('reuse_connection') ?? true;
  const noTrafficIntervalMs = positiveDuration(r, 'no_traffic_interval') ?? NO_TRAFFIC_INTERVAL_MS;
  const noTrafficHealthyIntervalMs =
    positiveDuration(r, 'no_traffic_healthy_interval') ?? noTrafficIntervalMs;
  const unhealthyIntervalMs = positiveDuration(r, 'unhealthy_interval') ?? intervalMs;
  const unhealthyEdgeIntervalMs = positiveDuration(r, 'unhealthy_edge_interval') ?? unhealthyIntervalMs;
  const healthyEdgeIntervalMs = positiveDuration(r, 'healthy_edge_interval') ?? intervalMs;
  const alwaysLogHealthCheckFailures = r.bool('always_log_health_check_failures') ?? false;
  const eventLogPath = r.string('event_log_path') ?? null;
  const checker = readChecker(r);
  r.finish(HEALTH_CHECK_RULES);
  if (checker === undefined) return undefined;
  return {
    timeoutMs,
    intervalMs,
    initialJitterMs,
    intervalJitterMs,
    intervalJitterPercent,
    unhealthyThreshold,
    healthyThreshold,
    reuseConnection,
    noTrafficIntervalMs,
    noTrafficHealthyIntervalMs,
    unhealthyIntervalMs,
    unhealthyEdgeIntervalMs,
    healthyEdgeIntervalMs,
    alwaysLogHealthCheckFailures,
    eventLogPath: eventLogPath === '' ? null : eventLogPath,
    checker,
  };
}

function readChecker(r: FieldReader): HttpHealthCheckConfig | TcpHealthCheckConfig | undefined {
  const which = r.oneOf(CHECKERS, true);
  if (which === 'http_health_check') {
    const h = r.object(which);
    return h === undefined ? undefined : readHttpCheck(h);
  }
  if (which === 'tcp_health_check') {
    const t = r.object(which);
    return t === undefined ? undefined : readTcpCheck(t);
  }
  if (which !== undefined) {
    r.skip(which);
    r.error(which, `${which} is not supported yet (supported: http_health_check, tcp_health_check)`);
  }
  return undefined;
}

function readHttpCheck(r: FieldReader): HttpHealthCheckConfig {
  const host = r.string('host') ?? '';
  if (/[\r\n\0]/.test(host)) r.error('host', 'must not contain CR, LF or NUL');
  const path = r.requiredString('path');
  if (/[\r\n\0 ]/.test(path)) r.error('path', 'must not contain spaces, CR, LF or NUL');
  const m = r.enumValue('method', METHODS, ['CONNECT']) ?? 'METHOD_UNSPECIFIED';
  r.enumValue('codec_client_type', CODEC_TYPES, ['HTTP2', 'HTTP3']);
  const requestHeadersToAdd = readAdds(r, 'request_headers_to_add');
  const requestHeadersToRemove = readRemoves(r, 'request_headers_to_remove');
  const expected = readRanges(r, 'expected_statuses');
  const retriableStatuses = readRanges(r, 'retriable_statuses');
  const sm = r.object('service_name_matcher');
  const serviceNameMatcher: StringMatcherConfig | null =
    sm === undefined ? null : (readStringMatcher(sm) ?? null);
  r.finish(HTTP_HEALTH_CHECK_RULES);
  return {
    kind: 'http',
    host: host === '' ? null : host,
    path,
    method: m === 'METHOD_UNSPECIFIED' ? 'GET' : m,
    requestHeadersToAdd,
    requestHeadersToRemove,
    expectedStatuses: expected.length === 0 ? DEFAULT_EXPECTED : expected,
    retriableStatuses,
    serviceNameMatcher,
  };
}

function readRanges(r: FieldReader, field: string): StatusRange[] {
  const out: StatusRange[] = [];
  for (const o of r.objects(field)) {
    const start = o.int('start', -(2 ** 53), 2 ** 53);
    const end = o.int('end', -(2 ** 53), 2 ** 53);
    o.finish(STATUS_RANGE_RULES);
    if (start === undefined || end === undefined) {
      if (!o.has('start') || !o.has('end')) o.error(null, 'a status range needs both start and end');
      continue;
    }
    if (start < 100) o.error('start', `expecting start >= 100, found ${start}`);
    else if (end > 600) o.error('end', `expecting end <= 600, found ${end}`);
    else if (start >= end) o.error(null, `expecting start < end, found start=${start} and end=${end}`);
    else out.push({ start, end });
  }
  return out;
}

function readTcpCheck(r: FieldReader): TcpHealthCheckConfig {
  const s = r.object('send');
  const send = s === undefined ? null : readPayload(s);
  const receive: string[] = [];
  for (const o of r.objects('receive')) {
    const p = readPayload(o);
    if (p !== null) receive.push(p);
  }
  r.finish(TCP_HEALTH_CHECK_RULES);
  return { kind: 'tcp', send: send === '' ? null : send, receive };
}

/** A `Payload` as lower-case hex; null (with an issue) when unusable. */
function readPayload(r: FieldReader): string | null {
  const which = r.oneOf(['text', 'binary'], true);
  let hex: string | null = null;
  if (which === 'text') {
    const text = r.string('text');
    if (text !== undefined) {
      if (text === '' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
        r.error('text', 'expected a non-empty hex string with an even number of digits');
      } else {
        hex = text.toLowerCase();
      }
    }
  } else if (which === 'binary') {
    const b = r.string('binary');
    if (b !== undefined) {
      if (b === '' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(b))
        r.error('binary', 'expected non-empty base64 bytes');
      else hex = Buffer.from(b, 'base64').toString('hex');
    }
  }
  r.finish(HEALTH_CHECK_PAYLOAD_RULES);
  return hex;
}

function requiredDuration(r: FieldReader, field: string): number {
  if (!r.has(field)) {
    r.skip(field);
    r.error(null, `missing required field "${field}"`);
    return 1;
  }
  return positiveDuration(r, field) ?? 1;
}

function positiveDuration(r: FieldReader, field: string): number | undefined {
  const ms = r.duration(field);
  if (ms !== undefined && ms <= 0) {
    r.error(field, 'must be greater than 0');
    return undefined;
  }
  return ms;
}

function nonNegativeDuration(r: FieldReader, field: string): number {
  const ms = r.duration(field) ?? 0;
  if (ms < 0) {
    r.error(field, 'must not be negative');
    return 0;
  }
  return ms;
}

function requiredThreshold(r: FieldReader, field: string): number {
  if (!r.has(field)) {
    r.skip(field);
    r.error(null, `missing required field "${field}"`);
    return 1;
  }
  // Envoy accepts 0, which would never change a host's state; reject it instead.
  return r.int(field, 1) ?? 1;
}
