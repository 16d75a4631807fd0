import type { Random } from '../../util/random.js';
import type { Host } from '../types.js';
import { EdfScheduler } from './edf-scheduler.js';
import { allWeightsEqual, type HostPicker } from './picker.js';

/** Envoy's `active_request_bias` default: effective weight = weight / (active + 1)^1. */
const ACTIVE_REQUEST_BIAS = 1.0;

/**
 * LEAST_REQUEST. Equal weights: power of `choiceCount` choices — sample hosts at random (with
 * replacement, as Envoy does) and keep the one with fewest active requests, so the busiest host
 * never wins. Unequal weights: EDF whose weight is re-read each time a host is requeued, scaled
 * down by its active requests.
 */
export class LeastRequestPicker implements HostPicker {
  private readonly hosts: readonly Host[];
  private readonly random: Random;
  private readonly choiceCount: number;
  private readonly edf: EdfScheduler | null;

  constructor(hosts: readonly Host[], random: Random, choiceCount: number) {
    this.hosts = hosts;
    this.random = random;
    this.choiceCount = Math.max(1, choiceCount);
    this.edf = allWeightsEqual(hosts)
      ? null
      : new EdfScheduler(hosts.length, (i) => effectiveWeight(hosts[i]!));
  }

  pick(): Host | null {
    if (this.edf !== null) return this.hosts[this.edf.pickAndAdd()] ?? null;
    const hosts = this.hosts;
    let best = hosts[this.random.int(hosts.length)]!;
    for (let i = 1; i < this.choiceCount; i++) {
      const c = hosts[this.random.int(hosts.length)]!;
      if (c.counters.activeRequests < best.counters.activeRequests) best = c;
    }
    return best;
  }
}

function effectiveWeight(h: Host): number {
  const active = h.counters.activeRequests + 1;
  return ACTIVE_REQUEST_BIAS === 1 ? h.weight / active : h.weight / active ** ACTIVE_REQUEST_BIAS;
}
