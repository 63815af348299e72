/**
 * Keeps `person_search_terms` (migration 045): every agency that holds a person — it
 * registered them, or leads one of their journeys — has that person's terms under its own
 * id; and `person_search_term_counts` (migration 095), how many of the agency's people carry
 * each term. Written in the transaction that changes what the terms are made of (recording
 * a person, an identifier, opening a journey), so a search never misses a committed record
 * and its counts are those of the rows it walks.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { searchTerms } from './search-terms.ts';

// Rows per INSERT: 3 parameters a row keeps a statement well inside both dialects' limits.
const ROWS_PER_INSERT = 2000;

type TermRow = { agency_id: string; term: string; person_id: string };

/** Adds `sign` to the count of each (agency, term) of `rows`, in key order (writers lock count rows in one order). */
async function addToCounts(db: Kysely<Database>, rows: ReadonlyArray<{ agency_id: string; term: string }>, sign: 1 | -1): Promise<void> {
  const by = new Map<string, { agency_id: string; term: string; n: number }>();
  for (const r of rows) {
    const key = `${r.agency_id}\u0000${r.term}`;
    const c = by.get(key);
    if (c) c.n += sign;
    else by.set(key, { agency_id: r.agency_id, term: r.term, n: sign });
  }
  const counts = [...by.values()].sort((a, b) => (a.agency_id < b.agency_id ? -1 : a.agency_id > b.agency_id ? 1 : a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  for (let i = 0; i < counts.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('person_search_term_counts')
      .values(counts.slice(i, i + ROWS_PER_INSERT))
      .onConflict((oc) => oc.columns(['agency_id', 'term']).doUpdateSet({ n: sql<number>`person_search_term_counts.n + excluded.n` }))
      .execute();
  }
}

/** Inserts the rows not already there, counting those it inserted (unless `counted` is false: a rebuild counts at the end). */
async function insertTerms(db: Kysely<Database>, rows: TermRow[], counted = true): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const insert = db
      .insertInto('person_search_terms')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflict((oc) => oc.doNothing());
    if (!counted) {
      await insert.execute();
      continue;
    }
    await addToCounts(db, await insert.returning(['agency_id', 'term']).execute(), 1);
  }
}

/** The agencies that hold a person's record: the one that registered them and every journey's lead. */
async function holdersOf(db: Kysely<Database>, personId: string, createdBy: string): Promise<string[]> {
  const leads = await db.selectFrom('cases').select('lead_agency_id').distinct().where('person_id', '=', personId).execute();
  return [...new Set([createdBy, ...leads.map((r) => r.lead_agency_id)])];
}

async function termsOf(db: Kysely<Database>, personId: string): Promise<{ terms: string[]; createdBy: string } | undefined> {
  const person = await db
    .selectFrom('people')
    .select(['given_name', 'family_name', 'date_of_birth', 'postcode_district', 'created_by_agency_id'])
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!person) return undefined;
  const identifiers = await db.selectFrom('person_identifiers').select(['system', 'value']).where('person_id', '=', personId).execute();
  const terms = searchTerms({
    givenName: person.given_name,
    familyName: person.family_name,
    dateOfBirth: person.date_of_birth,
    postcodeDistrict: person.postcode_district,
    identifiers,
  });
  return { terms, createdBy: person.created_by_agency_id };
}

/**
 * Brings a person's terms under every agency that holds them up to date (after any change
 * to the person): deletes the rows no longer wanted, inserts the new ones, and counts both.
 */
