import type { TcpProxyClusterWeight } from '../config/model.js';
import { pickWeightedIndex, type Random } from '../util/random.js';

/**
 * Picks a tcp_proxy cluster name per connection by weight (Envoy's weighted_clusters): a uniform
 * integer in [0, total) falls into one entry's cumulative range. Built once per chain config.
 */
export class WeightedClusterPicker {
  private readonly names: readonly string[];
  /** Cumulative weight ends, same order as `names`. */
  private readonly ends: readonly number[];
  private readonly total: number;

  constructor(
    clusters: readonly TcpProxyClusterWeight[],
    private readonly random: Random,
  ) {
    const names: string[] = [];
    const ends: number[] = [];
    let total = 0;
    for (const c of clusters) {
      if (c.weight <= 0) continue;
      total += c.weight;
      names.push(c.name);
      ends.push(total);
    }
    this.names = names;
    this.ends = ends;
    this.total = total;
  }

  /** The picked cluster name, or null when no entry has a weight. */
  pick(): string | null {
    const n = this.names.length;
    if (n === 0) return null;
    if (n === 1) return this.names[0]!;
    return this.names[pickWeightedIndex(this.random, this.ends, this.total)]!;
  }
}
