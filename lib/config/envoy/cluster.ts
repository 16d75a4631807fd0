import type { ClusterConfig, DiscoveryType, DnsLookupFamily, EdsFileConfig, LbPolicy } from '../model.js';
import type { FieldReader } from '../reader.js';
import { readCircuitBreakers } from './cluster-circuit-breakers.js';
import { readEdsConfig } from './cluster-eds.js';
import { readLoadAssignment } from './cluster-endpoints.js';
import { readHealthChecks } from './cluster-health-checks.js';
import { readLbTuning } from './cluster-lb.js';
import { readOriginalDst } from './cluster-original-dst.js';
import { readOutlierDetection } from './cluster-outlier-detection.js';
import { readClusterProtocol } from './cluster-protocol.js';
import { readTransportSocketMatches, readUpstreamTransportSocket } from './cluster-tls.js';
import { CLUSTER_RULES } from './field-rules.js';

const TYPES: readonly DiscoveryType[] = ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'];
const LB_POLICIES: readonly LbPolicy[] = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV'];
const DNS_FAMILIES: readonly DnsLookupFamily[] = ['AUTO', 'V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'ALL'];

/** Envoy's defaults (cluster.proto) for the top-level cluster fields other front ends fill in too. */
export const CLUSTER_DEFAULTS = {
  connectTimeoutMs: 5000,
  lbPolicy: 'ROUND_ROBIN',
  dnsRefreshRateMs: 5000,
  dnsLookupFamily: 'AUTO',
  perConnectionBufferLimitBytes: 1_048_576,
} as const satisfies Partial<ClusterConfig>;

/** Decodes one `Cluster`; undefined when unusable (issues recorded). */
export function readCluster(r: FieldReader): ClusterConfig | undefined {
  const name = r.requiredString('name');
  const type = r.enumValue('type', TYPES) ?? 'STATIC';
  const connectTimeoutMs = r.duration('connect_timeout') ?? CLUSTER_DEFAULTS.connectTimeoutMs;
  if (connectTimeoutMs <= 0) r.error('connect_timeout', 'must be greater than 0');
  // CLUSTER_PROVIDED (ORIGINAL_DST's own balancer) leaves the model's policy at the default.
  const clusterProvided = r.raw('lb_policy') === 'CLUSTER_PROVIDED';
  const lbPolicy = clusterProvided
    ? CLUSTER_DEFAULTS.lbPolicy
    : (r.enumValue('lb_policy', LB_POLICIES, ['LOAD_BALANCING_POLICY_CONFIG']) ?? CLUSTER_DEFAULTS.lbPolicy);
  const originalDst = readOriginalDst(r, type, clusterProvided);
  let endpoints = readLoadAssignment(r, type);
  let eds: EdsFileConfig | null = null;
  if (type === 'EDS') {
    eds = readEdsConfig(r, name);
    endpoints = [];
  } else if (r.has('eds_cluster_config')) {
    r.skip('eds_cluster_config');
    r.error('eds_cluster_config', 'eds_cluster_config is only valid for EDS clusters');
  }
  const dnsRefreshRateMs = r.duration('dns_refresh_rate') ?? CLUSTER_DEFAULTS.dnsRefreshRateMs;
  if (r.has('dns_refresh_rate') && dnsRefreshRateMs < 1) r.error('dns_refresh_rate', 'must be at least 1ms');
  const dnsLookupFamily = r.enumValue('dns_lookup_family', DNS_FAMILIES) ?? CLUSTER_DEFAULTS.dnsLookupFamily;
  const protocol = readClusterProtocol(r);
  const perConnectionBufferLimitBytes =
    r.int('per_connection_buffer_limit_bytes') ?? CLUSTER_DEFAULTS.perConnectionBufferLimitBytes;
  const lb = readLbTuning(r, lbPolicy);
  const outlierDetection = readOutlierDetection(r);
  const healthChecks = readHealthChecks(r);
  const circuitBreakers = readCircuitBreakers(r);
  const socket = r.object('transport_socket');
  const upstreamTls = socket === undefined ? null : readUpstreamTransportSocket(socket);
  const transportSocketMatches = readTransportSocketMatches(r, 'transport_socket_matches') ?? [];
  r.finish(CLUSTER_RULES);
  if (name === '') return undefined;
  return {
    name,
    type,
    connectTimeoutMs,
    lbPolicy,
    endpoints,
    dnsRefreshRateMs,
    dnsLookupFamily,
    idleTimeoutMs: protocol.idleTimeoutMs,
    maxRequestsPerConnection: protocol.maxRequestsPerConnection,
    perConnectionBufferLimitBytes,
    leastRequestChoiceCount: lb.leastRequestChoiceCount,
    ringHash: lb.ringHash,
    maglevTableSize: lb.maglevTableSize,
    healthyPanicThresholdPercent: lb.healthyPanicThresholdPercent,
    upstreamProtocol: protocol.upstreamProtocol,
    eds,
    ...(lb.slowStart === null ? {} : { slowStart: lb.slowStart }),
    ...(lb.activeRequestBias === 1 ? {} : { activeRequestBias: lb.activeRequestBias }),
    outlierDetection,
    healthChecks,
    circuitBreakers,
    ...(originalDst === undefined ? {} : { originalDst }),
    ...(upstreamTls === null || upstreamTls === undefined ? {} : { upstreamTls }),
    ...(transportSocketMatches.length === 0 ? {} : { transportSocketMatches }),
  };
}
