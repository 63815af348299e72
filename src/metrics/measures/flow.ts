/** Flow between stages: moves per day or ISO week in the period. */
import { readCounts } from '../count-reader.ts';
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

/** Stage-to-stage moves in the period, bucketed by day or by week (the bucket's first day). */
export async function flow(db: MetricsDb, q: MeasureQuery, asked: 'day' | 'week'): Promise<Flow> {
  // Broken-down flows are kept per week (counter-deltas.ts): answer whole weeks.
  const granularity = q.dim === 'all' ? asked : 'week';
  const dayFrom = granularity === 'week' ? weekStartOf(q.fromDay) : q.fromDay;
  const rows = await readCounts(db, { metric: 'flow', agencyIds: q.agencyIds, dim: q.dim, dayFrom, dayTo: q.toDay });
  const sums = new Map<string, number>();
  for (const r of rows) {
    const bucket = granularity === 'week' ? weekStartOf(r.day) : r.day;
    const key = `${bucket}\u0000${r.k}\u0000${r.value}`;
    sums.set(key, (sums.get(key) ?? 0) + r.n);
  }
  return {
    flow: {
      definition: FIGURE_DEFINITIONS.flow,
      granularity,
      rows: [...sums.entries()]
        .map(([key, count]) => {
          const [bucket = '0', move = '>', group = ''] = key.split('\u0000');
          const [from = '', to = ''] = move.split('>');
          return { period: dateOfDay(Number(bucket)), from, to, group, count };
        })
        .sort((a, b) => a.period.localeCompare(b.period) || a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.group.localeCompare(b.group)),
    },
  };
}
