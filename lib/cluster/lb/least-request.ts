import type { Random } from '../../util/random.js';
import type { Host } from '../types.js';
import { EdfScheduler } from './edf-scheduler.js';
import { allWeightsEqual, type HostPicker } from './picker.js';
import type { SlowStart } from './slow-start.js';

/**
 * LEAST_REQUEST. Equal weights: power of `choiceCount` choices — sample hosts at random (with
 * replacement, as Envoy does) and keep the one with fewest active requests, so the busiest host
 * never wins. Unequal weights (or a host in slow start): EDF whose weight is re-read each time a
 * host is requeued: weight / (active + 1)^activeRequestBias, then scaled for slow start.
 */
export class LeastRequestPicker implements HostPicker {
  private readonly hosts: readonly Host[];
  private readonly random: Random;
  private readonly choiceCount: number;
  private readonly bias: number;
  private readonly slowStart: SlowStart | null;
  private edf: EdfScheduler | null;
  /** True when EDF exists only for slow start: P2C resumes once every ramp is over. */
  private readonly rampOnly: boolean;

  constructor(
    hosts: readonly Host[],
    random: Random,
    choiceCount: number,
    activeRequestBias = 1,
    slowStart: SlowStart | null = null,
  ) {
    this.hosts = hosts;
    this.random = random;
    this.choiceCount = Math.max(1, choiceCount);
    this.bias = activeRequestBias;
    this.slowStart = slowStart;
    const equal = allWeightsEqual(hosts);
    const ramping = slowStart?.active() === true;
    this.rampOnly = equal && ramping;
    this.edf = equal && !ramping ? null : new EdfScheduler(hosts.length, (i) => this.weightOf(hosts[i]!));
  }

  pick(): Host | null {
    if (this.edf !== null) {
      if (!this.rampOnly || this.slowStart!.active()) return this.hosts[this.edf.pickAndAdd()] ?? null;
      this.edf = null;
    }
    const hosts = this.hosts;
    let best = hosts[this.random.int(hosts.length)]!;
    for (let i = 1; i < this.choiceCount; i++) {
      const c = hosts[this.random.int(hosts.length)]!;
      if (c.counters.activeRequests < best.counters.activeRequests) best = c;
    }
    return best;
  }

  private weightOf(h: Host): number {
    const bias = this.bias;
    const active = h.counters.activeRequests + 1;
    // Bias 0 is plain weighted round robin; 1 (the default) avoids Math.pow.
    const w = bias === 0 ? h.weight : bias === 1 ? h.weight / active : h.weight / active ** bias;
    return this.slowStart === null ? w : this.slowStart.weight(h, w);
  }
}
