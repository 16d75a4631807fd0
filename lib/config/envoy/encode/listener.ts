/** `Listener` with its single filter chain and the `http_connection_manager` typed_config. */
import type { HttpConnectionManagerConfig, ListenerConfig, TcpProxyConfig } from '../../model.js';
import { encodeAccessLogs } from './access-log.js';
import { encodeChainMatchAndTls } from './downstream-tls.js';
import { encodeHttpFilter } from './filters.js';
import { duration, fields, flag, type Json, socketAddress, unless } from './format.js';
import { encodeNetworkRbac } from './rbac.js';
import { encodeRouteConfiguration } from './route-config.js';
import { encodeHcmTracing } from './tracing.js';
import { TYPE } from './type-urls.js';

const HCM_NAME = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY_NAME = 'envoy.filters.network.tcp_proxy';
const NETWORK_RBAC_NAME = 'envoy.filters.network.rbac';

/** `config.listener.v3.Listener`. */
export function encodeListener(l: ListenerConfig, knownClusters: ReadonlySet<string>): Json {
  return fields({
    name: l.name,
    address: socketAddress(l.address),
    traffic_direction: unless(l.trafficDirection, 'UNSPECIFIED'),
    per_connection_buffer_limit_bytes: unless(l.perConnectionBufferLimitBytes, 1_048_576),
    listener_filters: l.listenerFilters?.map((f) => ({ name: `envoy.filters.listener.${f}` })),
    listener_filters_timeout: duration(l.listenerFiltersTimeoutMs ?? null),
    filter_chains: l.filterChains.map((c) =>
      fields({
        name: unless(c.name, ''),
        ...encodeChainMatchAndTls(c),
        filters: [
          ...((c.hcm === undefined ? c.networkRbac : undefined) ?? []).map((n) => ({
            name: NETWORK_RBAC_NAME,
            typed_config: encodeNetworkRbac(n),
          })),
          c.hcm !== undefined
            ? { name: HCM_NAME, typed_config: encodeHcm(c.hcm, knownClusters) }
            : { name: TCP_PROXY_NAME, typed_config: encodeTcpProxy(c.tcpProxy) },
        ],
      }),
    ),
  });
}

/** `HttpConnectionManager` typed_config (with its `@type`); defaults are left out. */
export function encodeHcm(h: HttpConnectionManagerConfig, knownClusters: ReadonlySet<string>): Json {
  const common = fields({
    idle_timeout: duration(h.idleTimeoutMs, 3_600_000),
    max_headers_count: unless(h.maxHeadersCount, 100),
    max_requests_per_connection: unless(h.maxRequestsPerConnection, 0),
    headers_with_underscores_action: unless(h.headersWithUnderscoresAction, 'ALLOW'),
  });
  return fields({
    '@type': TYPE.hcm,
    stat_prefix: h.statPrefix,
    route_config: encodeRouteConfiguration(h.routeConfig, knownClusters),
    http_filters: h.httpFilters.map(encodeHttpFilter),
    access_log: encodeAccessLogs(h.accessLog),
    use_remote_address: flag(h.useRemoteAddress),
    xff_num_trusted_hops: unless(h.xffNumTrustedHops, 0),
    skip_xff_append: flag(h.skipXffAppend),
    via: unless(h.via, ''),
    generate_request_id: unless(h.generateRequestId, true),
    preserve_external_request_id: flag(h.preserveExternalRequestId),
    server_name: unless(h.serverName, 'envoy'),
    server_header_transformation: unless(h.serverHeaderTransformation, 'OVERWRITE'),
    max_request_headers_kb: unless(h.maxRequestHeadersKb, 60),
    stream_idle_timeout: duration(h.streamIdleTimeoutMs, 300_000),
    request_timeout: duration(h.requestTimeoutMs, 0),
    request_headers_timeout: duration(h.requestHeadersTimeoutMs, 0),
    drain_timeout: duration(h.drainTimeoutMs, 5000),
    normalize_path: flag(h.normalizePath),
    merge_slashes: flag(h.mergeSlashes),
    path_with_escaped_slashes_action: h.pathWithEscapedSlashesAction,
    common_http_protocol_options: Object.keys(common).length === 0 ? undefined : common,
    http_protocol_options: h.allowAbsoluteUrl ? { allow_absolute_url: true } : undefined,
    forward_client_cert_details: h.forwardClientCertDetails,
    tracing: h.tracing === undefined ? undefined : encodeHcmTracing(h.tracing),
    set_current_client_cert_details:
      h.setCurrentClientCertDetails === undefined
        ? undefined
        : fields({
            subject: flag(h.setCurrentClientCertDetails.subject),
            cert: flag(h.setCurrentClientCertDetails.cert),
            chain: flag(h.setCurrentClientCertDetails.chain),
            dns: flag(h.setCurrentClientCertDetails.dns),
            uri: flag(h.setCurrentClientCertDetails.uri),
          }),
  });
}

/** `TcpProxy` typed_config (with its `@type`); defaults are left out. */
export function encodeTcpProxy(t: TcpProxyConfig): Json {
  const only = t.clusters.length === 1 ? t.clusters[0] : undefined;
  return fields({
    '@type': TYPE.tcpProxy,
    stat_prefix: t.statPrefix,
    cluster: only?.name,
    weighted_clusters:
      only === undefined
        ? { clusters: t.clusters.map((c) => ({ name: c.name, weight: c.weight })) }
        : undefined,
    idle_timeout: duration(t.idleTimeoutMs, 3_600_000),
    max_connect_attempts: unless(t.maxConnectAttempts, 1),
    max_downstream_connection_duration: duration(t.maxDownstreamConnectionDurationMs, 0),
    access_log: encodeAccessLogs(t.accessLog),
  });
}
