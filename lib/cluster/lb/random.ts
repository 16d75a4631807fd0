import type { Random } from '../../util/random.js';
import type { Host } from '../types.js';
import type { HostPicker } from './picker.js';

/** RANDOM: uniform over the active hosts; like Envoy it ignores `load_balancing_weight`. */
export class RandomPicker implements HostPicker {
  private readonly hosts: readonly Host[];
  private readonly random: Random;

  constructor(hosts: readonly Host[], random: Random) {
    this.hosts = hosts;
    this.random = random;
  }

  pick(): Host | null {
    return this.hosts[this.random.int(this.hosts.length)] ?? null;
  }
}
