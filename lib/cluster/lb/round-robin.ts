import type { Random } from '../../util/random.js';
import type { Host } from '../types.js';
import { EdfScheduler } from './edf-scheduler.js';
import { allWeightsEqual, type HostPicker } from './picker.js';
import type { SlowStart } from './slow-start.js';

/**
 * ROUND_ROBIN. Equal weights: plain rotation from a random offset, so proxies started together
 * do not all hit the same host first. Unequal weights, or a host in slow start: EDF, which
 * interleaves (1:3 gives B B A B …, not A B B B) and re-reads a host's weight when requeued.
 */
export class RoundRobinPicker implements HostPicker {
  private readonly hosts: readonly Host[];
  private edf: EdfScheduler | null;
  /** Set when EDF exists only for slow start: rotation resumes once every ramp is over. */
  private readonly rampOnly: SlowStart | null;
  private next: number;

  constructor(hosts: readonly Host[], random: Random, slowStart: SlowStart | null = null) {
    this.hosts = hosts;
    this.next = random.int(hosts.length);
    const equal = allWeightsEqual(hosts);
    const ramping = slowStart?.active() === true;
    this.rampOnly = equal && ramping ? slowStart : null;
    if (equal && !ramping) {
      this.edf = null;
    } else {
      this.edf = new EdfScheduler(
        hosts.length,
        slowStart === null ? (i) => hosts[i]!.weight : (i) => slowStart.weight(hosts[i]!, hosts[i]!.weight),
      );
      // Envoy also pre-advances the weighted schedule by a random amount.
      for (let i = this.next; i > 0; i--) this.edf.pickAndAdd();
    }
  }

  pick(): Host | null {
    if (this.edf !== null) {
      if (this.rampOnly === null || this.rampOnly.active()) return this.hosts[this.edf.pickAndAdd()] ?? null;
      this.edf = null;
    }
    const h = this.hosts[this.next]!;
    this.next = this.next + 1 === this.hosts.length ? 0 : this.next + 1;
    return h;
  }
}
