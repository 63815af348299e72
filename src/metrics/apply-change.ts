/**
 * The incremental path: folds one committed-to-be change into the measures, inside the
 * transaction that applies the event, so a reader never sees a journey moved without its
 * counters (and a rolled-back event leaves no trace in them). Cost: a handful of indexed
 * reads and writes, whatever the number of journeys.
 */
import type { Kysely } from 'kysely';
import type { DirectSql } from '../db/direct-sql.ts';
import type { Database } from '../db/schema.ts';
import { reduceCase, type CaseFacts } from './case-facts.ts';
import { DeltaSet, caseStateCounts, referralStateCounts } from './counter-deltas.ts';
import { applyCounterDeltas } from './counter-store.ts';
import { clockMoves, journeyClockRows, syncCaseClocks, type JourneyClockRow } from './case-clocks.ts';
import { caseloadRows, dimValues, dimsMoved, historyWrites, moveHistoryDims, storedSpell, syncCaseHistory, type HistoryChange, type Spell } from './case-history.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { DEFAULT_TIME_ZONE, localDayOf } from '../../machines/calendar-days.ts';
import type { MetricChange } from './metric-change.ts';
import { metricsDb, type MetricCaseFactsTable, type MetricsDb } from './metric-tables.ts';
import { personKeysOf, recountPeople } from './person-facts.ts';
import { pendingDeadlines, reduceReferral, type ReferralFacts } from './referral-facts.ts';
import { referralStateRows, syncReferralHistory } from './referral-history.ts';
import { loadCaseSubjects, loadReferralSubjects } from './stream-subjects.ts';

/**
 * Where a change's counter deltas go: written at once (the default), or handed to the
 * caller to be added up with other changes' and written once per commit (attach-metrics.ts).
 */
export type CounterSink = (deltas: DeltaSet) => Promise<void>;

/**
 * Where the people (person record ids) whose episode rows must be drawn again go: their
 * person keys recounted at once (the default), or handed to the caller to resolve and
 * recount once per commit (attach-metrics.ts), which keeps that read out of the unit.
 */
export type PeopleSink = (personIds: readonly string[]) => Promise<void>;

/** How `applyMetricChange` writes: where counter deltas and people to recount go, and the transaction's direct SQL for the journey facts. */
export interface ApplyOptions {
  sink?: CounterSink;
  people?: PeopleSink;
  /** When given (inside an engine transaction), a journey's facts are read and written without the query builder. */
  sql?: DirectSql;
  /** PostgreSQL: the journey's facts and spells as `CASE_READ_WITH_WRITE` read them with the event's write (undefined: read them here). */
  stored?: unknown;
}

/** Applies one change to the measures. Idempotent: a change at or below the stored version is ignored. */
export async function applyMetricChange(trx: Kysely<Database>, change: MetricChange, options: ApplyOptions = {}): Promise<void> {
  const db = metricsDb(trx);
  const write: CounterSink = options.sink ?? ((deltas) => applyCounterDeltas(db, deltas.nonZeroBlocks()));
  const recount: PeopleSink = options.people ?? (async (ids) => recountPeople(trx, await personKeysOf(trx, ids)));
  if (change.stream === 'case') await applyCaseChange(trx, change, write, recount, caseMeasureStore(trx, db, options.sql, options.stored), options.sql);
  else await applyReferralChange(db, trx, change, write);
}

/** A journey's stored facts, and its spells when they were read with them (null: read them when a clock row moves). */
interface StoredCase {
  facts: { version: number; facts: string } | undefined;
  spells: Spell[] | null;
}

/** What one change writes to a journey's measure rows. */
interface CaseWrites {
  caseId: string;
  clocksBefore: readonly JourneyClockRow[];
  clocksAfter: readonly JourneyClockRow[];
  dims: DimensionValues;
  history: HistoryChange;
  /** The stored spells, when read with the facts. */
  spells: Spell[] | null;
  facts: MetricCaseFactsTable;
}

/** Reads and writes one journey's measure rows. */
interface CaseMeasureStore {
  get(caseId: string): Promise<StoredCase>;
  put(writes: CaseWrites): Promise<void>;
}

