/**
 * `LoadBalancerSettings` → the cluster's balancer, as istiod's `applyLoadBalancer` and
 * `ApplyRingHashLoadBalancer` set it, plus the route `hash_policy` a `consistentHash` implies.
 */
import { DEFAULT_LB_TUNING } from '../../envoy/cluster-lb.js';
import type { DiscoveryType, HashPolicyConfig, LbPolicy, SlowStartConfig } from '../../model.js';
import type { ConsistentHashLb, LoadBalancerSettings } from '../model.js';
import { type PolicySection, warnAt } from './effective-policy.js';
import type { TranslateSink } from './types.js';

/** The balancer fields of a cluster that a DestinationRule decides. */
export interface LbSettings {
  readonly lbPolicy: LbPolicy;
  readonly ringHash: { readonly minimumRingSize: number; readonly maximumRingSize: number };
  readonly maglevTableSize: number;
  readonly slowStart: SlowStartConfig | null;
}

/** istiod's `defaultLBAlgorithm()` since Istio 1.14. */
export const ISTIO_DEFAULT_LB_POLICY: LbPolicy = 'LEAST_REQUEST';

// Envoy's SlowStartConfig defaults, which Istio's `warmup` documents as its own.
const WARMUP_MIN_PERCENT = 10;
const WARMUP_AGGRESSION = 1;

const DEFAULT_LB: LbSettings = {
  lbPolicy: ISTIO_DEFAULT_LB_POLICY,
  ringHash: DEFAULT_LB_TUNING.ringHash,
  maglevTableSize: DEFAULT_LB_TUNING.maglevTableSize,
  slowStart: null,
};

/** The balancer for a cluster of discovery `type` under the effective `loadBalancer` section. */
export function applyLoadBalancer(
  lb: PolicySection<LoadBalancerSettings> | null,
  type: DiscoveryType,
  sink: TranslateSink,
): LbSettings {
  if (lb === null) return DEFAULT_LB;
  const v = lb.value;
  warnLocality(lb, sink);
  // istiod makes ORIGINAL_DST clusters CLUSTER_PROVIDED and ignores the rest; the model has no
  // such policy and an original-destination cluster picks its host itself, so defaults stay.
  if (type === 'ORIGINAL_DST') return DEFAULT_LB;
  let lbPolicy: LbPolicy = ISTIO_DEFAULT_LB_POLICY;
  if (v.simple === 'RANDOM' || v.simple === 'ROUND_ROBIN') lbPolicy = v.simple;
  if (v.simple === 'PASSTHROUGH') {
    // istiod turns the cluster into ORIGINAL_DST (connect to the address the app dialled). Skiff
    // has no original destination without traffic capture, so the service's own endpoints are
    // balanced with the default policy instead: the same hosts, picked by the sidecar.
    warnAt(
      sink,
      lb,
      'simple',
      'PASSTHROUGH (connect to the original destination) is not supported; the endpoints are balanced with LEAST_REQUEST',
    );
  }
  let ringHash = DEFAULT_LB.ringHash;
  let maglevTableSize = DEFAULT_LB.maglevTableSize;
  const ch = v.consistentHash;
  if (ch !== null) {
    const algo = ch.hashAlgorithm;
    if (algo?.type === 'maglev') {
      lbPolicy = 'MAGLEV';
      if (algo.tableSize > 0) maglevTableSize = algo.tableSize;
    } else {
      lbPolicy = 'RING_HASH';
      // Without an algorithm istiod writes the deprecated field's size, else Envoy's 1024.
      const size = algo === null ? ch.minimumRingSize : algo.minimumRingSize;
      if (size > ringHash.maximumRingSize) {
        const field =
          algo === null ? 'consistentHash.minimumRingSize' : 'consistentHash.ringHash.minimumRingSize';
        sink.issues.push({
          file: lb.file,
          path: `${lb.path}.${field}`,
          message: `${size} exceeds Envoy's maximum ring size ${ringHash.maximumRingSize}`,
        });
      } else if (size > 0) ringHash = { ...ringHash, minimumRingSize: size };
    }
  }
  return { lbPolicy, ringHash, maglevTableSize, slowStart: slowStart(lb, lbPolicy, sink) };
}

function slowStart(
  lb: PolicySection<LoadBalancerSettings>,
  lbPolicy: LbPolicy,
  sink: TranslateSink,
): SlowStartConfig | null {
  const { warmup, warmupDurationMs } = lb.value;
  const field = warmup !== null ? 'warmup' : 'warmupDurationSecs';
  const cfg: SlowStartConfig | null =
    warmup !== null
      ? {
          windowMs: warmup.durationMs,
          aggression: warmup.aggression ?? WARMUP_AGGRESSION,
          minWeightFraction: (warmup.minimumPercent ?? WARMUP_MIN_PERCENT) / 100,
        }
      : warmupDurationMs !== null
        ? {
            windowMs: warmupDurationMs,
            aggression: WARMUP_AGGRESSION,
            minWeightFraction: WARMUP_MIN_PERCENT / 100,
          }
        : null;
  if (cfg === null) return null;
  if (lbPolicy !== 'ROUND_ROBIN' && lbPolicy !== 'LEAST_REQUEST') {
    warnAt(
      sink,
      lb,
      field,
      `slow start applies to ROUND_ROBIN and LEAST_REQUEST only; ignored under ${lbPolicy}`,
    );
    return null;
  }
  return cfg;
}

function warnLocality(lb: PolicySection<LoadBalancerSettings>, sink: TranslateSink): void {
  const loc = lb.value.localityLbSetting;
  if (loc === null || loc.enabled === false) return;
  // Nothing but `enabled` asks for the mesh default, which Skiff does not apply either.
  if (loc.distribute.length === 0 && loc.failover.length === 0 && loc.failoverPriority.length === 0) return;
  warnAt(
    sink,
    lb,
    'localityLbSetting',
    'not applied: Skiff does not know the proxy locality, so distribute/failover settings are ignored',
  );
}

/** The route `hash_policy` istiod derives from a `consistentHash` (`consistentHashToHashPolicy`). */
export function hashPolicyOf(ch: ConsistentHashLb): HashPolicyConfig {
  const key = ch.hashKey;
  switch (key.type) {
    case 'httpHeaderName':
      return { kind: 'header', headerName: key.name.toLowerCase(), regexRewrite: null, terminal: false };
    case 'httpCookie':
      return {
        kind: 'cookie',
        name: key.name,
        // Envoy keeps the whole seconds of the ttl; no ttl = never generate the cookie.
        ttlSeconds: key.ttlMs === null ? null : Math.floor(key.ttlMs / 1000),
        path: key.path,
        attributes: [],
        terminal: false,
      };
    case 'useSourceIp':
      return { kind: 'source_ip', terminal: false };
    case 'httpQueryParameterName':
      return { kind: 'query_parameter', name: key.name, terminal: false };
  }
}
