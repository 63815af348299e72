/**
 * The state figures at the end of a past day, from the history of counted states
 * (case-history.ts): how many journeys were in each stage, waiting, due a review or
 * released and not engaged, and for how long — the same entries the counters hold for
 * today, as they stood then. One read per figure of the spells that began by that day
 * (an index range in day order), keeping those still running at its end, grouped by the
 * database to one row per (agency, state, group, day).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Dimension } from '../../machines/measure-dimensions.ts';
import { isPostgres } from './counter-store.ts';
import type { MetricsDb } from './metric-tables.ts';
import { summariseDays, type DaySummary } from './percentiles.ts';

/** Which spells to read: one metric, in these agencies, running at the end of `asOfDay`. */
export interface HistoryQuery {
  metric: string;
  agencyIds: readonly string[];
  dim: Dimension;
  asOfDay: number;
  /** Only spells whose clock day is on or before this day (a deadline's standard). */
  dayTo?: number;
  /** Keep agencies apart instead of summing over them. */
  byAgency?: boolean;
  /** Whose history: journeys' (the default) or referrals' (referral-history.ts). */
  table?: HistoryTable;
}

/** The two histories, read alike: the same columns but for the journey's or referral's id. */
export type HistoryTable = 'metric_case_history' | 'metric_referral_history';

/** The breakdown column of the history (or `all`). */
export function historyGroupColumn(dim: Dimension): RawBuilder<string> {
  return dim === 'all' ? sql<string>`'all'` : sql<string>`${sql.ref(`h.${dim}`)}`;
}

/** The spells of `q` running at the end of its day: the condition every as-of read shares. */
export function runningAt(asOfDay: number): RawBuilder<boolean> {
  return sql<boolean>`h.from_day <= ${asOfDay} and (h.to_day is null or h.to_day > ${asOfDay})`;
}

/** SQLite is told which index to walk (it keeps no statistics): one agency's, or the metric's for several. */
export function historyIndex(db: MetricsDb, agencies: number, table: HistoryTable = 'metric_case_history'): RawBuilder<unknown> {
  if (isPostgres(db)) return sql``;
  return sql.raw(agencies === 1 ? `indexed by ${table}_agency` : `indexed by ${table}_metric`);
}

interface DayCount {
  agencyId: string;
  k: string;
  value: string;
  day: number;
  n: number;
}

async function readDayCounts(db: MetricsDb, q: HistoryQuery): Promise<DayCount[]> {
  if (q.agencyIds.length === 0) return [];
  const last = Math.min(q.asOfDay, q.dayTo ?? q.asOfDay);
  const agency = q.byAgency ? sql`h.agency_id` : sql`''`;
  const r = await sql<{ agency_id: string; k: string; value: string; day: number | string; n: number | string }>`
    select ${agency} as agency_id, h.k as k, ${historyGroupColumn(q.dim)} as value, h.day as day, count(*) as n
    from ${sql.table(q.table ?? 'metric_case_history')} h ${historyIndex(db, q.agencyIds.length, q.table)}
    where h.metric = ${q.metric} and h.agency_id in (${sql.join(q.agencyIds)}) and h.day <= ${last} and ${runningAt(q.asOfDay)}
    group by 1, 2, 3, 4`.execute(db);
  return r.rows.map((row) => ({ agencyId: row.agency_id, k: row.k, value: row.value, day: Number(row.day), n: Number(row.n) }));
}

/** How many spells each state and group held at the end of the day (as `readBlockTotals` for today). */
export async function historyTotals(db: MetricsDb, q: HistoryQuery): Promise<Array<{ agencyId?: string; k: string; value: string; n: number }>> {
  const sums = new Map<string, { agencyId?: string; k: string; value: string; n: number }>();
  for (const r of await readDayCounts(db, q)) {
    const key = `${r.agencyId}\u0000${r.k}\u0000${r.value}`;
    const hit = sums.get(key);
    if (hit) hit.n += r.n;
    else sums.set(key, { ...(q.byAgency ? { agencyId: r.agencyId } : {}), k: r.k, value: r.value, n: r.n });
  }
  return [...sums.values()];
}

/** The ages (days from each spell's clock day to the as-of day) per state and group, and agency with `byAgency` (as `readDaySummaries` for today). */
export async function historySummaries(db: MetricsDb, q: HistoryQuery): Promise<Array<{ agencyId?: string; k: string; value: string } & DaySummary>> {
  const series = new Map<string, { agencyId?: string; k: string; value: string; ages: Map<number, number> }>();
  for (const r of await readDayCounts(db, q)) {
    const key = `${r.agencyId}\u0000${r.k}\u0000${r.value}`;
    let s = series.get(key);
    if (!s) {
      s = { ...(q.byAgency ? { agencyId: r.agencyId } : {}), k: r.k, value: r.value, ages: new Map() };
      series.set(key, s);
    }
    const age = Math.max(0, q.asOfDay - r.day);
    s.ages.set(age, (s.ages.get(age) ?? 0) + r.n);
  }
  return [...series.values()].map((s) => ({ ...(s.agencyId === undefined ? {} : { agencyId: s.agencyId }), k: s.k, value: s.value, ...summariseDays(s.ages) })).filter((s) => s.count > 0);
}
