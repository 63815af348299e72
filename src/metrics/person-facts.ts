/**
 * The measures that count people, not journeys (PHOF C19 successful completion, deaths,
 * re-presentations): one row per treatment episode in `metric_person_episodes`, keyed by
 * the person the measures count — `coalesce(people.linked_to, people.id)`, so linked records
 * of one person count once — and drawn from the episodes of all that person's journeys
 * (CaseFacts.episodes). Each row of a successful completion carries the day the person
 * first returned to structured treatment within 6 months of it, anywhere in the system: a
 * relapse on the journey (a new episode), or a new journey at any provider (an accepted
 * treatment referral opens or re-enters one, so it is counted there).
 *
 * A person's rows are recomputed whole from their journeys' stored facts whenever one of
 * those journeys changes what they hold (apply-change.ts, in the same transaction), when
 * records are linked or unlinked (`recountPeople`), and by a rebuild; so incremental rows
 * and rebuilt rows agree by construction.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { REPRESENTATION_WINDOW_DAYS, type CaseFacts, type EpisodeFact } from './case-facts.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { metricsDb, type PersonEpisodeTable } from './metric-tables.ts';
import { isPostgres } from './counter-store.ts';
import type { DirectSql } from '../db/direct-sql.ts';


/** One journey's stored facts, as the person's rows are drawn from them. */
interface JourneyFacts {
  caseId: string;
  agencyId: string;
  facts: CaseFacts;
}

/**
 * The episode rows of one person from all their journeys. Pure. A return is the opening of
 * any other episode of the person (a new journey's referral date, a relapse's report date)
 * from the discharge day to day 182 after it; the first such day is kept.
 */
export function personEpisodeRows(personKey: string, journeys: readonly JourneyFacts[]): PersonEpisodeTable[] {
  const all: Array<{ j: JourneyFacts; e: EpisodeFact; i: number }> = [];
  for (const j of journeys) (j.facts.episodes ?? []).forEach((e, i) => all.push({ j, e, i }));
  return all.map(({ j, e, i }) => {
    let returned: number | null = null;
    if (e.successful && e.end !== null) {
      const end = e.end;
      for (const other of all) {
        if (other.e === e) continue;
        const day = other.e.open;
        if (day >= end && day - end <= REPRESENTATION_WINDOW_DAYS && (returned === null || day < returned)) returned = day;
      }
    }
    const dims: DimensionValues = j.facts.dims;
    return {
      person_key: personKey,
      case_id: j.caseId,
      episode: i,
      agency_id: j.agencyId,
      sex: dims.sex,
      age_band: dims.age_band,
      ethnicity: dims.ethnicity,
      postcode_district: dims.postcode_district,
      referral_source: dims.referral_source,
      substance: e.substance,
      open_day: e.open,
      start_day: e.start,
      end_day: e.end,
      successful: e.successful ? 1 : 0,
      died: e.died ? 1 : 0,
      returned_day: returned,
    };
  });
}

/** The person key (`coalesce(linked_to, id)`) of a person record; the id itself when the record is missing. */
export async function personKeyOf(trx: Kysely<Database>, personId: string): Promise<string> {
  const row = await trx.selectFrom('people').select(['id', 'linked_to']).where('id', '=', personId).executeTakeFirst();
  return row?.linked_to ?? personId;
}

/** The person keys of several person records, in one read (`personKeyOf` for each, deduplicated). */
export async function personKeysOf(trx: Kysely<Database>, personIds: readonly string[]): Promise<string[]> {
  const ids = [...new Set(personIds)];
  if (ids.length === 0) return [];
  const linked = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx.selectFrom('people').select(['id', 'linked_to']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) if (r.linked_to) linked.set(r.id, r.linked_to);
  }
  return [...new Set(ids.map((id) => linked.get(id) ?? id))];
}

