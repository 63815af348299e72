/**
 * Finding a person: `GET /api/v1/people?q=&dateOfBirth=&identifier=&postcodeDistrict=`.
 *
 * Only among the people the searcher may see (src/access/record-access.ts), in two parts:
 * - the people their agency holds, from the agency's own rows of `person_search_terms`
 *   (the rarest condition by the agency's own term counts drives, the others are checked
 *   per candidate by key);
 * - the people shared with their agency (a live referral and the person's consent to
 *   identity), a short list read from the agency's own referrals.
 * Neither part reads a row that belongs to another agency's view, so neither the answer
 * nor the time it takes says anything about people the searcher may not see; there is no
 * total count. Results come in person id order, a page at a time (cursor: the last id).
 * Every search is written to the audit trail: who searched for what, not what was found.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, PersonTable } from '../db/schema.ts';
import type { Engine } from '../engine/engine-types.ts';
import { ENDED_REFERRAL_STATES, personScope, type Scope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import { recordAudit } from '../audit/audit-repository.ts';
import { identifiersOfMany, type PersonIdentifier } from './identifier-repository.ts';
import { meetsConditions, searchConditions, type Condition, type PersonSearchInput } from './search-criteria.ts';
import { searchTerms } from './search-terms.ts';

/** One person found, with how the searcher relates to them. */
export interface PersonFound {
  row: PersonTable;
  identifiers: PersonIdentifier[];
  scope: Scope;
}

/** A page of people found. */
export interface PersonSearchPage {
  items: PersonFound[];
  /** The last id of this page when there may be more, else null. */
  nextCursor: string | null;
}

/**
 * The conditions with the number of the agency's people each may match (the counts of its
 * terms, `person_search_term_counts`: one read by key), the rarest first: the walk that
 * drives a search then reads the fewest rows. "Paul Shw" walks the Shaws and checks each
 * for Paul, not every Paul for a Shaw-like name; "Michelle Hargreaves" walks the 2,800
 * Michelles, not the 9,100 Hargreaves (at 330,000 people). A condition counted 0 matches
 * nobody the agency holds. A word's terms overlap (a name is under its start and its sound),
 * so a sum over-counts alike for every condition: it orders them, it is not a total.
 */
async function byRarity(db: Kysely<Database>, agencyId: string, conditions: readonly Condition[]): Promise<Array<{ c: Condition; n: number }>> {
  const terms = [...new Set(conditions.flatMap((c) => c.anyOf))];
  const rows = await db.selectFrom('person_search_term_counts').select(['term', 'n']).where('agency_id', '=', agencyId).where('term', 'in', terms).execute();
  const counts = new Map(rows.map((r) => [r.term, Number(r.n)]));
  return conditions
    .map((c) => ({ c, n: c.anyOf.reduce((sum, t) => sum + (counts.get(t) ?? 0), 0) }))
    .sort((a, b) => a.n - b.n || b.c.weight - a.c.weight);
}

/**
 * Ids of people the agency holds that meet every condition, after `after`, in id order.
 * Each term of the driving condition is one key of `person_search_terms`, whose rows come
 * in person id order: a walk per term that checks the other conditions by key for each
 * candidate and stops at `limit` matches. The walks' first `limit` ids, merged, are the
 * union's first `limit`.
 */
async function heldMatches(db: Kysely<Database>, agencyId: string, conditions: readonly Condition[], after: string, limit: number): Promise<string[]> {
  const ordered = await byRarity(db, agencyId, conditions);
  if (ordered.length === 0 || ordered[0]!.n === 0) return [];
  const [driver, ...rest] = ordered.map((x) => x.c) as [Condition, ...Condition[]];
  const checks = rest.map((c, i) => {
    const t = sql.raw(`t${i + 1}`);
    return sql`and exists (select 1 from person_search_terms ${t} where ${t}.person_id = t0.person_id and ${t}.agency_id = ${agencyId} and ${t}.term in (${sql.join(c.anyOf)}))`;
  });
  const found = new Set<string>();
  for (const term of driver.anyOf) {
    const result = await sql<{ person_id: string }>`
      select t0.person_id from person_search_terms t0
      where t0.agency_id = ${agencyId} and t0.term = ${term} and t0.person_id > ${after}
      ${sql.join(checks, sql` `)}
      order by t0.person_id limit ${limit}`.execute(db);
    for (const r of result.rows) found.add(r.person_id);
  }
  return [...found].sort().slice(0, limit);
}

