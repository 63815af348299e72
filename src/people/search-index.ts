/**
 * Keeps `person_search_terms` (migration 045): every agency that holds a person — it
 * registered them, or leads one of their journeys — has that person's terms under its own
 * id. Written in the transaction that changes what the terms are made of (recording a
 * person, an identifier, opening a journey), so a search never misses a committed record.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { searchTerms } from './search-terms.ts';

// Rows per INSERT: 3 parameters a row keeps a statement well inside both dialects' limits.
const ROWS_PER_INSERT = 2000;

async function insertTerms(db: Kysely<Database>, rows: Array<{ agency_id: string; term: string; person_id: string }>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('person_search_terms')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflict((oc) => oc.doNothing())
      .execute();
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

/** Rewrites a person's terms under every agency that holds them (after any change to the person). */
export async function reindexPerson(db: Kysely<Database>, personId: string): Promise<void> {
  await db.deleteFrom('person_search_terms').where('person_id', '=', personId).execute();
  const found = await termsOf(db, personId);
  if (!found) return;
  const holders = await holdersOf(db, personId, found.createdBy);
  await insertTerms(
    db,
    holders.flatMap((agencyId) => found.terms.map((term) => ({ agency_id: agencyId, term, person_id: personId }))),
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
 * for stores of the previous release; the seed after writing people directly). Reads the
 * people in id order, a batch at a time, so memory stays flat at national scale.
 */
export async function rebuildSearchIndex(db: Kysely<Database>, options: { batch?: number; onProgress?: (people: number) => void } = {}): Promise<{ people: number; terms: number }> {
  const batch = options.batch ?? 5000;
  await db.deleteFrom('person_search_terms').execute();
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
    await insertTerms(db, out);
    people += rows.length;
    terms += out.length;
    after = rows[rows.length - 1]!.id;
    options.onProgress?.(people);
  }
  return { people, terms };
}
