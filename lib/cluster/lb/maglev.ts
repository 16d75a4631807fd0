import type { Random } from '../../util/random.js';
import type { Host } from '../types.js';
import { hashString, mix32 } from './hash.js';
import type { HostPicker } from './picker.js';

const OFFSET_SEED = 0x2545f491;
const SKIP_SEED = 0x9e3779b9;

/**
 * MAGLEV: a lookup table of prime size filled from per-host permutations (offset + j·skip), each
 * host taking turns in proportion to its weight. Picks are one array read; a removed host's
 * slots are refilled mostly by the others' next preferences, so little else moves.
 */
export class MaglevPicker implements HostPicker {
  private readonly table: Int32Array;
  private readonly hosts: readonly Host[];
  private readonly random: Random;

  constructor(hosts: readonly Host[], random: Random, tableSize: number) {
    // Fill order decides ties, so sort: every proxy builds the same table whatever order the
    // endpoints arrived in.
    this.hosts = [...hosts].sort((a, b) =>
      a.authority < b.authority ? -1 : a.authority > b.authority ? 1 : 0,
    );
    this.random = random;
    this.table = buildTable(this.hosts, tableSize);
  }

  /** Host per slot (for tests and debugging). */
  slotHost(slot: number): Host | null {
    return this.hosts[this.table[slot]!] ?? null;
  }

  get size(): number {
    return this.table.length;
  }

  pick(hash: number | null, attempt: number): Host | null {
    const table = this.table;
    if (table.length === 0 || this.hosts.length === 0) return null;
    let h = hash ?? Math.floor(this.random.next() * 4294967296);
    // On retry, re-hash so the next pick lands on an unrelated slot.
    if (attempt > 0) h = mix32((h + Math.imul(attempt, SKIP_SEED)) >>> 0);
    return this.hosts[table[h % table.length]!] ?? null;
  }
}

function buildTable(hosts: readonly Host[], size: number): Int32Array {
  const n = hosts.length;
  if (n === 0) return new Int32Array(0);
  const table = new Int32Array(size).fill(-1);
  const offset = new Float64Array(n);
  const skip = new Float64Array(n);
  const next = new Float64Array(n);
  const filledBy = new Float64Array(n);
  const share = new Float64Array(n);
  let maxWeight = 0;
  for (const h of hosts) maxWeight = Math.max(maxWeight, h.weight);
  for (let i = 0; i < n; i++) {
    const key = hosts[i]!.authority;
    offset[i] = hashString(key, OFFSET_SEED) % size;
    skip[i] = (hashString(key, SKIP_SEED) % (size - 1)) + 1;
    share[i] = maxWeight > 0 ? hosts[i]!.weight / maxWeight : 1;
  }
  let filled = 0;
  for (let round = 1; filled < size; round++) {
    for (let i = 0; i < n && filled < size; i++) {
      // A host of relative weight w fills at most round·w slots by the end of a round.
      if (filledBy[i]! >= round * share[i]!) continue;
      let slot = (offset[i]! + next[i]! * skip[i]!) % size;
      while (table[slot]! >= 0) {
        next[i]!++;
        slot = (offset[i]! + next[i]! * skip[i]!) % size;
      }
      table[slot] = i;
      next[i]!++;
      filledBy[i]!++;
      filled++;
    }
  }
  return table;
}
