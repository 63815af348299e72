/**
 * Reads summed counters for a scope: one metric, a set of agencies, one breakdown
 * dimension, optionally a day range. The read walks the counters' primary-key range
 * (metric, agency, dimension, day), so its cost follows the number of distinct days,
 * stages and breakdown values — not the number of journeys.
 */
import { sql } from 'kysely';
import { BLOCKED_METRICS, splitRange } from './day-blocks.ts';
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
 * Sums several metrics over the scope and an inclusive day range, grouped by metric,
 * breakdown value and sub-key (no days): what period figures need. Metrics kept per block
 * (day-blocks.ts) are read as whole 32-day blocks plus the days at the range's ragged
 * ends, so a year or the whole history costs a bounded number of rows.
 */
export async function readSums(
  db: MetricsDb,
  q: { metrics: readonly string[]; agencyIds: readonly string[]; dim: Dimension; dayFrom?: number; dayTo?: number },
): Promise<SumRow[]> {
  if (q.agencyIds.length === 0 || q.metrics.length === 0) return [];
  const blocked = q.metrics.filter((m) => BLOCKED_METRICS.has(m));
  const daily = q.metrics.filter((m) => !BLOCKED_METRICS.has(m));
  const split = splitRange(q.dayFrom, q.dayTo);
  const reads: Array<Promise<SumRow[]>> = [];
  if (daily.length > 0) reads.push(readDaySums(db, { ...q, metrics: daily }));
  if (blocked.length > 0) {
    if (split.blocks) reads.push(readBlockSums(db, { ...q, metrics: blocked, blockFrom: split.blocks.from, blockTo: split.blocks.to }));
    for (const range of split.days) reads.push(readDaySums(db, { ...q, metrics: blocked, dayFrom: range.from, dayTo: range.to }));
  }
  const parts = await Promise.all(reads);
  if (parts.length === 1) return parts[0] ?? [];
  const sums = new Map<string, SumRow>();
  for (const rows of parts) {
    for (const r of rows) {
      const key = `${r.metric}\u0000${r.value}\u0000${r.k}`;
      const existing = sums.get(key);
      if (existing) existing.n += r.n;
      else sums.set(key, { ...r });
    }
  }
  return [...sums.values()].filter((r) => r.n !== 0);
}

async function readDaySums(
  db: MetricsDb,
  q: { metrics: readonly string[]; agencyIds: readonly string[]; dim: Dimension; dayFrom?: number | undefined; dayTo?: number | undefined },
): Promise<SumRow[]> {
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

async function readBlockSums(
  db: MetricsDb,
  q: { metrics: readonly string[]; agencyIds: readonly string[]; dim: Dimension; blockFrom?: number | undefined; blockTo?: number | undefined },
): Promise<SumRow[]> {
  let query = db
    .selectFrom('metric_count_blocks')
    .select(['metric', 'value', 'k', sql<number>`sum(n)`.as('n')])
    .where('metric', 'in', q.metrics)
    .where('agency_id', 'in', q.agencyIds)
    .where('dim', '=', q.dim);
  if (q.blockFrom !== undefined) query = query.where('block', '>=', q.blockFrom);
  if (q.blockTo !== undefined) query = query.where('block', '<=', q.blockTo);
  const rows = await query.groupBy(['metric', 'value', 'k']).having(sql`sum(n)`, '<>', 0).execute();
  return rows.map((r) => ({ metric: r.metric, value: r.value, k: r.k, n: Number(r.n) }));
}
