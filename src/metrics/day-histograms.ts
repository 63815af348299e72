/**
 * Exact day histograms (count, median, 90th percentile, maximum of ages in days) from the
 * day blocks (day-blocks.ts): one read of a metric's block rows for the dimension, each
 * holding its 32 days' counts, so a series over years of history costs a few dozen rows
 * whatever the number of journeys, and the summary is the nearest-rank one of
 * percentiles.ts over every day.
 */
import { sql } from 'kysely';
import { blockRowsFrom } from './count-reader.ts';
import { isPostgres } from './counter-store.ts';
import { BLOCK_DAYS, DAY_COLUMNS, blockOf } from './day-blocks.ts';
import type { Dimension } from '../../machines/measure-dimensions.ts';
import { jsonRowsOf, parseJsonRows } from './json-rows.ts';
import type { MetricsDb } from './metric-tables.ts';
import { summariseDays, type DaySummary } from './percentiles.ts';

export interface DaySummaryQuery {
  /** A metric of BLOCKED_METRICS whose counters hold the day something started. */
  metric: string;
  agencyIds: readonly string[];
  dim: Dimension;
  /** Ages are days from a counter's day to this one; a day after it counts as age 0. */
  asOfDay: number;
  /** Only counters on or before this day (inclusive). */
  dayTo?: number;
  /** Keep agencies apart instead of summing over them. */
  byAgency?: boolean;
}

/** One series' summary: per sub-key and breakdown value (and agency when asked). */
export interface DaySummaryRow extends DaySummary {
  agencyId?: string;
  k: string;
  value: string;
}

const SEP = '\u0000';

/** The summaries of every series of `q.metric` in the scope, exact to the day. */
export async function readDaySummaries(db: MetricsDb, q: DaySummaryQuery): Promise<DaySummaryRow[]> {
  if (q.agencyIds.length === 0) return [];
  // The rows as stored, one per agency, in one JSON value (json-rows.ts), added up here: a
  // GROUP BY summing 33 columns costs the database several times more.
  const { from, value } = blockRowsFrom({ metrics: [q.metric], agencyIds: q.agencyIds, dim: q.dim, lastBlock: q.dayTo === undefined ? undefined : blockOf(q.dayTo), appended: isPostgres(db) });
  // The agency only when kept apart: its id is the longest text of a row.
  const agency = q.byAgency ? sql`b.agency_id` : sql`cast('' as text)`;
  const columns = [agency, sql.ref('b.k'), value, sql.ref('b.block'), ...DAY_COLUMNS.map((c) => sql.ref(`b.${c}`))];
  const found = (await sql<{ rows: unknown }>`select ${jsonRowsOf(db, columns)} as rows ${from}`.execute(db)).rows[0];

  const series = new Map<string, { agencyId: string; k: string; value: string; ages: Map<number, number> }>();
  const last = q.dayTo ?? Number.POSITIVE_INFINITY;
  for (const row of parseJsonRows(found?.rows)) {
    const [agencyId, k, value, block] = row as [string, string, string, number];
    const key = `${agencyId}${SEP}${k}${SEP}${value}`;
    let s = series.get(key);
    if (!s) {
      s = { agencyId, k, value, ages: new Map() };
      series.set(key, s);
    }
    const { ages } = s;
    const days = Math.min(BLOCK_DAYS, last - block + 1);
    for (let i = 0; i < days; i += 1) {
      const n = row[4 + i] as number;
      if (n === 0) continue;
      const age = Math.max(0, q.asOfDay - block - i);
      ages.set(age, (ages.get(age) ?? 0) + n);
    }
  }
  const out: DaySummaryRow[] = [];
  for (const s of series.values()) {
    const summary = summariseDays(s.ages);
    if (summary.count === 0) continue;
    out.push({ ...(q.byAgency ? { agencyId: s.agencyId } : {}), k: s.k, value: s.value, ...summary });
  }
  return out;
}
