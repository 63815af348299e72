/** Flow between stages: moves per day or ISO week in the period. */
import { readStoredCounts } from '../count-reader.ts';
import { dateOfDay, weekStartOf } from '../days.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { MeasureQuery } from './measure-query.ts';

export interface Flow {
  flow: {
    definition: string;
    granularity: 'day' | 'week';
    rows: Array<{ period: string; from: string; to: string; group: string; count: number }>;
  };
}

/**
 * Ranks of strings in the order of String.prototype.localeCompare (strings it holds equal
 * share a rank), so tens of thousands of rows sort on numbers: the few distinct stage
 * and group names are compared once, not at every comparison of the sort.
 */
function localeRanks(values: Iterable<string>): Map<string, number> {
  const { compare } = new Intl.Collator();
  const sorted = [...new Set(values)].sort(compare);
  const ranks = new Map<string, number>();
  let rank = 0;
  sorted.forEach((v, i) => {
    if (i > 0 && compare(sorted[i - 1] as string, v) !== 0) rank += 1;
    ranks.set(v, rank);
  });
  return ranks;
}

/** Stage-to-stage moves in the period, bucketed by day or by week (the bucket's first day). */
export async function flow(db: MetricsDb, q: MeasureQuery, asked: 'day' | 'week'): Promise<Flow> {
  // Broken-down flows are kept per week (counter-deltas.ts): answer whole weeks.
  const granularity = q.dim === 'all' ? asked : 'week';
  const dayFrom = granularity === 'week' ? weekStartOf(q.fromDay) : q.fromDay;
  const rows = await readStoredCounts(db, { metric: 'flow', agencyIds: q.agencyIds, dim: q.dim, dayFrom, dayTo: q.toDay });
  const sums = new Map<string, { bucket: number; move: string; group: string; count: number }>();
  for (const [, group, move, day, n] of rows) {
    const bucket = granularity === 'week' ? weekStartOf(day) : day;
    const key = `${bucket}\u0000${move}\u0000${group}`;
    const hit = sums.get(key);
    if (hit) hit.count += n;
    else sums.set(key, { bucket, move, group, count: n });
  }
  const moves = [...sums.values()].filter((m) => m.count !== 0).map(({ bucket, move, group, count }) => {
    const cut = move.indexOf('>');
    return { bucket, from: move.slice(0, cut), to: move.slice(cut + 1), group, count };
  });
  // Periods are ISO dates, whose text order is their day order; names sort by their ranks.
  const rank = localeRanks(moves.flatMap((m) => [m.from, m.to, m.group]));
  const keyed = moves.map((m) => ({ m, from: rank.get(m.from) ?? 0, to: rank.get(m.to) ?? 0, group: rank.get(m.group) ?? 0 }));
  keyed.sort((a, b) => a.m.bucket - b.m.bucket || a.from - b.from || a.to - b.to || a.group - b.group);
  const periods = new Map<number, string>();
  const out = keyed.map(({ m: { bucket, from, to, group, count } }) => {
    let period = periods.get(bucket);
    if (period === undefined) {
      period = dateOfDay(bucket);
      periods.set(bucket, period);
    }
    return { period, from, to, group, count };
  });
  return { flow: { definition: FIGURE_DEFINITIONS.flow, granularity, rows: out } };
}
