import type { HeadersWithUnderscoresAction, HttpConnectionManagerConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { readAccessLogs } from './access-log.js';
import { HCM_RULES, HTTP_PROTOCOL_OPTIONS_RULES, HTTP1_OPTIONS_RULES } from './field-rules.js';
import { readHttpFilters } from './http-filters.js';
import { warnNotEnforced } from './not-enforced.js';
import type { ClusterRef } from './route-action.js';
import { readRouteConfiguration } from './route-config.js';
import { readHcmTracing } from './tracing.js';
import { readXfccConfig } from './xfcc.js';

export const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

const UNDERSCORE_ACTIONS: readonly HeadersWithUnderscoresAction[] = [
  'ALLOW',
  'REJECT_REQUEST',
  'DROP_HEADER',
];

/** Shared by the HCM and clusters: `HttpProtocolOptions` (`common_http_protocol_options`). */
export interface CommonHttpOptions {
  readonly idleTimeoutMs: number;
  readonly maxHeadersCount: number;
  readonly maxRequestsPerConnection: number | undefined;
  readonly headersWithUnderscoresAction: HeadersWithUnderscoresAction;
}

export function readCommonHttpOptions(r: FieldReader | undefined): CommonHttpOptions {
  const o: CommonHttpOptions = {
    idleTimeoutMs: r?.duration('idle_timeout') ?? 3_600_000,
    maxHeadersCount: r?.int('max_headers_count', 1) ?? 100,
    maxRequestsPerConnection: r?.int('max_requests_per_connection'),
    headersWithUnderscoresAction:
      r?.enumValue('headers_with_underscores_action', UNDERSCORE_ACTIONS) ?? 'ALLOW',
  };
  r?.finish(HTTP_PROTOCOL_OPTIONS_RULES);
  return o;
}

/** Decodes an `HttpConnectionManager` typed config. Cluster references go to `refs`. */
export function readHcm(r: FieldReader, refs: ClusterRef[]): HttpConnectionManagerConfig | undefined {
  const statPrefix = r.requiredString('stat_prefix');
  r.enumValue('codec_type', ['AUTO', 'HTTP1'], ['HTTP2', 'HTTP3']);
  const which = r.oneOf(['route_config', 'rds', 'scoped_routes'], true);
  const rc = which === 'route_config' ? r.object('route_config') : undefined;
  if (which === 'rds' || which === 'scoped_routes') {
    r.skip(which);
    r.error(which, `${which} is not supported yet (use an inline route_config)`);
  }
  const routeConfig = rc === undefined ? undefined : readRouteConfiguration(rc, refs);
  const httpFilters = readHttpFilters(r);
  const accessLog = readAccessLogs(r, 'access_log');
  const common = readCommonHttpOptions(r.object('common_http_protocol_options'));
  const h1 = r.object('http_protocol_options');
  const allowAbsoluteUrl = h1?.bool('allow_absolute_url') ?? false;
  h1?.finish(HTTP1_OPTIONS_RULES);
  warnNotEnforced(r, 'xff_num_trusted_hops', 'trusted-hop XFF handling');
  const escaped = r.enumValue('path_with_escaped_slashes_action', [
    'IMPLEMENTATION_SPECIFIC_DEFAULT',
    'KEEP_UNCHANGED',
    'REJECT_REQUEST',
    'UNESCAPE_AND_REDIRECT',
    'UNESCAPE_AND_FORWARD',
  ] as const);
  const xfcc = readXfccConfig(r);
  const tracing = readHcmTracing(r);
  const cfg = {
    statPrefix,
    generateRequestId: r.bool('generate_request_id') ?? true,
    preserveExternalRequestId: r.bool('preserve_external_request_id') ?? false,
    streamIdleTimeoutMs: r.duration('stream_idle_timeout') ?? 300_000,
    requestTimeoutMs: r.duration('request_timeout') ?? 0,
    requestHeadersTimeoutMs: r.duration('request_headers_timeout') ?? 0,
    serverName: r.string('server_name') ?? 'envoy',
    serverHeaderTransformation:
      r.enumValue('server_header_transformation', [
        'OVERWRITE',
        'APPEND_IF_ABSENT',
        'PASS_THROUGH',
      ] as const) ?? 'OVERWRITE',
    useRemoteAddress: r.bool('use_remote_address') ?? false,
    xffNumTrustedHops: r.int('xff_num_trusted_hops') ?? 0,
    skipXffAppend: r.bool('skip_xff_append') ?? false,
    via: r.string('via') ?? '',
    maxRequestHeadersKb: r.int('max_request_headers_kb', 1, 8192) ?? 60,
    normalizePath: r.bool('normalize_path') ?? false,
    mergeSlashes: r.bool('merge_slashes') ?? false,
    // Only when written, so configs that never mention it keep their decoded shape.
    ...(escaped === undefined
      ? {}
      : {
          pathWithEscapedSlashesAction:
            escaped === 'IMPLEMENTATION_SPECIFIC_DEFAULT' ? ('KEEP_UNCHANGED' as const) : escaped,
        }),
    drainTimeoutMs: r.duration('drain_timeout') ?? 5000,
  };
  r.finish(HCM_RULES);
  if (routeConfig === undefined) return undefined;
  return {
    ...cfg,
    routeConfig,
    httpFilters,
    accessLog,
    idleTimeoutMs: common.idleTimeoutMs,
    maxHeadersCount: common.maxHeadersCount,
    maxRequestsPerConnection: common.maxRequestsPerConnection ?? 0,
    headersWithUnderscoresAction: common.headersWithUnderscoresAction,
    allowAbsoluteUrl,
    ...xfcc,
    ...(tracing === undefined ? {} : { tracing }),
  };
}
