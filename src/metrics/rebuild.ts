/**
 * Recomputes every measure from the base tables (the event log, journeys, referrals,
 * people, and the person-level rows from the journeys' facts), replacing what the
 * incremental path kept. Used after a bulk seed, which writes rows without going through the
 * engine's hooks, by migration 065's backfill, and by the tests to prove the incremental
 * counts equal a rebuild.
 *
 * Streams are replayed one at a time through the same reducers as the incremental path,
 * walking the event log's (stream_type, stream_id, stream_version) index page by page, so
 * memory stays bounded at national scale. It runs in one transaction holding the
 * event-log lock: writers wait, and readers see the old or the new measures, never half.
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import { advisoryLock } from '../db/advisory-locks.ts';
import type { Dialect, Store } from '../db/database.ts';
import type { Database, EventRow } from '../db/schema.ts';
import { reduceCase, type CaseFacts } from './case-facts.ts';
import { DeltaSet, caseStateCounts, referralStateCounts } from './counter-deltas.ts';
import { applyCounterDeltas } from './counter-store.ts';
import { clearCaseClocks, clockRowsOf, clocksCarryJourney, insertCaseClocks, journeyClockRows, type CaseClockRow } from './case-clocks.ts';
import { advanceHistory, clearCaseHistory, hasTable, historyRow, historyRowsOf, insertCaseHistory, type CaseHistoryRow, type Spell } from './case-history.ts';
import { clearReferralHistory, insertReferralHistory, referralHistoryRow, referralStateRows, type ReferralHistoryRow } from './referral-history.ts';
import { DEFAULT_TIME_ZONE, localDayOf } from '../../machines/calendar-days.ts';
import type { MetricChange, CaseSubject, ReferralSubject } from './metric-change.ts';
import { metricsDb, type MetricTables, type MetricsDb } from './metric-tables.ts';
import { recountAllPeople } from './person-facts.ts';
import { pendingDeadlines, reduceReferral, type ReferralFacts } from './referral-facts.ts';
import { stageOfStoredState } from './stage-of-state.ts';
import { loadCaseSubjects, loadReferralSubjects } from './stream-subjects.ts';

/** What a rebuild did. */
export interface RebuildReport {
  journeys: number;
  referrals: number;
  events: number;
  /** Rows of `metric_day_blocks` and `metric_day_totals` together. */
  counterRows: number;
  ms: number;
}

export interface RebuildOptions {
  /** Events read per page. */
  pageSize?: number;
  /** Called after each page with the events read so far. */
  onProgress?: (eventsRead: number) => void;
  /** The service's time zone the measures count days in (default Europe/London), as the engine's. */
  timeZone?: string;
}

const FLUSH_AT = 100_000;
const ROWS_AT = 5000;

async function insertChunks<T extends 'metric_case_facts' | 'metric_referral_facts' | 'metric_deadlines'>(
  db: MetricsDb,
  table: T,
  rows: Array<Insertable<MetricTables[T]>>,
): Promise<void> {
  // Kept under the stores' bound-parameter limits (6 columns × 500 rows).
  for (let i = 0; i < rows.length; i += 500) {
    await db.insertInto(table).values(rows.slice(i, i + 500) as never).execute();
  }
}

/** Replaces every measure with one recomputed from the base tables. */
export async function rebuildMetrics(store: Store, options: RebuildOptions = {}): Promise<RebuildReport> {
  return store.db.transaction().execute((trx) => rebuildMetricsIn(trx, store.dialect, options));
}

/**
 * The rebuild inside a transaction the caller holds (a migration's backfill): every measure
 * recomputed from the base tables, the person-level rows last, from the journeys' facts.
 */