const SELECT_CASE_FACTS = 'select version, facts from metric_case_facts where case_id = ?';
const UPSERT_CASE_FACTS =
  'insert into metric_case_facts (case_id, person_id, agency_id, version, seq, facts) values (?, ?, ?, ?, ?, ?) ' +
  'on conflict (case_id) do update set version = excluded.version, seq = excluded.seq, facts = excluded.facts, agency_id = excluded.agency_id';

/** PostgreSQL: a journey's facts and its spells in one round trip. */
const PG_SELECT_CASE =
  'select f.version, f.facts, (select coalesce(json_agg(json_build_object(' +
  "'metric', h.metric, 'k', h.k, 'agency_id', h.agency_id, 'day', h.day, 'from_day', h.from_day, 'to_day', h.to_day)), '[]'::json) " +
  'from metric_case_history h where h.case_id = $1) as spells ' +
  'from (values (1)) as one left join metric_case_facts f on f.case_id = $1';

/**
 * PostgreSQL: the same read as `PG_SELECT_CASE` as one expression (each `?` the journey's
 * id), for the engine to run with the event's write (engine.useInTransaction's `readWithWrite`).
 */
export const CASE_READ_WITH_WRITE =
  "select json_build_object('version', f.version, 'facts', f.facts, 'spells', (select coalesce(json_agg(json_build_object(" +
  "'metric', h.metric, 'k', h.k, 'agency_id', h.agency_id, 'day', h.day, 'from_day', h.from_day, 'to_day', h.to_day)), '[]'::json) " +
  'from metric_case_history h where h.case_id = ?)) from (values (1)) as one left join metric_case_facts f on f.case_id = ?';

type CaseRead = { version: number | null; facts: string | null; spells: Spell[] };

/**
 * PostgreSQL: every write of one change in one round trip: the clock entries gone and set
 * (an entry replaced in its state is updated in place), the spells removed, rewritten and
 * added, and the facts. The sub-statements of one statement see the same snapshot and not
 * each other's writes, so each touches rows no other one touches: the entries of states
 * left, those of states entered or moved, and the spells by their key (historyWrites gives
 * each key one write).
 */
const PG_WRITE_CASE = `with clocks_gone as (
  delete from metric_case_clocks where case_id = $1 and metric = any($2::text[])
), clocks_set as (
  insert into metric_case_clocks (case_id, metric, k, agency_id, day, stage, keyworker_id)
  select $1, c.metric, c.k, c.agency_id, c.day, c.stage, c.keyworker_id
  from unnest($3::text[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[]) as c(metric, k, agency_id, day, stage, keyworker_id)
  on conflict (case_id, metric) do update set k = excluded.k, agency_id = excluded.agency_id, day = excluded.day, stage = excluded.stage, keyworker_id = excluded.keyworker_id
), spells_gone as (
  delete from metric_case_history h using unnest($9::text[], $10::integer[]) as g(metric, from_day)
  where h.case_id = $1 and h.metric = g.metric and h.from_day = g.from_day
), spells_cut as (
  update metric_case_history h set k = u.k, agency_id = u.agency_id, day = u.day, to_day = u.to_day
  from unnest($11::text[], $12::integer[], $13::text[], $14::text[], $15::integer[], $16::integer[]) as u(metric, from_day, k, agency_id, day, to_day)
  where h.case_id = $1 and h.metric = u.metric and h.from_day = u.from_day
), spells_new as (
  insert into metric_case_history (case_id, metric, k, agency_id, day, from_day, to_day, sex, age_band, ethnicity, postcode_district, referral_source, substance)
  select $1, n.metric, n.k, n.agency_id, n.day, n.from_day, n.to_day, $23::text, $24::text, $25::text, $26::text, $27::text, $28::text
  from unnest($17::text[], $18::text[], $19::text[], $20::integer[], $21::integer[], $22::integer[]) as n(metric, k, agency_id, day, from_day, to_day)
)
insert into metric_case_facts (case_id, person_id, agency_id, version, seq, facts) values ($1, $29, $30, $31, $32, $33)
on conflict (case_id) do update set version = excluded.version, seq = excluded.seq, facts = excluded.facts, agency_id = excluded.agency_id`;

