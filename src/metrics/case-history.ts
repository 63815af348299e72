/**
 * Where each journey was on any past day: the history of its counted states
 * (`metric_case_history`, migration 070). Each row is one spell of one clock row of
 * case-clocks.ts — a stage (`stage_age`), waiting, a review basis, a release not yet
 * engaged — with the day it began (`from_day`) and the day it ended (`to_day`, null while it
 * lasts), in the service's calendar days. A journey was in a counted state at the end of day
 * D when `from_day <= D` and (`to_day` is null or `to_day > D`); a spell that began and
 * ended on one day was never there at a day's end and is not kept.
 *
 * Boundaries are the days of the events' effective times, so a fact recorded late lands
 * on its own day. A late fact dated before later-recorded spells of the same state cuts
 * them back to its day (the latest word on a day wins), so spells of one state never
 * overlap. `advanceHistory` is the one rule: the engine's unit applies it to the journey's
 * stored spells with each change, and the rebuild and the migration's backfill apply it in
 * memory while replaying the event log, so both give the same rows.
 *
 * Each row carries the journey's breakdown values (its values now, as the counters count
 * it), so a list of one group, at any day, is one walk of an index.
 *
 * Beside the clock rows, one more state is followed (migration 090): whose caseload an
 * open journey is in (`caseload`, `k` the keyworker's id or '' for none, at its lead
 * agency; `day` 0, as the spell is all there is to it), so a team's caseloads and who led
 * which journey read as they stood on a past day.
 */
import { sql, type Kysely } from 'kysely';
import type { DirectSql } from '../db/direct-sql.ts';
import type { Database } from '../db/schema.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { clockRowsOf, type CaseClockRow } from './case-clocks.ts';
import type { CaseFacts } from './case-facts.ts';
import { caseStateCounts } from './counter-deltas.ts';

/** One spell without its journey's fixed values. */
export interface Spell {
  metric: string;
  k: string;
  agency_id: string;
  /** The clock row's day (stage entered, waiting clock started, review basis, release). */
  day: number;
  from_day: number;
  /** The first day the journey was no longer in it at the day's end; null while it lasts. */
  to_day: number | null;
}

/** One spell of a counted state, as stored: the spell with its journey and fixed values. */
export interface CaseHistoryRow extends DimensionValues, Spell {
  case_id: string;
}

/** The history's state of being in a keyworker's caseload (not a clock: no counter counts it). */
export const CASELOAD = 'caseload';

/** The caseload spell's row of an open journey: its lead agency and keyworker ('' for none). */
export function caseloadRows(caseId: string, facts: CaseFacts | null): CaseClockRow[] {
  if (!facts || facts.stage === 'closed') return [];
  return [{ case_id: caseId, metric: CASELOAD, k: facts.keyworkerId ?? '', agency_id: facts.agencyId, day: 0 }];
}

/** Every row a journey's history follows: its clock rows and its caseload. */
export function historyRowsOf(caseId: string, facts: CaseFacts | null): CaseClockRow[] {
  if (!facts) return [];
  return [...clockRowsOf(caseId, facts.agencyId, caseStateCounts(facts)), ...caseloadRows(caseId, facts)];
}

const clockKey = (r: Pick<CaseClockRow, 'metric' | 'k' | 'agency_id' | 'day'>): string => `${r.metric}\u0000${r.k}\u0000${r.agency_id}\u0000${r.day}`;

/** The metrics whose clock row a change replaced (its row before and after differ). */
export function movedMetrics(before: readonly CaseClockRow[], after: readonly CaseClockRow[]): Set<string> {
  const kept = new Set(after.map(clockKey));
  const had = new Set(before.map(clockKey));
  const moved = new Set<string>();
  for (const r of before) if (!kept.has(clockKey(r))) moved.add(r.metric);
  for (const r of after) if (!had.has(clockKey(r))) moved.add(r.metric);
  return moved;
}

/**
 * A journey's spells after a change on `day` that moved its clock rows from `before` to
 * `after`. For each state whose row changed, the running spell ends on `day`, any spell
 * reaching past `day` (written before a late fact dated earlier) is cut back to it, spells
 * left empty are dropped, and the new row, if any, starts a spell on `day`.
 */
