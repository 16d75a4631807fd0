import type { Host } from '../types.js';

/**
 * Picks one host among the active hosts of one priority level. Built once per host-set or
 * health change; `pick` must not allocate.
 */
export interface HostPicker {
  /**
   * `hash` is an already mixed uint32 or null. `attempt` is 0 for the first pick and counts up
   * when the previous pick was excluded, so hash-based pickers can step to another host.
   */
  pick(hash: number | null, attempt: number): Host | null;
}

export function allWeightsEqual(hosts: readonly Host[]): boolean {
  for (let i = 1; i < hosts.length; i++) {
    if (hosts[i]!.weight !== hosts[0]!.weight) return false;
  }
  return true;
}
