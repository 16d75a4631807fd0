import type { Random } from '../../util/random.js';
import type { Host } from '../types.js';
import { hashString } from './hash.js';
import type { HostPicker } from './picker.js';

/** Host indices are packed under the hash in one float64 sort key (2^32 · 2^21 ≤ 2^53). */
const INDEX_BITS = 2 ** 21;

/**
 * RING_HASH (ketama): every host owns points on a 32-bit ring in proportion to its weight; a
 * request's hash goes to the first point at or after it. Removing one of N hosts moves only the
 * keys that host owned (~1/N). Without a hash the pick is a random point on the ring.
 */
export class RingHashPicker implements HostPicker {
  private readonly points: Uint32Array;
  private readonly owners: Int32Array;
  private readonly hosts: readonly Host[];
  private readonly random: Random;

  constructor(
    hosts: readonly Host[],
    random: Random,
    ring: { readonly minimumRingSize: number; readonly maximumRingSize: number },
  ) {
    this.hosts = hosts;
    this.random = random;
    const keys = buildRing(hosts, ring.minimumRingSize, ring.maximumRingSize);
    keys.sort();
    this.points = new Uint32Array(keys.length);
    this.owners = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const idx = k % INDEX_BITS;
      this.points[i] = (k - idx) / INDEX_BITS;
      this.owners[i] = idx;
    }
  }

  /** Ring size actually built (for tests and /clusters). */
  get size(): number {
    return this.points.length;
  }

  pick(hash: number | null, attempt: number): Host | null {
    const points = this.points;
    const n = points.length;
    if (n === 0) return null;
    const h = hash ?? Math.floor(this.random.next() * 4294967296);
    // Lower bound: first point >= h, wrapping to 0.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    // On retry, behave as if the chosen point were not on the ring (Envoy steps forward too).
    const i = (lo + attempt) % n;
    return this.hosts[this.owners[i]!] ?? null;
  }
}

function buildRing(hosts: readonly Host[], minSize: number, maxSize: number): Float64Array {
  let total = 0;
  for (const h of hosts) total += h.weight;
  if (hosts.length === 0 || total <= 0) return new Float64Array(0);
  let minNorm = 1;
  for (const h of hosts) minNorm = Math.min(minNorm, h.weight / total);
  // Scale so the lightest host gets a whole number of points, capped by the maximum size.
  const scale = Math.min(Math.ceil(minNorm * minSize) / minNorm, maxSize);
  const keys = new Float64Array(Math.ceil(scale) + hosts.length);
  let count = 0;
  let current = 0;
  let target = 0;
  for (let idx = 0; idx < hosts.length; idx++) {
    const host = hosts[idx]!;
    target += (scale * host.weight) / total;
    // Running sums keep the total near `scale` even when per-host shares are fractional.
    for (let replica = 0; current < target && count < keys.length; replica++, current++) {
      keys[count++] = hashString(`${host.authority}_${replica}`) * INDEX_BITS + idx;
    }
  }
  return keys.subarray(0, count);
}
