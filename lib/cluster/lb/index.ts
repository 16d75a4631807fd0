import type { ClusterConfig } from '../../config/model.js';
import { type Clock, systemClock } from '../../util/clock.js';
import type { Random } from '../../util/random.js';
import type { Host, LoadBalancer } from '../types.js';
import { LeastRequestPicker } from './least-request.js';
import { MaglevPicker } from './maglev.js';
import type { HostPicker } from './picker.js';
import { type LoadBalancerHooks, PriorityLoadBalancer } from './priority-load-balancer.js';
import { RandomPicker } from './random.js';
import { RingHashPicker } from './ring-hash.js';
import { RoundRobinPicker } from './round-robin.js';
import { SlowStart } from './slow-start.js';

export type { LoadBalancerHooks } from './priority-load-balancer.js';

/**
 * Builds the cluster's `lb_policy` over `hosts`; call `refresh` when membership or health changes.
 * `clock` (monotonic) drives slow start.
 */
export function createLoadBalancer(
  cfg: ClusterConfig,
  hosts: readonly Host[],
  random: Random,
  hooks?: LoadBalancerHooks,
  clock: Clock = systemClock,
): LoadBalancer {
  const slowStart =
    cfg.slowStart !== undefined && (cfg.lbPolicy === 'ROUND_ROBIN' || cfg.lbPolicy === 'LEAST_REQUEST')
      ? new SlowStart(cfg.slowStart, clock)
      : null;
  return new PriorityLoadBalancer(
    {
      healthyPanicThresholdPercent: cfg.healthyPanicThresholdPercent,
      random,
      newPicker: pickerFactory(cfg, random, slowStart),
      hooks,
      observeHosts: slowStart === null ? undefined : (all) => slowStart.observe(all),
    },
    hosts,
  );
}

function pickerFactory(
  cfg: ClusterConfig,
  random: Random,
  slowStart: SlowStart | null,
): (hosts: readonly Host[]) => HostPicker {
  switch (cfg.lbPolicy) {
    case 'ROUND_ROBIN':
      return (hosts) => new RoundRobinPicker(hosts, random, slowStart);
    case 'LEAST_REQUEST':
      return (hosts) =>
        new LeastRequestPicker(
          hosts,
          random,
          cfg.leastRequestChoiceCount,
          cfg.activeRequestBias ?? 1,
          slowStart,
        );
    case 'RANDOM':
      return (hosts) => new RandomPicker(hosts, random);
    case 'RING_HASH':
      return (hosts) => new RingHashPicker(hosts, random, cfg.ringHash);
    case 'MAGLEV':
      return (hosts) => new MaglevPicker(hosts, random, cfg.maglevTableSize);
  }
}
