import type { Random } from '../../util/random.js';
import type { Host } from '../types.js';
import { EdfScheduler } from './edf-scheduler.js';
import { allWeightsEqual, type HostPicker } from './picker.js';

/**
 * ROUND_ROBIN. Equal weights: plain rotation from a random offset, so proxies started together
 * do not all hit the same host first. Unequal weights: EDF, which interleaves (1:3 gives
 * B B A B …, not A B B B).
 */
export class RoundRobinPicker implements HostPicker {
  private readonly hosts: readonly Host[];
  private readonly edf: EdfScheduler | null;
  private next: number;

  constructor(hosts: readonly Host[], random: Random) {
    this.hosts = hosts;
    this.next = random.int(hosts.length);
    if (allWeightsEqual(hosts)) {
      this.edf = null;
    } else {
      this.edf = new EdfScheduler(hosts.length, (i) => hosts[i]!.weight);
      // Envoy also pre-advances the weighted schedule by a random amount.
      for (let i = this.next; i > 0; i--) this.edf.pickAndAdd();
    }
  }

  pick(): Host | null {
    if (this.edf !== null) return this.hosts[this.edf.pickAndAdd()] ?? null;
    const h = this.hosts[this.next]!;
    this.next = this.next + 1 === this.hosts.length ? 0 : this.next + 1;
    return h;
  }
}
