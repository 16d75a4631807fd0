/** A filter chain's `transport_socket` (`DownstreamTlsContext`) and `filter_chain_match`. */
import type { DownstreamTlsConfig, FilterChainConfig } from '../../model.js';
import { TLS_SOCKET_NAME } from '../cluster-tls.js';
import { DOWNSTREAM_TLS_TYPE } from '../downstream-tls-context.js';
import { encodeCommonTlsContext } from './common-tls.js';
import { fields, flag, type Json } from './format.js';

const SDS = { ads: {}, resource_api_version: 'V3' };

/** `transport_socket` for a TLS-terminating chain (SDS references name Istio's ADS source). */
export function encodeDownstreamTls(tls: DownstreamTlsConfig): Json {
  return {
    name: TLS_SOCKET_NAME,
    typed_config: fields({
      '@type': DOWNSTREAM_TLS_TYPE,
      common_tls_context: encodeCommonTlsContext(tls, SDS),
      require_client_certificate: flag(tls.requireClientCertificate),
    }),
  };
}

/** The chain fields besides its filters. */
export function encodeChainMatchAndTls(c: FilterChainConfig): Json {
  return fields({
    filter_chain_match:
      c.match?.transportProtocol == null ? undefined : { transport_protocol: c.match.transportProtocol },
    transport_socket: c.tls === undefined ? undefined : encodeDownstreamTls(c.tls),
  });
}
