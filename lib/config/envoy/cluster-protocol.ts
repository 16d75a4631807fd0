import type { FieldReader } from '../reader.js';
import {
  EXPLICIT_HTTP_CONFIG_RULES,
  HTTP1_OPTIONS_RULES,
  UPSTREAM_HTTP_OPTIONS_RULES,
} from './field-rules.js';
import { type CommonHttpOptions, readCommonHttpOptions } from './hcm.js';
import { readTypedConfig } from './typed-config.js';

const UPSTREAM_HTTP = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const UPSTREAM_HTTP_TYPE = `type.googleapis.com/${UPSTREAM_HTTP}`;

/** The upstream HTTP settings a cluster carries in the model. */
export interface ClusterProtocol {
  readonly idleTimeoutMs: number;
  readonly maxRequestsPerConnection: number;
  readonly upstreamProtocol: 'http1' | 'http2';
}

/** Envoy's defaults: HTTP/1.1, 1 h idle timeout, unlimited requests per connection. */
export const DEFAULT_CLUSTER_PROTOCOL: ClusterProtocol = {
  idleTimeoutMs: 3_600_000,
  maxRequestsPerConnection: 0,
  upstreamProtocol: 'http1',
};

/**
 * Reads the upstream protocol from `typed_extension_protocol_options` (current API) or the
 * deprecated top-level fields; mixing both is an error, as in Envoy.
 */
export function readClusterProtocol(r: FieldReader): ClusterProtocol {
  let common: CommonHttpOptions | undefined;
  let protocol: 'http1' | 'http2' = 'http1';
  const legacyCommon = r.object('common_http_protocol_options');
  if (legacyCommon !== undefined) common = readCommonHttpOptions(legacyCommon);
  const legacyH1 = r.object('http_protocol_options');
  legacyH1?.finish({ ignored: HTTP1_OPTIONS_RULES.ignored ?? [] });
  if (r.has('http2_protocol_options')) {
    r.warn('http2_protocol_options', 'HTTP/2 upstreams are not supported yet; HTTP/1.1 is used');
    r.skip('http2_protocol_options');
    protocol = 'http2';
  }
  const legacy = legacyCommon !== undefined || legacyH1 !== undefined || protocol === 'http2';
  const topMax = r.int('max_requests_per_connection');

  const teo = r.map('typed_extension_protocol_options');
  if (teo !== undefined) {
    for (const key of teo.names()) {
      if (key !== UPSTREAM_HTTP) {
        teo.skip(key);
        teo.error(key, `protocol options "${key}" are not supported yet (supported: ${UPSTREAM_HTTP})`);
        continue;
      }
      const tc = readTypedConfig(teo, key);
      if (tc === undefined) continue;
      if (tc.typeUrl !== UPSTREAM_HTTP_TYPE) {
        teo.error(key, `unexpected @type "${tc.typeUrl}"; expected "${UPSTREAM_HTTP_TYPE}"`);
        continue;
      }
      if (legacy) {
        r.error(
          'typed_extension_protocol_options',
          `cannot be combined with the deprecated top-level protocol options`,
        );
      }
      const o = tc.reader;
      const c = o.object('common_http_protocol_options');
      if (c !== undefined) common = readCommonHttpOptions(c);
      const which = o.oneOf(['explicit_http_config', 'use_downstream_protocol_config', 'auto_config'], false);
      if (which === 'explicit_http_config') {
        const ex = o.object('explicit_http_config');
        const p = ex?.oneOf(
          ['http_protocol_options', 'http2_protocol_options', 'http3_protocol_options'],
          true,
        );
        if (p === 'http3_protocol_options') ex?.error(p, 'HTTP/3 upstreams are not supported');
        if (p === 'http2_protocol_options') {
          ex?.warn(p, 'HTTP/2 upstreams are not supported yet; HTTP/1.1 is used');
          protocol = 'http2';
        }
        if (p !== undefined) ex?.skip(p);
        ex?.finish(EXPLICIT_HTTP_CONFIG_RULES);
      }
      o.finish(UPSTREAM_HTTP_OPTIONS_RULES);
    }
    teo.finish();
  }
  if (topMax !== undefined && common?.maxRequestsPerConnection !== undefined) {
    r.error(
      'max_requests_per_connection',
      'only one of max_requests_per_connection and common_http_protocol_options.max_requests_per_connection may be set',
    );
  }
  return {
    idleTimeoutMs: common?.idleTimeoutMs ?? DEFAULT_CLUSTER_PROTOCOL.idleTimeoutMs,
    maxRequestsPerConnection:
      common?.maxRequestsPerConnection ?? topMax ?? DEFAULT_CLUSTER_PROTOCOL.maxRequestsPerConnection,
    upstreamProtocol: protocol,
  };
}