/**
 * Recomputes the person-level rows of the given persons (person keys, `coalesce(linked_to,
 * id)`) from their journeys' stored facts, inside the caller's transaction. Call it in the
 * unit that changes who a record counts as (linking or unlinking records: pass the keys
 * before and after), so the person measures move with the change.
 */
export async function recountPeople(trx: Kysely<Database>, personKeys: readonly string[]): Promise<void> {
  const db = metricsDb(trx);
  // Sorted as a whole before the chunks: every recount takes its locks in one order, however many people.
  const all = [...new Set(personKeys)].sort();
  for (let i = 0; i < all.length; i += 500) {
    const keys = all.slice(i, i + 500);
    // PostgreSQL runs write batches side by side: two journeys of one person recounted at once
    // would both delete and both insert that person's rows. A lock per person (in key order,
    // so two recounts cannot wait on each other in a circle) makes the second wait for the first.
    // All of them in one statement, in the array's order.
    if (isPostgres(trx)) await sql`select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from unnest(${keys.map(lockName)}::text[]) with ordinality as l(k, i)`.execute(trx);
    const records = await db
      .selectFrom('people')
      .select(['id', 'linked_to'])
      .where((eb) => eb.or([eb('id', 'in', keys), eb('linked_to', 'in', keys)]))
      .execute();
    const keyOfRecord = new Map<string, string>();
    // A key with no person row stands for itself (a journey whose person row is gone).
    for (const k of keys) keyOfRecord.set(k, k);
    for (const r of records) keyOfRecord.set(r.id, r.linked_to ?? r.id);
    const wanted = new Set(keys);
    const recordIds = [...keyOfRecord].filter(([, k]) => wanted.has(k)).map(([id]) => id);
    const facts = recordIds.length === 0 ? [] : await db.selectFrom('metric_case_facts').select(['case_id', 'person_id', 'agency_id', 'facts']).where('person_id', 'in', recordIds).orderBy('case_id').execute();
    await db.deleteFrom('metric_person_episodes').where('person_key', 'in', keys).execute();
    const rows = episodeRowsOf(facts.map((f) => ({ ...f, person_key: keyOfRecord.get(f.person_id) ?? f.person_id })));
    // Kept under the stores' bound-parameter limits (16 columns × 200 rows).
    for (let r = 0; r < rows.length; r += 200) await db.insertInto('metric_person_episodes').values(rows.slice(r, r + 200)).execute();
  }
}

/** The advisory lock a person's recount takes, by person key (the same name on both paths). */
const lockName = (key: string): string => `person-episodes:${key}`;

/** A stored journey's facts with the person key it counts under. */
interface KeyedFacts {
  case_id: string;
  agency_id: string;
  facts: string;
  person_key: string;
}

/** The episode rows of the people whose journeys' facts are `facts` (in journey order). */
function episodeRowsOf(facts: readonly KeyedFacts[]): PersonEpisodeTable[] {
  const byKey = new Map<string, JourneyFacts[]>();
  for (const f of facts) {
    const list = byKey.get(f.person_key) ?? [];
    list.push({ caseId: f.case_id, agencyId: f.agency_id, facts: JSON.parse(f.facts) as CaseFacts });
    byKey.set(f.person_key, list);
  }
  return [...byKey].flatMap(([key, journeys]) => personEpisodeRows(key, journeys));
}

/** PostgreSQL: the person keys of some records (`personKeysOf`). */
const PG_KEYS = 'select distinct coalesce(p.linked_to, i.id) as k from unnest(?::text[]) as i(id) left join people p on p.id = i.id';
/** PostgreSQL: a lock per person, in the array's order, in one statement. */
const PG_LOCKS = 'select count(pg_advisory_xact_lock(hashtextextended(l.k, 0))) as n from unnest(?::text[]) with ordinality as l(k, i)';
/**
 * PostgreSQL: the journeys' facts of the given people with the key each counts under, in
 * one statement where `recountPeople` reads the records and then their facts: the records
 * whose key is among the keys, and a key with no record standing for itself (all four
 * parameters are the keys).
 */