export async function rebuildMetricsIn(trx: Kysely<Database>, dialect: Dialect, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = performance.now();
  const pageSize = options.pageSize ?? 5000;
  // The event-log lock taken exclusively, so no event can commit halfway through a rebuild on PostgreSQL.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${advisoryLock('eventLog')})`.execute(trx);
  const db = metricsDb(trx);
  await db.deleteFrom('metric_day_blocks').execute();
  await db.deleteFrom('metric_day_totals').execute();
  // The counter changes appended and not folded yet (migration 100 on): the rebuild counts them anew.
  if (await hasTable(trx, dialect, 'metric_day_deltas')) await db.deleteFrom('metric_day_deltas').execute();
  await db.deleteFrom('metric_case_facts').execute();
  await db.deleteFrom('metric_referral_facts').execute();
  await db.deleteFrom('metric_deadlines').execute();
  await clearCaseClocks(trx);
  // Kept from migrations 070 and 090 on; an earlier migration's rebuild leaves them to those.
  const withHistory = await hasTable(trx, dialect, 'metric_case_history');
  if (withHistory) await clearCaseHistory(trx);
  const withReferralHistory = await hasTable(trx, dialect, 'metric_referral_history');
  if (withReferralHistory) await clearReferralHistory(trx);
  // The clock rows carry their journey's stage and keyworker from migration 116 on.
  const clocksWithJourney = await clocksCarryJourney(trx, dialect);

  const deltas = new DeltaSet();
  const caseRows: Array<Insertable<MetricTables['metric_case_facts']>> = [];
  const referralRows: Array<Insertable<MetricTables['metric_referral_facts']>> = [];
  const deadlineRows: Array<Insertable<MetricTables['metric_deadlines']>> = [];
  const clockRows: CaseClockRow[] = [];
  const historyRows: CaseHistoryRow[] = [];
  const referralHistoryRows: ReferralHistoryRow[] = [];
  const flush = async (force: boolean): Promise<void> => {
    if (force || deltas.blocks.size >= FLUSH_AT) {
      await applyCounterDeltas(db, deltas.blocksInKeyOrder());
      deltas.clear();
    }
    if (force || caseRows.length >= ROWS_AT) await insertChunks(db, 'metric_case_facts', caseRows.splice(0));
    if (force || referralRows.length >= ROWS_AT) await insertChunks(db, 'metric_referral_facts', referralRows.splice(0));
    if (force || deadlineRows.length >= ROWS_AT) await insertChunks(db, 'metric_deadlines', deadlineRows.splice(0));
    if (force || clockRows.length >= ROWS_AT) await insertCaseClocks(trx, clockRows.splice(0));
    if (force || historyRows.length >= ROWS_AT) await insertCaseHistory(trx, historyRows.splice(0));
    if (force || referralHistoryRows.length >= ROWS_AT) await insertReferralHistory(trx, referralHistoryRows.splice(0));
  };
  let events = 0;
  const progress = (n: number): void => {
    events += n;
    options.onProgress?.(events);
  };

  const journeys = await replayStreams(trx, 'case', pageSize, progress, loadCaseSubjects, async (id, subject, rows) => {
    let facts: CaseFacts | null = null;
    let last: EventRow | undefined;
    const history = new CaseHistoryReplay(id, options.timeZone);
    for (const row of rows) {
      const r = reduceCase(facts, subject, changeOf(row, facts?.stage ?? null, options.timeZone));
      deltas.add(r.facts.agencyId, r.facts.dims, r.counts, 1);
      history.step(facts, r.facts, row.effective_at);
      facts = r.facts;
      last = row;
    }
    if (!facts || !last) return;
    if (withHistory) historyRows.push(...history.rows(facts));
    const state = caseStateCounts(facts);
    deltas.add(facts.agencyId, facts.dims, state, 1);
    clockRows.push(...(clocksWithJourney ? journeyClockRows(id, facts, state) : clockRowsOf(id, facts.agencyId, state)));
    caseRows.push({ case_id: id, person_id: facts.personId, agency_id: facts.agencyId, version: last.stream_version, seq: Number(last.seq), facts: JSON.stringify(facts) });
    await flush(false);
  });

  const referrals = await replayStreams(trx, 'referral', pageSize, progress, loadReferralSubjects, async (id, subject, rows) => {
    let facts: ReferralFacts | null = null;
    let last: EventRow | undefined;
    let spells: Spell[] = [];
    for (const row of rows) {
      const r = reduceReferral(facts, subject, changeOf(row, facts?.state ?? null, options.timeZone));
      deltas.add(r.facts.toAgencyId, r.facts.dims, r.counts, 1);
      spells = advanceHistory(spells, referralStateRows(id, facts), referralStateRows(id, r.facts), localDayOf(row.effective_at, options.timeZone ?? DEFAULT_TIME_ZONE));
      facts = r.facts;
      last = row;
    }
    if (!facts || !last) return;
    const referral: ReferralFacts = facts;
    if (withReferralHistory) referralHistoryRows.push(...spells.map((s) => referralHistoryRow(id, referral, s)));
    deltas.add(facts.toAgencyId, facts.dims, referralStateCounts(facts), 1);
    const f: ReferralFacts = facts;
    for (const d of pendingDeadlines(f)) deadlineRows.push({ stream_id: id, deadline: d.deadline, agency_id: f.toAgencyId, due_at: d.dueAt, since_at: f.createdAt });
    referralRows.push({ referral_id: id, to_agency_id: f.toAgencyId, version: last.stream_version, seq: Number(last.seq), facts: JSON.stringify(f) });
    await flush(false);
  });

  await flush(true);
  await recountAllPeople(trx);
  const blocks = await db.selectFrom('metric_day_blocks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const totals = await db.selectFrom('metric_day_totals').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { journeys, referrals, events, counterRows: Number(blocks.n) + Number(totals.n), ms: Math.round(performance.now() - started) };
}

/**
 * One journey's history as its events are replayed (case-history.ts): each event moves the
 * spells by the rows its facts held before and after it (clock rows and caseload), on the event's own day.
 */
export class CaseHistoryReplay {
  private spells: Spell[] = [];
  private readonly zone: string;

  constructor(
    private readonly caseId: string,
    timeZone: string | undefined,
  ) {
    this.zone = timeZone ?? DEFAULT_TIME_ZONE;
  }

  /** Folds in one event that took the facts from `before` to `after`, effective at `effectiveAt`. */
  step(before: CaseFacts | null, after: CaseFacts, effectiveAt: string): void {
    this.spells = advanceHistory(this.spells, historyRowsOf(this.caseId, before), historyRowsOf(this.caseId, after), localDayOf(effectiveAt, this.zone));
  }

  /** The journey's stored rows. */
  rows(facts: CaseFacts): CaseHistoryRow[] {
    return this.spells.map((s) => historyRow(this.caseId, facts.dims, s));
  }
}

/** The measures' view of an event-log row. */
export function changeOf(row: EventRow, prevStage: string | null, timeZone: string | undefined): MetricChange {
  return {
    // Only journeys' and referrals' events are read here (by stream type).
    stream: row.stream_type as MetricChange['stream'],
    id: row.stream_id,
    version: row.stream_version,
    seq: Number(row.seq),
    type: row.type,
    payload: parsePayload(row.payload),
    fromStage: prevStage ?? stageOfStoredState(row.from_state),
    toStage: stageOfStoredState(row.to_state) ?? '',
    effectiveAt: row.effective_at,
    timeZone,
  };
}

function parsePayload(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Walks one stream type's events in (stream_id, stream_version) order and hands each whole
 * stream to `onStream`; a stream cut by a page boundary is held until it is complete.
 */
export async function replayStreams<S extends CaseSubject | ReferralSubject>(
  trx: Kysely<Database>,
  streamType: 'case' | 'referral',
  pageSize: number,
  progress: (n: number) => void,
  loadSubjects: (db: Kysely<Database>, ids: readonly string[]) => Promise<Map<string, S>>,
  onStream: (id: string, subject: S, rows: EventRow[]) => Promise<void>,
): Promise<number> {
  let after: { id: string; version: number } | null = null;
  let pending: EventRow[] = [];
  let streams = 0;
  const flushStream = async (rows: EventRow[], subjects: Map<string, S>): Promise<void> => {
    const first = rows[0];
    if (!first) return;
    const subject = subjects.get(first.stream_id);
    if (!subject) return; // an event for a stream whose row is gone: nothing to measure
    streams += 1;
    await onStream(first.stream_id, subject, rows);
  };
  for (;;) {
    let query = trx.selectFrom('events').selectAll().where('stream_type', '=', streamType);
    if (after) query = query.where(sql<boolean>`(stream_id, stream_version) > (${after.id}, ${after.version})`);
    const page = await query.orderBy('stream_id').orderBy('stream_version').limit(pageSize).execute();
    progress(page.length);
    const rows = [...pending, ...page];
    pending = [];
    const lastRow = page[page.length - 1];
    const done = page.length < pageSize;
    // Hold back the last stream of a full page: its later events may be on the next page.
    let cut = rows.length;
    if (!done && lastRow) {
      while (cut > 0 && rows[cut - 1]?.stream_id === lastRow.stream_id) cut -= 1;
    }
    if (cut === 0 && !done) {
      // One stream longer than a page: keep reading until it ends.
      pending = rows;
      if (lastRow) after = { id: lastRow.stream_id, version: lastRow.stream_version };
      continue;
    }
    const ready = rows.slice(0, cut);
    pending = rows.slice(cut);
    const ids = [...new Set(ready.map((r) => r.stream_id))];
    const subjects = new Map<string, S>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const [k, v] of await loadSubjects(trx, ids.slice(i, i + 500))) subjects.set(k, v);
    }
    let start = 0;
    for (let i = 1; i <= ready.length; i += 1) {
      if (i === ready.length || ready[i]?.stream_id !== ready[start]?.stream_id) {
        await flushStream(ready.slice(start, i), subjects);
        start = i;
      }
    }
    if (lastRow) after = { id: lastRow.stream_id, version: lastRow.stream_version };
    if (done) break;
  }
  return streams;
}
