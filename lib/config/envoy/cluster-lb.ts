import type { SlowStartConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import {
  COMMON_LB_RULES,
  LEAST_REQUEST_RULES,
  MAGLEV_RULES,
  RING_HASH_RULES,
  ROUND_ROBIN_RULES,
} from './field-rules.js';
import { readRuntimeDouble, readSlowStart } from './slow-start.js';

/** Load-balancer tuning a cluster carries in the model. */
export interface ClusterLbTuning {
  readonly leastRequestChoiceCount: number;
  readonly ringHash: { readonly minimumRingSize: number; readonly maximumRingSize: number };
  readonly maglevTableSize: number;
  readonly healthyPanicThresholdPercent: number;
  /** From the lb config of the cluster's own policy; null when off. */
  readonly slowStart: SlowStartConfig | null;
  readonly activeRequestBias: number;
}

// Envoy's `Cluster.lb_config` oneof.
const LB_CONFIGS = [
  'ring_hash_lb_config',
  'maglev_lb_config',
  'original_dst_lb_config',
  'least_request_lb_config',
  'round_robin_lb_config',
];

const MAX_RING = 8_388_608;
// Envoy caps the Maglev table at this prime.
const MAX_MAGLEV = 5_000_011;

/** Envoy's defaults (cluster.proto): P2C, ring 1024–8M, Maglev 65537, panic at 50 %, no slow start. */
export const DEFAULT_LB_TUNING: ClusterLbTuning = {
  leastRequestChoiceCount: 2,
  ringHash: { minimumRingSize: 1024, maximumRingSize: MAX_RING },
  maglevTableSize: 65_537,
  healthyPanicThresholdPercent: 50,
  slowStart: null,
  activeRequestBias: 1,
};

export function readLbTuning(r: FieldReader, lbPolicy: string): ClusterLbTuning {
  r.oneOf(LB_CONFIGS, false);
  const lr = r.object('least_request_lb_config');
  const leastRequestChoiceCount = lr?.int('choice_count', 2) ?? DEFAULT_LB_TUNING.leastRequestChoiceCount;
  let activeRequestBias = 1;
  const bias = lr?.object('active_request_bias');
  if (bias !== undefined) activeRequestBias = readRuntimeDouble(bias, 1, 'active_request_bias');
  let slowStart = readPolicySlowStart(lr, lbPolicy, 'LEAST_REQUEST');
  lr?.finish(LEAST_REQUEST_RULES);

  const rr = r.object('round_robin_lb_config');
  slowStart ??= readPolicySlowStart(rr, lbPolicy, 'ROUND_ROBIN');
  rr?.finish(ROUND_ROBIN_RULES);

  const rh = r.object('ring_hash_lb_config');
  const minimumRingSize =
    rh?.int('minimum_ring_size', 1, MAX_RING) ?? DEFAULT_LB_TUNING.ringHash.minimumRingSize;
  const maximumRingSize = rh?.int('maximum_ring_size', 1, MAX_RING) ?? MAX_RING;
  rh?.enumValue('hash_function', ['XX_HASH'], ['MURMUR_HASH_2']);
  rh?.finish(RING_HASH_RULES);
  if (rh !== undefined && minimumRingSize > maximumRingSize) {
    rh.error(
      'minimum_ring_size',
      `minimum_ring_size (${minimumRingSize}) exceeds maximum_ring_size (${maximumRingSize})`,
    );
  }

  const mg = r.object('maglev_lb_config');
  const maglevTableSize = mg?.int('table_size', 1, MAX_MAGLEV) ?? DEFAULT_LB_TUNING.maglevTableSize;
  mg?.finish(MAGLEV_RULES);
  if (mg !== undefined && !isPrime(maglevTableSize))
    mg.error('table_size', `${maglevTableSize} is not a prime number`);

  const common = r.object('common_lb_config');
  let healthyPanicThresholdPercent = DEFAULT_LB_TUNING.healthyPanicThresholdPercent;
  const hpt = common?.object('healthy_panic_threshold');
  if (hpt !== undefined) {
    healthyPanicThresholdPercent = hpt.number('value', 0, 100) ?? 50;
    hpt.finish();
  }
  common?.finish(COMMON_LB_RULES);
  return {
    leastRequestChoiceCount,
    ringHash: { minimumRingSize, maximumRingSize },
    maglevTableSize,
    healthyPanicThresholdPercent,
    slowStart,
    activeRequestBias,
  };
}

/** `slow_start_config` of one policy's lb config; ignored (with a warning) under another policy. */
function readPolicySlowStart(
  cfg: FieldReader | undefined,
  lbPolicy: string,
  owner: 'ROUND_ROBIN' | 'LEAST_REQUEST',
): SlowStartConfig | null {
  const ss = cfg?.object('slow_start_config');
  if (cfg === undefined || ss === undefined) return null;
  const decoded = readSlowStart(ss);
  if (lbPolicy !== owner) {
    cfg.warn('slow_start_config', `applies to lb_policy ${owner} only; ignored under ${lbPolicy}`);
    return null;
  }
  return decoded;
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