function caseMeasureStore(trx: Kysely<Database>, db: MetricsDb, sql: DirectSql | undefined, stored: unknown): CaseMeasureStore {
  if (sql?.dialect === 'postgres') {
    return {
      get: async (caseId) => {
        const row = stored !== undefined ? (stored as CaseRead) : await sql.get<CaseRead>(PG_SELECT_CASE, [caseId]);
        const facts = row && row.version !== null && row.facts !== null ? { version: row.version, facts: row.facts } : undefined;
        return { facts, spells: (row?.spells ?? []).map(storedSpell) };
      },
      put: async (w) => {
        if (dimsMoved(w.history, w.dims)) await moveHistoryDims(trx, sql, w.caseId, w.dims);
        const { gone, added } = clockMoves(w.clocksBefore, w.clocksAfter);
        const set = new Set(added.map((r) => r.metric));
        const spells = historyWrites(w.spells ?? [], w.history);
        const column = <T, K extends keyof T>(rows: readonly T[], key: K): Array<T[K]> => rows.map((r) => r[key]);
        const f = w.facts;
        // Nothing reads its answer: inside a unit it goes without waiting (DirectSql.send).
        await sql.send(PG_WRITE_CASE, [
          w.caseId,
          gone.map((r) => r.metric).filter((m) => !set.has(m)),
          column(added, 'metric'), column(added, 'k'), column(added, 'agency_id'), column(added, 'day'), column(added, 'stage'), column(added, 'keyworker_id'),
          column(spells.deleted, 'metric'), column(spells.deleted, 'from_day'),
          column(spells.updated, 'metric'), column(spells.updated, 'from_day'), column(spells.updated, 'k'), column(spells.updated, 'agency_id'), column(spells.updated, 'day'), column(spells.updated, 'to_day'),
          column(spells.inserted, 'metric'), column(spells.inserted, 'k'), column(spells.inserted, 'agency_id'), column(spells.inserted, 'day'), column(spells.inserted, 'from_day'), column(spells.inserted, 'to_day'),
          ...dimValues(w.dims),
          f.person_id, f.agency_id, f.version, f.seq, f.facts,
        ]);
      },
    };
  }
  return {
    get: async (caseId) => ({
      facts: sql
        ? await sql.get<{ version: number; facts: string }>(SELECT_CASE_FACTS, [caseId])
        : await db.selectFrom('metric_case_facts').select(['version', 'facts']).where('case_id', '=', caseId).executeTakeFirst(),
      spells: null,
    }),
    put: async (w) => {
      await syncCaseClocks(trx, sql, w.clocksBefore, w.clocksAfter);
      await syncCaseHistory(trx, sql, w.caseId, w.dims, w.history);
      const row = w.facts;
      if (sql) await sql.run(UPSERT_CASE_FACTS, [row.case_id, row.person_id, row.agency_id, row.version, row.seq, row.facts]);
      else {
        await db
          .insertInto('metric_case_facts')
          .values(row)
          .onConflict((oc) => oc.column('case_id').doUpdateSet({ version: row.version, seq: row.seq, facts: row.facts, agency_id: row.agency_id }))
          .execute();
      }
    },
  };
}