export async function reindexPerson(db: Kysely<Database>, personId: string): Promise<void> {
  const found = await termsOf(db, personId);
  const wanted = found
    ? (await holdersOf(db, personId, found.createdBy)).flatMap((agencyId) => found.terms.map((term) => ({ agency_id: agencyId, term, person_id: personId })))
    : [];
  const current = await db.selectFrom('person_search_terms').select(['agency_id', 'term']).where('person_id', '=', personId).execute();
  const key = (r: { agency_id: string; term: string }) => `${r.agency_id}\u0000${r.term}`;
  const wantedKeys = new Set(wanted.map(key));
  const currentKeys = new Set(current.map(key));
  const gone = current.filter((r) => !wantedKeys.has(key(r)));
  for (const agencyId of new Set(gone.map((r) => r.agency_id))) {
    const terms = gone.filter((r) => r.agency_id === agencyId).map((r) => r.term);
    for (let i = 0; i < terms.length; i += ROWS_PER_INSERT) {
      await db
        .deleteFrom('person_search_terms')
        .where('person_id', '=', personId)
        .where('agency_id', '=', agencyId)
        .where('term', 'in', terms.slice(i, i + ROWS_PER_INSERT))
        .execute();
    }
  }
  await addToCounts(db, gone, -1);
  await insertTerms(
    db,
    wanted.filter((r) => !currentKeys.has(key(r))),
  );
}

/** Adds a person's terms under one more agency (it opened a journey for them); a no-op when already there. */
export async function indexPersonForAgency(db: Kysely<Database>, personId: string, agencyId: string): Promise<void> {
  const present = await db
    .selectFrom('person_search_terms')
    .select('term')
    .where('person_id', '=', personId)
    .where('agency_id', '=', agencyId)
    .limit(1)
    .executeTakeFirst();
  if (present) return;
  const found = await termsOf(db, personId);
  if (!found) return;
  await insertTerms(db, found.terms.map((term) => ({ agency_id: agencyId, term, person_id: personId })));
}

/**
 * Builds the whole index from the stored people, identifiers and journeys (migration 045
 * for stores of the previous release; the seed after writing people directly), then its
 * counts in one pass over it (`counts: false` for migration 045 alone, which runs before the
 * counts' table exists; migration 095 counts). Reads the people in id order, a batch at a
 * time, so memory stays flat at national scale.
 */
export async function rebuildSearchIndex(
  db: Kysely<Database>,
  options: { batch?: number; counts?: boolean; onProgress?: (people: number) => void } = {},
): Promise<{ people: number; terms: number }> {
  const batch = options.batch ?? 5000;
  const counts = options.counts ?? true;
  await db.deleteFrom('person_search_terms').execute();
  if (counts) await db.deleteFrom('person_search_term_counts').execute();
  let after = '';
  let people = 0;
  let terms = 0;
  for (;;) {
    const rows = await db
      .selectFrom('people')
      .select(['id', 'given_name', 'family_name', 'date_of_birth', 'postcode_district', 'created_by_agency_id'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(batch)
      .execute();
    if (rows.length === 0) break;
    const ids = rows.map((r) => r.id);
    const identifiers = await db.selectFrom('person_identifiers').select(['person_id', 'system', 'value']).where('person_id', 'in', ids).execute();
    const leads = await db.selectFrom('cases').select(['person_id', 'lead_agency_id']).distinct().where('person_id', 'in', ids).execute();
    const idsOf = new Map<string, Array<{ system: string; value: string }>>();
    for (const i of identifiers) idsOf.set(i.person_id, [...(idsOf.get(i.person_id) ?? []), i]);
    const holders = new Map<string, Set<string>>(rows.map((r) => [r.id, new Set([r.created_by_agency_id])]));
    for (const l of leads) holders.get(l.person_id)?.add(l.lead_agency_id);
    const out: Array<{ agency_id: string; term: string; person_id: string }> = [];
    for (const r of rows) {
      const personTerms = searchTerms({
        givenName: r.given_name,
        familyName: r.family_name,
        dateOfBirth: r.date_of_birth,
        postcodeDistrict: r.postcode_district,
        identifiers: idsOf.get(r.id) ?? [],
      });
      for (const agencyId of holders.get(r.id) ?? []) for (const term of personTerms) out.push({ agency_id: agencyId, term, person_id: r.id });
    }
    await insertTerms(db, out, false);
    people += rows.length;
    terms += out.length;
    after = rows[rows.length - 1]!.id;
    options.onProgress?.(people);
  }
  if (counts) {
    await sql`insert into person_search_term_counts (agency_id, term, n)
      select agency_id, term, count(*) from person_search_terms group by agency_id, term`.execute(db);
  }
  return { people, terms };
}
