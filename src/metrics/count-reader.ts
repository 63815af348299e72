/**
 * Reads summed counters for a scope: one metric, a set of agencies, one breakdown
 * dimension, optionally a day range. The read walks the counters' primary-key range
 * (metric, agency, dimension, day), so its cost follows the number of distinct days,
 * stages and breakdown values — not the number of journeys.
 */
import { sql } from 'kysely';
import type { Dimension } from './dimensions.ts';
import type { MetricsDb } from './metric-tables.ts';

/** One summed counter. `agencyId` is set only when asked to keep agencies apart. */
export interface CountRow {
  agencyId?: string;
  value: string;
  k: string;
  day: number;
  n: number;
}

export interface CountQuery {
  metric: string;
  agencyIds: readonly string[];
  dim: Dimension;
  /** Inclusive day range. */
  dayFrom?: number;
  dayTo?: number;
  /** Keep agencies apart instead of summing over them. */
  byAgency?: boolean;
}

/** Sums a metric's counters over the scope, grouped by breakdown value, sub-key and day. */
export async function readCounts(db: MetricsDb, q: CountQuery): Promise<CountRow[]> {
  if (q.agencyIds.length === 0) return [];
  let query = db
    .selectFrom('metric_counts')
    .select(['value', 'k', 'day', sql<number>`sum(n)`.as('n')])
    .where('metric', '=', q.metric)
    .where('agency_id', 'in', q.agencyIds)
    .where('dim', '=', q.dim);
  if (q.dayFrom !== undefined) query = query.where('day', '>=', q.dayFrom);
  if (q.dayTo !== undefined) query = query.where('day', '<=', q.dayTo);
  if (q.byAgency) {
    const rows = await query.select('agency_id').groupBy(['agency_id', 'value', 'k', 'day']).having(sql`sum(n)`, '<>', 0).execute();
    return rows.map((r) => ({ agencyId: r.agency_id, value: r.value, k: r.k, day: Number(r.day), n: Number(r.n) }));
  }
  const rows = await query.groupBy(['value', 'k', 'day']).having(sql`sum(n)`, '<>', 0).execute();
  return rows.map((r) => ({ value: r.value, k: r.k, day: Number(r.day), n: Number(r.n) }));
}

/** Sums `n` by a key built from each row. */
export function sumBy<R extends { n: number }, K extends string>(rows: readonly R[], key: (r: R) => K): Map<K, number> {
  const out = new Map<K, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + r.n);
  return out;
}

/** One sum over a day range. */
export interface SumRow {
  metric: string;
  value: string;
  k: string;
  n: number;
}

/**
 * Sums several metrics over the scope and an inclusive day range in one read, grouped by
 * metric, breakdown value and sub-key (no days): what period figures need.
 */
export async function readSums(
  db: MetricsDb,
  q: { metrics: readonly string[]; agencyIds: readonly string[]; dim: Dimension; dayFrom?: number; dayTo?: number },
): Promise<SumRow[]> {
  if (q.agencyIds.length === 0 || q.metrics.length === 0) return [];
  let query = db
    .selectFrom('metric_counts')
    .select(['metric', 'value', 'k', sql<number>`sum(n)`.as('n')])
    .where('metric', 'in', q.metrics)
    .where('agency_id', 'in', q.agencyIds)
    .where('dim', '=', q.dim);
  if (q.dayFrom !== undefined) query = query.where('day', '>=', q.dayFrom);
  if (q.dayTo !== undefined) query = query.where('day', '<=', q.dayTo);
  const rows = await query.groupBy(['metric', 'value', 'k']).having(sql`sum(n)`, '<>', 0).execute();
  return rows.map((r) => ({ metric: r.metric, value: r.value, k: r.k, n: Number(r.n) }));
}
