import type { FieldReader } from '../reader.js';
import { COMMON_LB_RULES, LEAST_REQUEST_RULES, MAGLEV_RULES, RING_HASH_RULES } from './field-rules.js';

/** Load-balancer tuning a cluster carries in the model. */
export interface ClusterLbTuning {
  readonly leastRequestChoiceCount: number;
  readonly ringHash: { readonly minimumRingSize: number; readonly maximumRingSize: number };
  readonly maglevTableSize: number;
  readonly healthyPanicThresholdPercent: number;
}

const MAX_RING = 8_388_608;
// Envoy caps the Maglev table at this prime.
const MAX_MAGLEV = 5_000_011;

export function readLbTuning(r: FieldReader): ClusterLbTuning {
  const lr = r.object('least_request_lb_config');
  const leastRequestChoiceCount = lr?.int('choice_count', 2) ?? 2;
  lr?.finish(LEAST_REQUEST_RULES);

  const rh = r.object('ring_hash_lb_config');
  const minimumRingSize = rh?.int('minimum_ring_size', 1, MAX_RING) ?? 1024;
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
  const maglevTableSize = mg?.int('table_size', 1, MAX_MAGLEV) ?? 65_537;
  mg?.finish(MAGLEV_RULES);
  if (mg !== undefined && !isPrime(maglevTableSize))
    mg.error('table_size', `${maglevTableSize} is not a prime number`);

  const common = r.object('common_lb_config');
  let healthyPanicThresholdPercent = 50;
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
  };
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