export function advanceHistory(spells: readonly Spell[], before: readonly CaseClockRow[], after: readonly CaseClockRow[], day: number): Spell[] {
  const moved = movedMetrics(before, after);
  if (moved.size === 0) return [...spells];
  const out: Spell[] = [];
  for (const s of spells) {
    if (!moved.has(s.metric)) {
      out.push(s);
      continue;
    }
    const to = s.to_day === null || s.to_day > day ? day : s.to_day;
    if (to > s.from_day) out.push(to === s.to_day ? s : { ...s, to_day: to });
  }
  for (const r of after) if (moved.has(r.metric)) out.push({ metric: r.metric, k: r.k, agency_id: r.agency_id, day: r.day, from_day: day, to_day: null });
  return out;
}

const spellKey = (s: Pick<Spell, 'metric' | 'from_day'>): string => `${s.metric}\u0000${s.from_day}`;

const DIM_COLUMNS = ['sex', 'age_band', 'ethnicity', 'postcode_district', 'referral_source', 'substance'] as const satisfies ReadonlyArray<keyof DimensionValues>;
const UPDATE_DIMS = `update metric_case_history set ${DIM_COLUMNS.map((d) => `${d} = ?`).join(', ')} where case_id = ?`;
const SELECT = 'select metric, k, agency_id, day, from_day, to_day from metric_case_history where case_id = ?';
const DELETE = 'delete from metric_case_history where case_id = ? and metric = ? and from_day = ?';
const UPDATE = 'update metric_case_history set k = ?, agency_id = ?, day = ?, to_day = ? where case_id = ? and metric = ? and from_day = ?';
const INSERT =
  'insert into metric_case_history (case_id, metric, k, agency_id, day, from_day, to_day, sex, age_band, ethnicity, postcode_district, referral_source, substance) ' +
  'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** A change to one journey's history: the day it happened on, its clock rows before and after, and its breakdown values before (null: its first event). */
export interface HistoryChange {
  before: readonly CaseClockRow[];
  after: readonly CaseClockRow[];
  day: number;
  dimsBefore: DimensionValues | null;
}

/** Whether a change corrected a breakdown value (the episode's substance): every spell then carries the new values. */
export function dimsMoved(change: HistoryChange, dims: DimensionValues): boolean {
  return change.dimsBefore !== null && DIM_COLUMNS.some((d) => change.dimsBefore?.[d] !== dims[d]);
}

/** The breakdown values in the history's column order. */
export function dimValues(dims: DimensionValues): string[] {
  return DIM_COLUMNS.map((d) => dims[d]);
}

/** Gives every spell of a journey its breakdown values now (a corrected value moves the whole journey to its new group, as the counters move it). */
export async function moveHistoryDims(trx: Kysely<Database>, direct: DirectSql | undefined, caseId: string, dims: DimensionValues): Promise<void> {
  if (direct) await direct.run(UPDATE_DIMS, [...dimValues(dims), caseId]);
  else await trx.withTables<{ metric_case_history: CaseHistoryRow }>().updateTable('metric_case_history').set(Object.fromEntries(DIM_COLUMNS.map((d) => [d, dims[d]]))).where('case_id', '=', caseId).execute();
}

/** A spell as read back from either store (PostgreSQL may answer its days as text). */
export function storedSpell(s: Spell): Spell {
  return { metric: s.metric, k: s.k, agency_id: s.agency_id, day: Number(s.day), from_day: Number(s.from_day), to_day: s.to_day === null ? null : Number(s.to_day) };
}

/** The spells a change removes, rewrites (cut back, or replaced by one starting the same day) and adds. */
export interface HistoryWrites {
  deleted: Spell[];
  updated: Spell[];
  inserted: Spell[];
}

/** What a change writes to a journey's `stored` spells: only the spells that differ. */
export function historyWrites(stored: readonly Spell[], change: HistoryChange): HistoryWrites {
  const next = advanceHistory(stored, change.before, change.after, change.day);
  const was = new Map(stored.map((s) => [spellKey(s), s]));
  const now = new Map(next.map((s) => [spellKey(s), s]));
  const writes: HistoryWrites = { deleted: [], updated: [], inserted: [] };
  for (const [key, s] of was) {
    const kept = now.get(key);
    if (!kept) writes.deleted.push(s);
    else if (kept.to_day !== s.to_day || kept.k !== s.k || kept.agency_id !== s.agency_id || kept.day !== s.day) writes.updated.push(kept);
  }
  for (const [key, s] of now) if (!was.has(key)) writes.inserted.push(s);
  return writes;
}