const PG_FACTS = `select f.case_id, f.agency_id, f.facts, r.person_key
from (
  select p.id, coalesce(p.linked_to, p.id) as person_key from people p where p.id = any(?::text[]) or p.linked_to = any(?::text[])
  union all
  select k.id, k.id from unnest(?::text[]) as k(id) where not exists (select 1 from people p where p.id = k.id)
) r
join metric_case_facts f on f.person_id = r.id
where r.person_key = any(?::text[])
order by f.case_id`;
const PG_DELETE = 'delete from metric_person_episodes where person_key = any(?::text[])';
const EPISODE_COLUMNS: ReadonlyArray<[keyof PersonEpisodeTable, 'text' | 'integer']> = [
  ['person_key', 'text'],
  ['case_id', 'text'],
  ['episode', 'integer'],
  ['agency_id', 'text'],
  ['sex', 'text'],
  ['age_band', 'text'],
  ['ethnicity', 'text'],
  ['postcode_district', 'text'],
  ['referral_source', 'text'],
  ['substance', 'text'],
  ['open_day', 'integer'],
  ['start_day', 'integer'],
  ['end_day', 'integer'],
  ['successful', 'integer'],
  ['died', 'integer'],
  ['returned_day', 'integer'],
];
/** PostgreSQL: every row in one statement, whatever their number (one parameter: the rows as JSON). */
const PG_INSERT = `insert into metric_person_episodes (${EPISODE_COLUMNS.map(([c]) => c).join(', ')})
select ${EPISODE_COLUMNS.map(([c]) => c).join(', ')} from json_to_recordset(?::json) as r(${EPISODE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})`;

/** The answers of statements sent together, or the first failure in the order they were sent. */
async function inOrder<T extends readonly unknown[]>(statements: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(statements);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * Recounts the people of the given person records (`personKeysOf`, then `recountPeople`),
 * inside the caller's transaction: what the before-commit hook does once per commit.
 *
 * On PostgreSQL with the transaction's `direct` statements the same work takes three round trips rather
 * than six, as statements sent together on its connection run in order (direct-sql.ts):
 * the keys; then the locks in key order and the facts, sent together (PostgreSQL reads
 * the facts only once it holds every lock); then the rows deleted and inserted with
 * `send`, not waited for (COMMIT follows them). On SQLite `direct` is not used.
 */
export async function recountPeopleOf(trx: Kysely<Database>, personIds: readonly string[], direct?: DirectSql): Promise<void> {
  if (direct?.dialect !== 'postgres') {
    await recountPeople(trx, await personKeysOf(trx, personIds));
    return;
  }
  const ids = [...new Set(personIds)];
  if (ids.length === 0) return;
  // Sorted here, as recountPeople sorts them: every recount takes its locks in one order.
  const keys = (await direct.all<{ k: string }>(PG_KEYS, [ids])).map((r) => r.k).sort();
  const [, facts] = await inOrder<[unknown, KeyedFacts[]]>([direct.all(PG_LOCKS, [keys.map(lockName)]), direct.all<KeyedFacts>(PG_FACTS, [keys, keys, keys, keys])]);
  await direct.send(PG_DELETE, [keys]);
  const rows = episodeRowsOf(facts);
  if (rows.length > 0) await direct.send(PG_INSERT, [JSON.stringify(rows)]);
}

/** Recounts every person with a journey (a rebuild, after the journeys' facts are written). */
export async function recountAllPeople(trx: Kysely<Database>): Promise<number> {
  const db = metricsDb(trx);
  await db.deleteFrom('metric_person_episodes').execute();
  const rows = await db
    .selectFrom('metric_case_facts')
    .leftJoin('people', 'people.id', 'metric_case_facts.person_id')
    .select((eb) => eb.fn.coalesce('people.linked_to', 'people.id', 'metric_case_facts.person_id').as('key'))
    .distinct()
    .execute();
  const keys = rows.map((r) => String(r.key));
  await recountPeople(trx, keys);
  return keys.length;
}