async function applyCaseChange(
  trx: Kysely<Database>,
  change: MetricChange,
  write: CounterSink,
  recount: PeopleSink,
  store: CaseMeasureStore,
  direct: DirectSql | undefined,
): Promise<void> {
  const { facts: stored, spells } = await store.get(change.id);
  if (stored && stored.version >= change.version) return;
  const prev = stored ? (JSON.parse(stored.facts) as CaseFacts) : null;
  // The subject (agency, breakdown values) is read once, on the journey's first event; later
  // events find it in the stored facts.
  const subject = prev ? { personId: prev.personId, agencyId: prev.agencyId, referredOn: '', dims: prev.dims } : (await loadCaseSubjects(trx, [change.id], direct)).get(change.id);
  if (!subject) throw new Error(`Metrics: journey ${change.id} has no case row; apply the change in the transaction that wrote it.`);
  const { facts, counts } = reduceCase(prev, subject, change);
  const deltas = new DeltaSet();
  deltas.add(facts.agencyId, facts.dims, counts, 1);
  // A journey's agency may change, and so may its substance group (the episode's, recorded
  // at assessment): its states then leave the old breakdown rows whole and join the new.
  const before = caseStateCounts(prev);
  const after = caseStateCounts(facts);
  if (prev && prev.dims.substance !== facts.dims.substance) {
    deltas.add(prev.agencyId, prev.dims, before, -1);
    deltas.add(facts.agencyId, facts.dims, after, 1);
  } else {
    deltas.addMove(prev ? prev.agencyId : null, before, facts.agencyId, after, facts.dims);
  }
  await write(deltas);
  const clocksBefore = journeyClockRows(change.id, prev, before);
  const clocksAfter = journeyClockRows(change.id, facts, after);
  const day = localDayOf(change.effectiveAt, change.timeZone ?? DEFAULT_TIME_ZONE);
  const history: HistoryChange = {
    before: [...clocksBefore, ...caseloadRows(change.id, prev)],
    after: [...clocksAfter, ...caseloadRows(change.id, facts)],
    day,
    dimsBefore: prev ? prev.dims : null,
  };
  await store.put({
    caseId: change.id,
    clocksBefore,
    clocksAfter,
    dims: facts.dims,
    history,
    spells,
    facts: { case_id: change.id, person_id: facts.personId, agency_id: facts.agencyId, version: change.version, seq: change.seq, facts: JSON.stringify(facts) },
  });
  // The person's episodes changed (opened, started, ended, re-presented, regrouped): their
  // person-level rows are drawn again from all their journeys.
  if (!prev || prev.agencyId !== facts.agencyId || JSON.stringify(prev.episodes) !== JSON.stringify(facts.episodes) || JSON.stringify(prev.dims) !== JSON.stringify(facts.dims)) {
    await recount([facts.personId]);
  }
}

async function applyReferralChange(db: MetricsDb, trx: Kysely<Database>, change: MetricChange, write: CounterSink): Promise<void> {
  const stored = await db.selectFrom('metric_referral_facts').select(['version', 'facts']).where('referral_id', '=', change.id).executeTakeFirst();
  if (stored && stored.version >= change.version) return;
  const prev = stored ? (JSON.parse(stored.facts) as ReferralFacts) : null;
  const subject = prev
    ? { toAgencyId: prev.toAgencyId, createdAt: prev.createdAt, acknowledgeBy: prev.acknowledgeBy, firstContactBy: prev.firstContactBy, dims: prev.dims }
    : (await loadReferralSubjects(trx, [change.id])).get(change.id);
  if (!subject) throw new Error(`Metrics: referral ${change.id} has no referral row; apply the change in the transaction that wrote it.`);
  const { facts, counts } = reduceReferral(prev, subject, change);
  const deltas = new DeltaSet();
  deltas.add(facts.toAgencyId, facts.dims, counts, 1);
  deltas.addMove(prev ? prev.toAgencyId : null, referralStateCounts(prev), facts.toAgencyId, referralStateCounts(facts), facts.dims);
  await write(deltas);

  const before = new Set(pendingDeadlines(prev).map((d) => d.deadline));
  const after = pendingDeadlines(facts);
  const gone = [...before].filter((d) => !after.some((a) => a.deadline === d));
  if (gone.length > 0) await db.deleteFrom('metric_deadlines').where('stream_id', '=', change.id).where('deadline', 'in', gone).execute();
  const added = after.filter((d) => !before.has(d.deadline));
  if (added.length > 0) {
    await db
      .insertInto('metric_deadlines')
      .values(added.map((d) => ({ stream_id: change.id, deadline: d.deadline, agency_id: facts.toAgencyId, due_at: d.dueAt, since_at: facts.createdAt })))
      .execute();
  }
  const day = localDayOf(change.effectiveAt, change.timeZone ?? DEFAULT_TIME_ZONE);
  await syncReferralHistory(trx, change.id, facts, { before: referralStateRows(change.id, prev), after: referralStateRows(change.id, facts), day });
  const row = { referral_id: change.id, to_agency_id: facts.toAgencyId, version: change.version, seq: change.seq, facts: JSON.stringify(facts) };
  await db
    .insertInto('metric_referral_facts')
    .values(row)
    .onConflict((oc) => oc.column('referral_id').doUpdateSet({ version: row.version, seq: row.seq, facts: row.facts }))
    .execute();
}
