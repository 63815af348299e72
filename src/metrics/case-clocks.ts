/**
 * The journeys behind the figures: one row per journey and counted state (`metric_case_clocks`),
 * the same entries `caseStateCounts` adds to the counters — its stage and the day it entered
 * it, the day its waiting clock started, its review basis, its release without engagement.
 * A figure is a count of these entries (a stage's work in progress, those older than a
 * standard); the list behind it is a walk of the same rows, so the list's length equals
 * the figure by construction, and a page costs an index range whatever the number of
 * journeys. Kept in the transaction of each change (apply-change.ts) and by a rebuild.
 *
 * Each row also carries the journey's current stage and keyworker (migration 116), so the
 * reads that group a figure's rows by them — today's caseloads, the stage breaches — are
 * one walk of an index, without a seek per row into the journey's other rows. A change of
 * stage or keyworker moves every row of the journey (they are part of a row's key below).
 */
import { sql, type Kysely } from 'kysely';
import type { DirectSql } from '../db/direct-sql.ts';
import type { Database } from '../db/schema.ts';
import type { CaseFacts, EventCount } from './case-facts.ts';

/** The counted states a list can be drawn from (the age histograms and the stage ages). */
export const CLOCK_METRICS: ReadonlySet<string> = new Set(['stage_age', 'waiting', 'review_basis', 'continuity_open']);

/** One journey's entry in a counted state. */
export interface CaseClockRow {
  case_id: string;
  metric: string;
  k: string;
  agency_id: string;
  day: number;
}

/** A stored clock row: the entry, and its journey's stage and keyworker (null: none assigned) now. */
export interface JourneyClockRow extends CaseClockRow {
  stage: string;
  keyworker_id: string | null;
}

/** The clock rows of one journey's counted states. */
export function clockRowsOf(caseId: string, agencyId: string, counts: readonly EventCount[]): CaseClockRow[] {
  return counts.filter((c) => CLOCK_METRICS.has(c.metric)).map((c) => ({ case_id: caseId, metric: c.metric, k: c.k, agency_id: agencyId, day: c.day }));
}

/** A journey's stored clock rows, from its facts and their counted states (`caseStateCounts(facts)`; none before its first event). */
export function journeyClockRows(caseId: string, facts: CaseFacts | null, counts: readonly EventCount[]): JourneyClockRow[] {
  if (!facts) return [];
  const stage = facts.stage;
  const keyworker = facts.keyworkerId ?? null;
  return clockRowsOf(caseId, facts.agencyId, counts).map((r) => ({ ...r, stage, keyworker_id: keyworker }));
}

const DELETE = 'delete from metric_case_clocks where case_id = ? and metric = ?';
const INSERT = 'insert into metric_case_clocks (case_id, metric, k, agency_id, day, stage, keyworker_id) values (?, ?, ?, ?, ?, ?, ?)';

/**
 * The entries a change moves a journey's rows by: those of its counted states before it that
 * are gone after it, and those after it that are new (most events move none or one; a
 * change of stage or keyworker, every row of the journey).
 */
export function clockMoves(before: readonly JourneyClockRow[], after: readonly JourneyClockRow[]): { gone: JourneyClockRow[]; added: JourneyClockRow[] } {
  const key = (r: JourneyClockRow): string => `${r.metric}\u0000${r.k}\u0000${r.agency_id}\u0000${r.day}\u0000${r.stage}\u0000${r.keyworker_id ?? ''}`;
  const kept = new Set(after.map(key));
  const had = new Set(before.map(key));
  return { gone: before.filter((r) => !kept.has(key(r))), added: after.filter((r) => !had.has(key(r))) };
}

/** Moves one journey's rows from its counted states before a change to those after it, writing only the entries that changed. */
export async function syncCaseClocks(
  trx: Kysely<Database>,
  sql: DirectSql | undefined,
  before: readonly JourneyClockRow[],
  after: readonly JourneyClockRow[],
): Promise<void> {
  const { gone, added } = clockMoves(before, after);
  const db = trx.withTables<{ metric_case_clocks: JourneyClockRow }>();
  for (const r of gone) {
    if (sql) await sql.run(DELETE, [r.case_id, r.metric]);
    else await db.deleteFrom('metric_case_clocks').where('case_id', '=', r.case_id).where('metric', '=', r.metric).execute();
  }
  for (const r of added) {
    if (sql) await sql.run(INSERT, [r.case_id, r.metric, r.k, r.agency_id, r.day, r.stage, r.keyworker_id]);
    else await db.insertInto('metric_case_clocks').values(r).execute();
  }
}

/**
 * Writes many rows at once (a rebuild), under the stores' bound-parameter limits: with their
 * journeys' stage and keyworker, or without (a store before migration 116, which fills them).
 */
export async function insertCaseClocks(trx: Kysely<Database>, rows: readonly CaseClockRow[] | readonly JourneyClockRow[]): Promise<void> {
  const db = trx.withTables<{ metric_case_clocks: CaseClockRow & Partial<Pick<JourneyClockRow, 'stage' | 'keyworker_id'>> }>();
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('metric_case_clocks').values(rows.slice(i, i + 500)).execute();
}

/** Empties the table before a rebuild. */
export async function clearCaseClocks(trx: Kysely<Database>): Promise<void> {
  await trx.withTables<{ metric_case_clocks: CaseClockRow }>().deleteFrom('metric_case_clocks').execute();
}

/**
 * Whether the store's clock rows carry their journey's stage and keyworker yet: a rebuild run
 * by an earlier migration (065, 090) writes them without, and migration 116 fills them.
 * Asked of the store's own schema, without a failing statement (which would end a
 * PostgreSQL transaction).
 */
export async function clocksCarryJourney(trx: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Promise<boolean> {
  const r =
    dialect === 'postgres'
      ? await sql<{ n: number | string }>`select count(*) as n from information_schema.columns where table_schema = current_schema() and table_name = 'metric_case_clocks' and column_name = 'stage'`.execute(trx)
      : await sql<{ n: number | string }>`select count(*) as n from pragma_table_info('metric_case_clocks') where name = 'stage'`.execute(trx);
  return Number(r.rows[0]?.n ?? 0) > 0;
}
