/**
 * What a benchmark module gives `bench/index.ts`: a name and a function that measures and
 * returns its figures. Modules print their own progress; the runner prints the table.
 */

/** One measured figure. */
export interface Figure {
  /** What was measured (`engine transitions/s, 64 concurrent callers`). */
  name: string;
  value: number | string;
  /** `ops/s`, `ms`, `MB`, `×`, … */
  unit?: string;
  /** How to read it, or the conditions it was measured under. */
  note?: string;
}

/** A benchmark module. */
export interface BenchModule {
  /** Short name, used to pick modules: `npm run bench -- engine`. */
  name: string;
  /** One line on what the module measures. */
  summary: string;
  run(): Promise<Figure[]>;
}

/** An integer of at least `least` (1 unless a knob says 0 turns it off) from the environment, or the default. */
export function envInt(name: string, fallback: number, least = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < least) throw new Error(`${name} must be an integer of at least ${least}, got "${raw}"`);
  return value;
}

/**
 * The nearest-rank percentile of `values` (in any order; not changed): the smallest value
 * with at least `p` (0–1) of them at or below it. NaN when there are none.
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}
