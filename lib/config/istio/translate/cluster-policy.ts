/**
 * One outbound cluster with Istio's defaults and its DestinationRule's effective policy applied,
 * the way istiod's cluster builder does it (`applyTrafficPolicy`), and the route `hash_policy`
 * a consistent-hash policy needs.
 */
import { CLUSTER_DEFAULTS } from '../../envoy/cluster.js';
import { DEFAULT_LB_TUNING } from '../../envoy/cluster-lb.js';
import type { ClusterConfig, HashPolicyConfig } from '../../model.js';
import type { ConsistentHashLb } from '../model.js';
import { DEFAULT_WORKLOAD } from '../workload.js';
import { effectivePolicy } from './effective-policy.js';
import { applyConnectionPool } from './policy-connection-pool.js';
import { applyLoadBalancer, hashPolicyOf } from './policy-load-balancer.js';
import { applyOutlierDetection } from './policy-outlier.js';
import { applyClientTls } from './policy-tls.js';
import type { BuildOutboundCluster, MergedDestinationRule } from './types.js';

/** Builds `outbound|port|subset|host` from the spec and the rule (null = Istio's defaults only). */
export const buildOutboundCluster: BuildOutboundCluster = (spec, rule, sink) => {
  const policy = effectivePolicy(rule, spec.subset, spec.port.number);
  const pool = applyConnectionPool(policy.connectionPool, spec.port, sink);
  const outlier = applyOutlierDetection(policy.outlierDetection);
  const lb = applyLoadBalancer(policy.loadBalancer, spec.type, sink);
  const tls = applyClientTls(policy.tls, spec, spec.trustDomain ?? DEFAULT_WORKLOAD.trustDomain, sink);
  return {
    name: spec.name,
    type: spec.type,
    connectTimeoutMs: pool.connectTimeoutMs,
    lbPolicy: lb.lbPolicy,
    endpoints: spec.endpoints,
    dnsRefreshRateMs: CLUSTER_DEFAULTS.dnsRefreshRateMs,
    dnsLookupFamily: CLUSTER_DEFAULTS.dnsLookupFamily,
    idleTimeoutMs: pool.idleTimeoutMs,
    maxRequestsPerConnection: pool.maxRequestsPerConnection,
    perConnectionBufferLimitBytes: CLUSTER_DEFAULTS.perConnectionBufferLimitBytes,
    leastRequestChoiceCount: DEFAULT_LB_TUNING.leastRequestChoiceCount,
    ringHash: lb.ringHash,
    maglevTableSize: lb.maglevTableSize,
    healthyPanicThresholdPercent: outlier.healthyPanicThresholdPercent,
    eds: null,
    upstreamProtocol: pool.upstreamProtocol,
    outlierDetection: outlier.outlierDetection,
    ...(lb.slowStart === null ? {} : { slowStart: lb.slowStart }),
    ...(spec.originalDst === undefined ? {} : { originalDst: spec.originalDst }),
    healthChecks: [],
    circuitBreakers: pool.circuitBreakers,
    ...tls,
  } satisfies ClusterConfig;
};

/**
 * The `consistentHash` that applies to `subset` on `port`. It follows the same effective policy
 * as the cluster (istiod's `hashForDestination` looks the four levels up on its own, which only
 * differs where the cluster does not hash and a route hash policy does nothing).
 */
function consistentHash(
  rule: MergedDestinationRule | null,
  subset: string,
  port: number,
): ConsistentHashLb | null {
  return effectivePolicy(rule, subset, port).loadBalancer?.value.consistentHash ?? null;
}

/** The route `hash_policy` istiod adds for a destination; undefined when the policy does not hash. */
export function routeHashPolicy(
  rule: MergedDestinationRule | null,
  subset: string,
  port: number,
): HashPolicyConfig[] | undefined {
  const ch = consistentHash(rule, subset, port);
  return ch === null ? undefined : [hashPolicyOf(ch)];
}

/** True when the destination's cluster hashes (istiod then drops `previous_hosts` from retries). */
export function usesConsistentHash(
  rule: MergedDestinationRule | null,
  subset: string,
  port: number,
): boolean {
  return consistentHash(rule, subset, port) !== null;
}
