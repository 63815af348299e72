/**
 * Percentiles from a histogram of whole-day values, by the nearest-rank method: the p-th
 * percentile of N values is the value at rank ceil(p × N) in ascending order. Cost is one
 * pass over the buckets, however many journeys they count.
 */

/** Summary of a day histogram: count, median, 90th percentile and maximum (null when empty). */
export interface DaySummary {
  count: number;
  medianDays: number | null;
  p90Days: number | null;
  maxDays: number | null;
}

/** Summarises `buckets` (value in days → count). */
export function summariseDays(buckets: ReadonlyMap<number, number>): DaySummary {
  const entries = [...buckets.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const count = entries.reduce((s, [, n]) => s + n, 0);
  if (count === 0) return { count: 0, medianDays: null, p90Days: null, maxDays: null };
  return {
    count,
    medianDays: rankValue(entries, Math.ceil(0.5 * count)),
    p90Days: rankValue(entries, Math.ceil(0.9 * count)),
    maxDays: entries[entries.length - 1]?.[0] ?? null,
  };
}

function rankValue(sorted: ReadonlyArray<readonly [number, number]>, rank: number): number | null {
  let seen = 0;
  for (const [value, n] of sorted) {
    seen += n;
    if (seen >= rank) return value;
  }
  return null;
}