/**
 * People shared with the agency that meet every condition: read from the agency's own live
 * referrals (sent or received), leaving out those it holds (the index finds them), then
 * kept only where the access rules let it see their identity.
 */
async function sharedMatches(db: Kysely<Database>, viewer: Viewer, conditions: readonly Condition[], after: string, today: string): Promise<Map<string, Scope>> {
  const live = (column: 'from_agency_id' | 'to_agency_id') =>
    db
      .selectFrom('referrals as r')
      .innerJoin('people as p', 'p.id', 'r.person_id')
      .select(['p.id', 'p.given_name', 'p.family_name', 'p.date_of_birth', 'p.postcode_district'])
      .where(`r.${column}`, '=', viewer.agencyId)
      .where('r.state', 'not in', ENDED_REFERRAL_STATES)
      .where('p.id', '>', after)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('person_search_terms as h')
              .select('h.term')
              .whereRef('h.person_id', '=', 'p.id')
              .where('h.agency_id', '=', viewer.agencyId),
          ),
        ),
      );
  const rows = [...(await live('from_agency_id').execute()), ...(await live('to_agency_id').execute())];
  const unique = new Map(rows.map((r) => [r.id, r]));
  const ids = await identifiersOfMany(db, [...unique.keys()]);
  const found = new Map<string, Scope>();
  for (const r of [...unique.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const terms = searchTerms({
      givenName: r.given_name,
      familyName: r.family_name,
      dateOfBirth: r.date_of_birth,
      postcodeDistrict: r.postcode_district,
      identifiers: ids.get(r.id) ?? [],
    });
    if (!meetsConditions(terms, conditions)) continue;
    const scope = await personScope(db, viewer, r.id, today);
    // Found by what identifies them only when the person agreed to share their identity.
    if (scope && (scope.categories === 'all' || scope.categories.has('identity'))) found.set(r.id, scope);
  }
  return found;
}

/**
 * The people `viewer` may see that meet every condition, a page at a time in id order.
 * The core of the search and of the duplicate check; records nothing.
 */
export async function findPeople(
  db: Kysely<Database>,
  viewer: Viewer,
  conditions: readonly Condition[],
  options: { today: string; cursor?: string | undefined; limit: number },
): Promise<PersonSearchPage> {
  const after = options.cursor ?? '';
  const held = await heldMatches(db, viewer.agencyId, conditions, after, options.limit + 1);
  const shared = await sharedMatches(db, viewer, conditions, after, options.today);
  const holder: Scope = { kind: 'holder', categories: 'all' };
  const merged = [...held.map((id) => [id, holder] as const), ...shared]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, options.limit + 1);
  const page = merged.slice(0, options.limit);
  const ids = page.map(([id]) => id);
  const rows = ids.length > 0 ? await db.selectFrom('people').selectAll().where('id', 'in', ids).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const identifiers = await identifiersOfMany(db, ids);
  const items: PersonFound[] = [];
  for (const [id, scope] of page) {
    const row = byId.get(id);
    if (row) items.push({ row, identifiers: identifiers.get(id) ?? [], scope });
  }
  return { items, nextCursor: merged.length > options.limit ? (ids[ids.length - 1] ?? null) : null };
}

/**
 * Searches the people `viewer` may see, and records the search in the audit trail. The
 * entry is written through the engine's unit of work (on SQLite it joins the group commit
 * and is synced off the main thread, where a write of its own would wait for an fsync),
 * while the search reads; the answer waits for both, so no search goes unrecorded.
 */
export async function searchPeople(
  deps: { db: Kysely<Database>; engine: Pick<Engine, 'transaction'> },
  viewer: Viewer,
  input: PersonSearchInput,
  options: { today: string; at: string; cursor?: string | undefined; limit: number },
): Promise<PersonSearchPage> {
  const conditions = searchConditions(input);
  const entry = {
    at: options.at,
    userId: viewer.userId,
    agencyId: viewer.agencyId,
    action: 'search' as const,
    entityType: 'person',
    detail: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== '')),
  };
  const [, page] = await Promise.all([deps.engine.transaction((tx) => recordAudit(tx.trx, entry)), findPeople(deps.db, viewer, conditions, options)]);
  return page;
}
