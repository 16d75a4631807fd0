/** Randomness, injected into load balancers, weighted picks and back-off so tests are deterministic. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export const systemRandom: Random = {
  next: () => Math.random(),
  int: (n) => Math.floor(Math.random() * n),
};

/** Seeded generator (mulberry32) for tests and reproducible benches. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

/**
 * Envoy's weighted pick: r uniform in [0, total) lands in the first entry whose cumulative weight
 * exceeds it (weight-0 entries are never picked); returns that entry's index.
 */
export function pickWeightedIndex(random: Random, cumulative: readonly number[], total: number): number {
  const r = random.int(total);
  for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]!) return i;
  return cumulative.length - 1;
}
