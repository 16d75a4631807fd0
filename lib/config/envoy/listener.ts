import type {
  FilterChainConfig,
  FilterChainMatchConfig,
  ListenerConfig,
  NetworkRbacConfig,
  TrafficDirection,
} from '../model.js';
import type { FieldReader } from '../reader.js';
import { formatAddress, readAddress } from './address.js';
import { readDownstreamTransportSocket } from './downstream-tls-context.js';
import {
  FILTER_CHAIN_RULES,
  LISTENER_FILTER_RULES,
  LISTENER_RULES,
  NETWORK_FILTER_RULES,
} from './field-rules.js';
import { HCM_TYPE, readHcm } from './hcm.js';
import { NETWORK_RBAC_NAMES, NETWORK_RBAC_TYPE, readNetworkRbac } from './network-rbac.js';
import type { ClusterRef } from './route-action.js';
import { readTcpProxy, TCP_PROXY_NAMES, TCP_PROXY_TYPE } from './tcp-proxy.js';
import { readTypedConfig } from './typed-config.js';

const HCM_NAMES = ['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager'];
const DIRECTIONS: readonly TrafficDirection[] = ['UNSPECIFIED', 'INBOUND', 'OUTBOUND'];

// The listener filters Skiff runs itself: it sniffs TLS (and, for plaintext, the HTTP version).
const LISTENER_FILTERS: Readonly<Record<string, 'tls_inspector' | 'http_inspector'>> = {
  'envoy.filters.listener.tls_inspector': 'tls_inspector',
  'envoy.listener.tls_inspector': 'tls_inspector',
  'envoy.filters.listener.http_inspector': 'http_inspector',
  'envoy.listener.http_inspector': 'http_inspector',
};

/** Decodes a `Listener`; undefined when it is unusable (issues recorded). */
export function readListener(r: FieldReader, refs: ClusterRef[]): ListenerConfig | undefined {
  const address = readAddress(r, 'address', { requireIp: true, minPort: 0 });
  const name = r.string('name') ?? (address === undefined ? '' : formatAddress(address));
  if (r.has('name') && name === '') r.error('name', 'must not be empty');
  const trafficDirection = r.enumValue('traffic_direction', DIRECTIONS) ?? 'UNSPECIFIED';
  const perConnectionBufferLimitBytes = r.int('per_connection_buffer_limit_bytes') ?? 1_048_576;
  const listenerFilters: ('tls_inspector' | 'http_inspector')[] = [];
  for (const lf of r.objects('listener_filters')) {
    const n = lf.requiredString('name');
    lf.skip('typed_config');
    lf.finish(LISTENER_FILTER_RULES);
    const known = LISTENER_FILTERS[n];
    if (known !== undefined) {
      if (!listenerFilters.includes(known)) listenerFilters.push(known);
    } else if (n !== '') {
      lf.error('name', `listener filter "${n}" is not supported yet`);
    }
  }
  const listenerFiltersTimeoutMs = r.duration('listener_filters_timeout');
  const chains = r.objects('filter_chains');
  const filterChains: FilterChainConfig[] = [];
  if (chains.length === 0) r.error(null, 'a listener needs at least one filter chain in filter_chains');
  const seen = new Map<string, number>();
  chains.forEach((c, i) => {
    const chain = readFilterChain(c, refs);
    if (chain === undefined) return;
    filterChains.push(chain);
    // Envoy refuses two chains with the same match: the second could never be picked.
    const key = chain.match?.transportProtocol ?? 'any';
    const prev = seen.get(key);
    if (prev !== undefined)
      c.error('filter_chain_match', `matches the same connections as filter_chains[${prev}]`);
    else seen.set(key, i);
  });
  r.finish(LISTENER_RULES);
  if (address === undefined || filterChains.length !== chains.length || chains.length === 0) return undefined;
  return {
    name,
    address,
    trafficDirection,
    filterChains,
    perConnectionBufferLimitBytes,
    ...(listenerFilters.length > 0 ? { listenerFilters } : {}),
    ...(listenerFiltersTimeoutMs === undefined ? {} : { listenerFiltersTimeoutMs }),
  };
}

const TRANSPORT_PROTOCOLS = ['tls', 'raw_buffer'] as const;

