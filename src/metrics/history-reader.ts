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

/** Days per end block of the history's end-block index (migration 115). */
export const END_BLOCK_DAYS = 64;

// An open spell's `to_day` in the index: a day after any day, so open spells have a block of their own.
const OPEN_END = 1_000_000_000;

/** The end block of the open spells. */
export const OPEN_END_BLOCK = OPEN_END / END_BLOCK_DAYS;

/**
 * A spell's end block, written exactly as migration 115's index writes it: SQLite walks an
 * index on an expression only for the same expression, literals included.
 */
export const endBlock: RawBuilder<number> = sql.raw(`(coalesce(h.to_day, ${OPEN_END}) / ${END_BLOCK_DAYS})`);

/** The first end block that can hold a spell running at the end of `asOfDay` (one ending the next day or later). */
export function firstEndBlock(asOfDay: number): number {
  return Math.floor((asOfDay + 1) / END_BLOCK_DAYS);
}

/** One agency's spells of a metric, and the end blocks that can hold spells running at the end of a day. */
export interface EndBlockRange {
  agencyId: string;
  /** From the day's own block to the last block of ended spells the agency holds, and the open spells' block. */
  blocks: number[];
}

/** SQLite is told to walk the end-block index. */
export function endBlockIndex(db: MetricsDb): RawBuilder<unknown> {
  return isPostgres(db) ? sql`` : sql.raw('indexed by metric_case_history_ends');
}

/**
 * Where the spells of `metric` running at the end of `asOfDay` can be, in the end-block
 * index: for each agency, its end blocks from the day's on — up to its last block of ended
 * spells (found by one seek), and the open spells' block.
 */
export async function runningEndBlocks(db: MetricsDb, q: { metric: string; agencyIds: readonly string[]; asOfDay: number }): Promise<EndBlockRange[]> {
  const hint = endBlockIndex(db);
  const first = firstEndBlock(q.asOfDay);
  const out: EndBlockRange[] = [];
  for (const agencyId of new Set(q.agencyIds)) {
    const r = await sql<{ b: number | string }>`select ${endBlock} as b from metric_case_history h ${hint}
      where h.agency_id = ${agencyId} and h.metric = ${q.metric} and ${endBlock} < ${OPEN_END_BLOCK}
      order by ${endBlock} desc limit 1`.execute(db);
    const last = r.rows[0] === undefined ? first - 1 : Number(r.rows[0].b);
    const blocks: number[] = [];
    for (let b = first; b <= last; b += 1) blocks.push(b);
    blocks.push(OPEN_END_BLOCK);
    out.push({ agencyId, blocks });
  }
  return out;
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
  // A journey's spells are read in their end blocks from the day's on (only those that can be running then).
  const journeys = (q.table ?? 'metric_case_history') === 'metric_case_history';
  const blocks = journeys ? [...new Set((await runningEndBlocks(db, q)).flatMap((x) => x.blocks))] : [];
  const from = journeys ? sql`metric_case_history h ${endBlockIndex(db)}` : sql`${sql.table(q.table ?? 'metric_case_history')} h ${historyIndex(db, q.agencyIds.length, q.table)}`;
  const inBlocks = journeys ? sql` and ${endBlock} in (${sql.join(blocks)})` : sql``;
  const r = await sql<{ agency_id: string; k: string; value: string; day: number | string; n: number | string }>`
    select ${agency} as agency_id, h.k as k, ${historyGroupColumn(q.dim)} as value, h.day as day, count(*) as n
    from ${from}
    where h.metric = ${q.metric} and h.agency_id in (${sql.join(q.agencyIds)})${inBlocks} and h.day <= ${last} and ${runningAt(q.asOfDay)}
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
