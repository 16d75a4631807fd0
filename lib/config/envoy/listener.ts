import type { FilterChainConfig, ListenerConfig, TrafficDirection } from '../model.js';
import type { FieldReader } from '../reader.js';
import { formatAddress, readAddress } from './address.js';
import {
  FILTER_CHAIN_RULES,
  LISTENER_FILTER_RULES,
  LISTENER_RULES,
  NETWORK_FILTER_RULES,
} from './field-rules.js';
import { HCM_TYPE, readHcm } from './hcm.js';
import type { ClusterRef } from './route-action.js';
import { readTypedConfig } from './typed-config.js';

const HCM_NAMES = ['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager'];
const DIRECTIONS: readonly TrafficDirection[] = ['UNSPECIFIED', 'INBOUND', 'OUTBOUND'];

// Skiff always sniffs TLS and HTTP itself, so these listener filters add nothing.
const IGNORED_LISTENER_FILTERS = new Set([
  'envoy.filters.listener.tls_inspector',
  'envoy.listener.tls_inspector',
  'envoy.filters.listener.http_inspector',
  'envoy.listener.http_inspector',
]);

/** Decodes a `Listener`; undefined when it is unusable (issues recorded). */
export function readListener(r: FieldReader, refs: ClusterRef[]): ListenerConfig | undefined {
  const address = readAddress(r, 'address', { requireIp: true, minPort: 0 });
  const name = r.string('name') ?? (address === undefined ? '' : formatAddress(address));
  if (r.has('name') && name === '') r.error('name', 'must not be empty');
  const trafficDirection = r.enumValue('traffic_direction', DIRECTIONS) ?? 'UNSPECIFIED';
  const perConnectionBufferLimitBytes = r.int('per_connection_buffer_limit_bytes') ?? 1_048_576;
  for (const lf of r.objects('listener_filters')) {
    const n = lf.requiredString('name');
    lf.skip('typed_config');
    lf.finish(LISTENER_FILTER_RULES);
    if (n !== '' && !IGNORED_LISTENER_FILTERS.has(n))
      lf.error('name', `listener filter "${n}" is not supported yet`);
  }
  const chains = r.objects('filter_chains');
  const filterChains: FilterChainConfig[] = [];
  if (chains.length === 0) r.error(null, 'a listener needs at least one filter chain in filter_chains');
  if (chains.length > 1) {
    r.error(
      'filter_chains',
      `${chains.length} filter chains given; more than one needs filter_chain_match, which is not supported yet`,
    );
  }
  for (const c of chains) {
    const chain = readFilterChain(c, refs);
    if (chain !== undefined) filterChains.push(chain);
  }
  r.finish(LISTENER_RULES);
  if (address === undefined || filterChains.length !== chains.length || chains.length !== 1) return undefined;
  return { name, address, trafficDirection, filterChains, perConnectionBufferLimitBytes };
}

function readFilterChain(r: FieldReader, refs: ClusterRef[]): FilterChainConfig | undefined {
  const name = r.string('name') ?? '';
  const fcm = r.object('filter_chain_match');
  if (fcm !== undefined) {
    // An empty match selects every connection, which is what a single chain does anyway.
    const set = fcm.names();
    fcm.skip(...set);
    fcm.finish();
    if (set.length > 0)
      r.error('filter_chain_match', `filter_chain_match is not supported yet (found ${set.join(', ')})`);
  }
  const filters = r.objects('filters');
  let hcm: FilterChainConfig['hcm'] | undefined;
  if (filters.length !== 1) {
    r.error(
      'filters',
      `expected exactly one network filter (the http_connection_manager), got ${filters.length}`,
    );
  }
  for (const f of filters) {
    const fname = f.requiredString('name');
    const tc = readTypedConfig(f);
    f.finish(NETWORK_FILTER_RULES);
    if (tc === undefined) {
      if (!f.has('typed_config')) f.error(null, 'missing required field "typed_config"');
      continue;
    }
    if (tc.typeUrl !== HCM_TYPE) {
      const known = HCM_NAMES.includes(fname) ? ` (expected "${HCM_TYPE}")` : '';
      f.error(
        'typed_config',
        `network filter "${fname}" (@type ${tc.typeUrl}) is not supported yet${known}; only the http_connection_manager is`,
      );
      continue;
    }
    hcm = readHcm(tc.reader, refs);
  }
  r.finish(FILTER_CHAIN_RULES);
  return hcm === undefined ? undefined : { name, hcm };
}
