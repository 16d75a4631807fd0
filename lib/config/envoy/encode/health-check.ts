/** `health_checks[]` entries (HTTP/1.1 and TCP checkers). */
import type { HealthCheckConfig, HttpHealthCheckConfig, TcpHealthCheckConfig } from '../../model.js';
import { duration, fields, flag, type Json, nonEmpty, unless } from './format.js';
import { encodeHeaderAdds, encodeStringMatcher } from './matchers.js';

/** `config.core.v3.HealthCheck`; the intervals that default to another one are left out when equal to it. */
export function encodeHealthCheck(h: HealthCheckConfig): Json {
  return fields({
    timeout: duration(h.timeoutMs),
    interval: duration(h.intervalMs),
    initial_jitter: duration(h.initialJitterMs, 0),
    interval_jitter: duration(h.intervalJitterMs, 0),
    interval_jitter_percent: unless(h.intervalJitterPercent, 0),
    unhealthy_threshold: h.unhealthyThreshold,
    healthy_threshold: h.healthyThreshold,
    reuse_connection: unless(h.reuseConnection, true),
    no_traffic_interval: duration(h.noTrafficIntervalMs, 60_000),
    no_traffic_healthy_interval: duration(h.noTrafficHealthyIntervalMs, h.noTrafficIntervalMs),
    unhealthy_interval: duration(h.unhealthyIntervalMs, h.intervalMs),
    unhealthy_edge_interval: duration(h.unhealthyEdgeIntervalMs, h.unhealthyIntervalMs),
    healthy_edge_interval: duration(h.healthyEdgeIntervalMs, h.intervalMs),
    event_log_path: h.eventLogPath ?? undefined,
    always_log_health_check_failures: flag(h.alwaysLogHealthCheckFailures),
    ...(h.checker.kind === 'http'
      ? { http_health_check: encodeHttpCheck(h.checker) }
      : { tcp_health_check: encodeTcpCheck(h.checker) }),
  });
}

function isDefaultExpected(list: HttpHealthCheckConfig['expectedStatuses']): boolean {
  return list.length === 1 && list[0]!.start === 200 && list[0]!.end === 201;
}

function encodeHttpCheck(c: HttpHealthCheckConfig): Json {
  return fields({
    host: c.host ?? undefined,
    path: c.path,
    request_headers_to_add: encodeHeaderAdds(c.requestHeadersToAdd),
    request_headers_to_remove: nonEmpty(c.requestHeadersToRemove),
    expected_statuses: isDefaultExpected(c.expectedStatuses)
      ? undefined
      : c.expectedStatuses.map((r) => ({ ...r })),
    retriable_statuses:
      c.retriableStatuses.length === 0 ? undefined : c.retriableStatuses.map((r) => ({ ...r })),
    service_name_matcher:
      c.serviceNameMatcher === null ? undefined : encodeStringMatcher(c.serviceNameMatcher),
    // GET is what METHOD_UNSPECIFIED means.
    method: unless(c.method, 'GET'),
  });
}

/** Payloads are kept as hex in the model, which is Envoy's `text` spelling. */
function encodeTcpCheck(c: TcpHealthCheckConfig): Json {
  return fields({
    send: c.send === null ? undefined : { text: c.send },
    receive: c.receive.length === 0 ? undefined : c.receive.map((text) => ({ text })),
  });
}