function readFilterChainMatch(r: FieldReader): FilterChainMatchConfig | undefined {
  const transportProtocol = r.has('transport_protocol')
    ? r.enumValue('transport_protocol', TRANSPORT_PROTOCOLS)
    : null;
  for (const n of r.names()) {
    if (n === 'transport_protocol') continue;
    r.skip(n);
    r.error(n, `${n} is not supported yet (Skiff matches filter chains on transport_protocol only)`);
  }
  r.finish();
  return transportProtocol === undefined ? undefined : { transportProtocol };
}

function readFilterChain(r: FieldReader, refs: ClusterRef[]): FilterChainConfig | undefined {
  const name = r.string('name') ?? '';
  const issuesBefore = r.sink.issues.length;
  const fcm = r.object('filter_chain_match');
  const match = fcm === undefined ? undefined : readFilterChainMatch(fcm);
  const ts = r.object('transport_socket');
  const tls = ts === undefined ? undefined : readDownstreamTransportSocket(ts);
  const tsFailed = ts !== undefined && tls === undefined && r.sink.issues.length > issuesBefore;
  const filters = r.objects('filters').map((f) => {
    const fname = f.requiredString('name');
    const tc = readTypedConfig(f);
    f.finish(NETWORK_FILTER_RULES);
    if (tc === undefined && !f.has('typed_config')) f.error(null, 'missing required field "typed_config"');
    return { f, fname, tc };
  });
  let hcm: FilterChainConfig['hcm'] | undefined;
  let tcpProxy: FilterChainConfig['tcpProxy'] | undefined;
  const networkRbac: NetworkRbacConfig[] = [];
  let rbacFailed = false;
  const terminals = filters.filter((x) => x.tc?.typeUrl !== NETWORK_RBAC_TYPE).length;
  if (terminals !== 1) {
    r.error(
      'filters',
      `expected exactly one network filter (the http_connection_manager or tcp_proxy), got ${terminals} (network rbac filters not counted)`,
    );
  }
  filters.forEach(({ f, fname, tc }, i) => {
    if (tc === undefined) return;
    if (tc.typeUrl === HCM_TYPE) hcm = readHcm(tc.reader, refs);
    else if (tc.typeUrl === TCP_PROXY_TYPE) tcpProxy = readTcpProxy(tc.reader, refs);
    else if (tc.typeUrl === NETWORK_RBAC_TYPE) {
      const rbac = readNetworkRbac(tc.reader);
      if (rbac === undefined) rbacFailed = true;
      else networkRbac.push(rbac);
      const next = filters[i + 1]?.tc?.typeUrl;
      if (next !== TCP_PROXY_TYPE && next !== NETWORK_RBAC_TYPE) {
        rbacFailed = true;
        f.error(
          null,
          next === HCM_TYPE
            ? 'envoy.filters.network.rbac before the http_connection_manager is not supported yet (use envoy.filters.http.rbac in http_filters)'
            : 'envoy.filters.network.rbac is only supported before a tcp_proxy',
        );
      }
    } else {
      f.error(
        'typed_config',
        `network filter "${fname}" (@type ${tc.typeUrl}) is not supported yet${expectedType(fname)}; only the http_connection_manager, tcp_proxy and network rbac (before a tcp_proxy) are`,
      );
    }
  });
  r.finish(FILTER_CHAIN_RULES);
  if (tsFailed || (fcm !== undefined && match === undefined)) return undefined;
  const base = {
    name,
    ...(match === undefined || match.transportProtocol === null ? {} : { match }),
    ...(tls === undefined ? {} : { tls }),
  };
  if (hcm !== undefined) return { ...base, hcm };
  if (tcpProxy !== undefined && !rbacFailed) {
    return { ...base, tcpProxy, ...(networkRbac.length > 0 ? { networkRbac } : {}) };
  }
  return undefined;
}

/** A hint when the name is one Skiff knows but the @type is not. */
function expectedType(filterName: string): string {
  if (HCM_NAMES.includes(filterName)) return ` (expected "${HCM_TYPE}")`;
  if (TCP_PROXY_NAMES.includes(filterName)) return ` (expected "${TCP_PROXY_TYPE}")`;
  if (NETWORK_RBAC_NAMES.includes(filterName)) return ` (expected "${NETWORK_RBAC_TYPE}")`;
  return '';
}
