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
import { clockRowsOf, syncCaseClocks } from './case-clocks.ts';
import { caseloadRows, syncCaseHistory } from './case-history.ts';
import { DEFAULT_TIME_ZONE, localDayOf } from '../../machines/calendar-days.ts';
import type { MetricChange } from './metric-change.ts';
import { metricsDb, type MetricCaseFactsTable, type MetricsDb } from './metric-tables.ts';
import { personKeyOf, recountPeople } from './person-facts.ts';
import { pendingDeadlines, reduceReferral, type ReferralFacts } from './referral-facts.ts';
import { referralStateRows, syncReferralHistory } from './referral-history.ts';
import { loadCaseSubjects, loadReferralSubjects } from './stream-subjects.ts';

/**
 * Where a change's counter deltas go: written at once (the default), or handed to the
 * caller to be added up with other changes' and written once per commit (attach-metrics.ts).
 */
export type CounterSink = (deltas: DeltaSet) => Promise<void>;

/**
 * Where the person keys whose episode rows must be drawn again go: recounted at once (the
 * default), or handed to the caller to recount once per commit (attach-metrics.ts).
 */
export type PeopleSink = (personKeys: readonly string[]) => Promise<void>;

/** How `applyMetricChange` writes: where counter deltas and people to recount go, and the transaction's direct SQL for the journey facts. */
export interface ApplyOptions {
  sink?: CounterSink;
  people?: PeopleSink;
  /** When given (inside an engine transaction), a journey's facts are read and written without the query builder. */
  sql?: DirectSql;
}

/** Applies one change to the measures. Idempotent: a change at or below the stored version is ignored. */
export async function applyMetricChange(trx: Kysely<Database>, change: MetricChange, options: ApplyOptions = {}): Promise<void> {
  const db = metricsDb(trx);
  const write: CounterSink = options.sink ?? ((deltas) => applyCounterDeltas(db, deltas.nonZeroBlocks()));
  const recount: PeopleSink = options.people ?? ((keys) => recountPeople(trx, keys));
  if (change.stream === 'case') await applyCaseChange(trx, change, write, recount, caseFactsStore(db, options.sql), options.sql);
  else await applyReferralChange(db, trx, change, write);
}

/** Reads and writes one journey's stored facts. */
interface CaseFactsStore {
  get(caseId: string): Promise<{ version: number; facts: string } | undefined>;
  put(row: MetricCaseFactsTable): Promise<void>;
}

const SELECT_CASE_FACTS = 'select version, facts from metric_case_facts where case_id = ?';
const UPSERT_CASE_FACTS =
  'insert into metric_case_facts (case_id, person_id, agency_id, version, seq, facts) values (?, ?, ?, ?, ?, ?) ' +
  'on conflict (case_id) do update set version = excluded.version, seq = excluded.seq, facts = excluded.facts, agency_id = excluded.agency_id';

function caseFactsStore(db: MetricsDb, sql: DirectSql | undefined): CaseFactsStore {
  if (sql) {
    return {
      get: (caseId) => sql.get<{ version: number; facts: string }>(SELECT_CASE_FACTS, [caseId]),
      put: async (r) => {
        await sql.run(UPSERT_CASE_FACTS, [r.case_id, r.person_id, r.agency_id, r.version, r.seq, r.facts]);
      },
    };
  }
  return {
    get: (caseId) => db.selectFrom('metric_case_facts').select(['version', 'facts']).where('case_id', '=', caseId).executeTakeFirst(),
    put: async (row) => {
      await db
        .insertInto('metric_case_facts')
        .values(row)
        .onConflict((oc) => oc.column('case_id').doUpdateSet({ version: row.version, seq: row.seq, facts: row.facts, agency_id: row.agency_id }))
        .execute();
    },
  };
}

async function applyCaseChange(
  trx: Kysely<Database>,
  change: MetricChange,
  write: CounterSink,
  recount: PeopleSink,
  store: CaseFactsStore,
  direct: DirectSql | undefined,
): Promise<void> {
  const stored = await store.get(change.id);
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
  const clocksBefore = prev ? clockRowsOf(change.id, prev.agencyId, before) : [];
  const clocksAfter = clockRowsOf(change.id, facts.agencyId, after);
  await syncCaseClocks(trx, direct, clocksBefore, clocksAfter);
  const day = localDayOf(change.effectiveAt, change.timeZone ?? DEFAULT_TIME_ZONE);
  const history = { before: [...clocksBefore, ...caseloadRows(change.id, prev)], after: [...clocksAfter, ...caseloadRows(change.id, facts)] };
  await syncCaseHistory(trx, direct, change.id, facts.dims, { ...history, day, dimsBefore: prev ? prev.dims : null });
  await store.put({ case_id: change.id, person_id: facts.personId, agency_id: facts.agencyId, version: change.version, seq: change.seq, facts: JSON.stringify(facts) });
  // The person's episodes changed (opened, started, ended, re-presented, regrouped): their
  // person-level rows are drawn again from all their journeys.
  if (!prev || prev.agencyId !== facts.agencyId || JSON.stringify(prev.episodes) !== JSON.stringify(facts.episodes) || JSON.stringify(prev.dims) !== JSON.stringify(facts.dims)) {
    await recount([await personKeyOf(trx, facts.personId)]);
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
