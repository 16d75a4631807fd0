/** A cluster's `transport_socket` (UpstreamTlsContext) and `transport_socket_matches`. */
import type { TransportSocketMatchConfig, UpstreamTlsConfig } from '../../model.js';
import {
  RAW_BUFFER_SOCKET_NAME,
  RAW_BUFFER_TYPE,
  TLS_SOCKET_NAME,
  UPSTREAM_TLS_TYPE,
} from '../cluster-tls.js';
import { encodeCommonTlsContext } from './common-tls.js';
import { fields, type Json, unless } from './format.js';

/** `TransportSocket`: TLS, or raw buffer for null. */
export function encodeTransportSocket(tls: UpstreamTlsConfig | null): Json {
  if (tls === null) return { name: RAW_BUFFER_SOCKET_NAME, typed_config: { '@type': RAW_BUFFER_TYPE } };
  return {
    name: TLS_SOCKET_NAME,
    typed_config: fields({
      '@type': UPSTREAM_TLS_TYPE,
      common_tls_context: encodeCommonTlsContext(tls),
      sni: unless(tls.sni, ''),
    }),
  };
}

export function encodeTransportSocketMatches(list: readonly TransportSocketMatchConfig[]): Json[] {
  return list.map((m) => ({
    name: m.name,
    match: { ...m.match },
    transport_socket: encodeTransportSocket(m.tls),
  }));
}
