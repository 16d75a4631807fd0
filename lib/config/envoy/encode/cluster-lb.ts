/** The cluster's `lb_config` oneof (one section at most) and `common_lb_config`. */
import type { ClusterConfig, SlowStartConfig } from '../../model.js';
import { duration, fields, type Json, undivide, unless } from './format.js';

const MAX_RING = 8_388_608;

/**
 * `RuntimeDouble` needs a `runtime_key` in Envoy; Skiff has no runtime layer and never looks it
 * up, so a key named after the cluster is written.
 */
function runtimeDouble(value: number, key: string): Json {
  return { default_value: value, runtime_key: key };
}

function encodeSlowStart(s: SlowStartConfig, cluster: string): Json {
  return fields({
    slow_start_window: duration(s.windowMs),
    aggression:
      s.aggression === 1 ? undefined : runtimeDouble(s.aggression, `${cluster}.slow_start_aggression`),
    // The model keeps min_weight_percent as a fraction.
    min_weight_percent:
      s.minWeightFraction === 0.1 ? undefined : { value: undivide(s.minWeightFraction, 100) },
  });
}

/**
 * Every lb_config section that holds something other than Envoy's defaults. The decoder accepts
 * at most one (a oneof), so a decoded model yields at most one; ORIGINAL_DST's section is
 * written by the cluster encoder.
 */
function sections(c: ClusterConfig): Array<[string, Json]> {
  const out: Array<[string, Json]> = [];
  const slow = c.slowStart === undefined ? undefined : encodeSlowStart(c.slowStart, c.name);
  const bias = c.activeRequestBias;
  const lr = fields({
    choice_count: unless(c.leastRequestChoiceCount, 2),
    active_request_bias:
      bias === undefined ? undefined : runtimeDouble(bias, `${c.name}.active_request_bias`),
    slow_start_config: c.lbPolicy === 'LEAST_REQUEST' ? slow : undefined,
  });
  if (Object.keys(lr).length > 0) out.push(['least_request_lb_config', lr]);
  if (c.lbPolicy === 'ROUND_ROBIN' && slow !== undefined)
    out.push(['round_robin_lb_config', { slow_start_config: slow }]);
  const rh = fields({
    minimum_ring_size: unless(c.ringHash.minimumRingSize, 1024),
    maximum_ring_size: unless(c.ringHash.maximumRingSize, MAX_RING),
  });
  if (Object.keys(rh).length > 0) out.push(['ring_hash_lb_config', rh]);
  if (c.maglevTableSize !== 65_537) out.push(['maglev_lb_config', { table_size: c.maglevTableSize }]);
  return out;
}

const OWN_SECTION: Readonly<Record<ClusterConfig['lbPolicy'], string>> = {
  ROUND_ROBIN: 'round_robin_lb_config',
  LEAST_REQUEST: 'least_request_lb_config',
  RANDOM: '',
  RING_HASH: 'ring_hash_lb_config',
  MAGLEV: 'maglev_lb_config',
};

/** The lb config fields to spread into the cluster (the policy's own section preferred). */
export function encodeLbConfig(c: ClusterConfig): Json {
  const all = sections(c);
  const own = all.find(([k]) => k === OWN_SECTION[c.lbPolicy]) ?? all[0];
  const out: Json = own === undefined || c.type === 'ORIGINAL_DST' ? {} : { [own[0]]: own[1] };
  if (c.healthyPanicThresholdPercent !== 50) {
    out['common_lb_config'] = { healthy_panic_threshold: { value: c.healthyPanicThresholdPercent } };
  }
  return out;
}
