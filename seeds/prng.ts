/**
 * A small seeded pseudo-random generator for the synthetic cohort. The same seed always
 * gives the same sequence, so `pathways seed --seed S` rebuilds identical data and a test
 * can name the exact cohort it checks. Not for anything secret.
 */

/** A stream of numbers in [0, 1) and helpers that draw from it. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One item, each equally likely. */
  pick<T>(items: readonly T[]): T;
  /** One key of `weights`, in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** A roughly normal draw (sum of uniforms), clamped to [min, max]. */
  normal(mean: number, sd: number, min: number, max: number): number;
  /** An exponential draw with the given mean, clamped to `max`. */
  exponential(mean: number, max: number): number;
  /** A UUID-shaped id (version 4 layout) drawn from this stream, so ids repeat with the seed. */
  uuid(): string;
}

/**
 * mulberry32: 32 bits of state, fast and well-distributed enough for test data.
 * @param seed - any integer; equal seeds give equal streams.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into one seed, so each person gets an independent stream. */
export function mixSeed(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

const HEX = '0123456789abcdef';

/** Wraps a seeded stream with the draws the cohort generator needs. */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick() needs at least one item');
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const entries = Object.entries(weights) as [K, number][];
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [key, w] of entries) {
        roll -= w;
        if (roll < 0) return key;
      }
      return (entries[entries.length - 1] as [K, number])[0];
    },
    normal(mean, sd, min, max) {
      // Irwin–Hall with 4 terms: cheap, bell-shaped, no tails to clamp often.
      const z = (next() + next() + next() + next() - 2) * Math.sqrt(3);
      return Math.min(max, Math.max(min, mean + z * sd));
    },
    exponential(mean, max) {
      return Math.min(max, -Math.log(1 - next()) * mean);
    },
    uuid() {
      let out = '';
      for (let i = 0; i < 32; i++) {
        let nibble = Math.floor(next() * 16);
        if (i === 12) nibble = 4;
        else if (i === 16) nibble = 8 + (nibble & 3);
        out += HEX[nibble];
        if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
      }
      return out;
    },
  };
  return random;
}
