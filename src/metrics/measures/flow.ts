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
  // A year broken down is tens of thousands of rows: moves and groups are numbered once,
  // and rows are added up and sorted on numbers.
  const moves = new Interned();
  const groups = new Interned();
  const sums = new Map<number, { bucket: number; move: number; group: number; count: number }>();
  for (const [, value, k, day, n] of rows) {
    const bucket = granularity === 'week' ? weekStartOf(day) : day;
    const move = moves.id(k);
    const group = groups.id(value);
    const key = (bucket * 65_536 + move) * 65_536 + group;
    const hit = sums.get(key);
    if (hit) hit.count += n;
    else sums.set(key, { bucket, move, group, count: n });
  }
  const ends = moves.names.map((m) => {
    const cut = m.indexOf('>');
    return { from: m.slice(0, cut), to: m.slice(cut + 1) };
  });
  // Periods are ISO dates, whose text order is their day order; names sort by their ranks.
  const rank = localeRanks([...ends.flatMap((e) => [e.from, e.to]), ...groups.names]);
  const r = (name: string): number => rank.get(name) ?? 0;
  const fromRank = ends.map((e) => r(e.from));
  const toRank = ends.map((e) => r(e.to));
  const groupRank = groups.names.map(r);
  const list = [...sums.values()].filter((x) => x.count !== 0);
  list.sort(
    (a, b) =>
      a.bucket - b.bucket ||
      (fromRank[a.move] ?? 0) - (fromRank[b.move] ?? 0) ||
      (toRank[a.move] ?? 0) - (toRank[b.move] ?? 0) ||
      (groupRank[a.group] ?? 0) - (groupRank[b.group] ?? 0),
  );
  const periods = new Map<number, string>();
  const out = list.map(({ bucket, move, group, count }) => {
    let period = periods.get(bucket);
    if (period === undefined) {
      period = dateOfDay(bucket);
      periods.set(bucket, period);
    }
    const end = ends[move] ?? { from: '', to: '' };
    return { period, from: end.from, to: end.to, group: groups.names[group] ?? '', count };
  });
  return { flow: { definition: FIGURE_DEFINITIONS.flow, granularity, rows: out } };
}

/** Small numbers for repeated names, in order of first sight. */
class Interned {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}