/**
 * Keeps one journey's history in step with a change (in the change's transaction): reads
 * its spells only when a clock row moved, and writes only the spells that differ.
 */
export async function syncCaseHistory(trx: Kysely<Database>, direct: DirectSql | undefined, caseId: string, dims: DimensionValues, change: HistoryChange): Promise<void> {
  const db = trx.withTables<{ metric_case_history: CaseHistoryRow }>();
  if (dimsMoved(change, dims)) await moveHistoryDims(trx, direct, caseId, dims);
  if (movedMetrics(change.before, change.after).size === 0) return;
  const stored = direct
    ? await direct.all<Spell>(SELECT, [caseId])
    : await db.selectFrom('metric_case_history').select(['metric', 'k', 'agency_id', 'day', 'from_day', 'to_day']).where('case_id', '=', caseId).execute();
  const writes = historyWrites(stored.map(storedSpell), change);
  const run = async (text: string, params: unknown[], viaKysely: () => Promise<unknown>): Promise<void> => {
    if (direct) await direct.run(text, params);
    else await viaKysely();
  };
  for (const s of writes.deleted) {
    await run(DELETE, [caseId, s.metric, s.from_day], () =>
      db.deleteFrom('metric_case_history').where('case_id', '=', caseId).where('metric', '=', s.metric).where('from_day', '=', s.from_day).execute(),
    );
  }
  for (const s of writes.updated) {
    await run(UPDATE, [s.k, s.agency_id, s.day, s.to_day, caseId, s.metric, s.from_day], () =>
      db.updateTable('metric_case_history').set({ k: s.k, agency_id: s.agency_id, day: s.day, to_day: s.to_day }).where('case_id', '=', caseId).where('metric', '=', s.metric).where('from_day', '=', s.from_day).execute(),
    );
  }
  for (const s of writes.inserted) {
    const row = historyRow(caseId, dims, s);
    await run(
      INSERT,
      [row.case_id, row.metric, row.k, row.agency_id, row.day, row.from_day, row.to_day, row.sex, row.age_band, row.ethnicity, row.postcode_district, row.referral_source, row.substance],
      () => db.insertInto('metric_case_history').values(row).execute(),
    );
  }
}

/** A spell as a stored row of its journey. */
export function historyRow(caseId: string, dims: DimensionValues, s: Spell): CaseHistoryRow {
  return {
    case_id: caseId,
    metric: s.metric,
    k: s.k,
    agency_id: s.agency_id,
    day: s.day,
    from_day: s.from_day,
    to_day: s.to_day,
    sex: dims.sex,
    age_band: dims.age_band,
    ethnicity: dims.ethnicity,
    postcode_district: dims.postcode_district,
    referral_source: dims.referral_source,
    substance: dims.substance,
  };
}

/** Writes many rows at once (a rebuild, the backfill), under the stores' bound-parameter limits (13 columns × 300 rows). */
export async function insertCaseHistory(trx: Kysely<Database>, rows: readonly CaseHistoryRow[]): Promise<void> {
  const db = trx.withTables<{ metric_case_history: CaseHistoryRow }>();
  for (let i = 0; i < rows.length; i += 300) await db.insertInto('metric_case_history').values(rows.slice(i, i + 300)).execute();
}

/**
 * Whether the store has a table yet: a migration that rebuilds the measures (065) runs on a
 * store without the histories, and the migrations that add them (070, 090) backfill them
 * afterwards. Asked of the store's own schema, without a failing statement (which would end
 * a PostgreSQL transaction).
 */
export async function hasTable(trx: Kysely<Database>, dialect: 'sqlite' | 'postgres', table: 'metric_case_history' | 'metric_referral_history' | 'metric_day_deltas'): Promise<boolean> {
  const r =
    dialect === 'postgres'
      ? await sql<{ n: number | string }>`select count(*) as n from pg_tables where schemaname = current_schema() and tablename = ${table}`.execute(trx)
      : await sql<{ n: number | string }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(trx);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

/** Empties the table before a rebuild. */
export async function clearCaseHistory(trx: Kysely<Database>): Promise<void> {
  await trx.withTables<{ metric_case_history: CaseHistoryRow }>().deleteFrom('metric_case_history').execute();
}
