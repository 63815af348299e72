/**
 * A person's identifiers from the systems around them, and the search index staff find
 * people by.
 *
 * `person_identifiers`: one value per system per person (and, for a local id, per agency).
 * `agency_id` is the agency whose id it is for `local`, and the agency that registered the
 * person for the national systems: an NHS number is unique among the records one agency
 * registered, so two agencies can each hold a record of the same person (found and linked
 * on arrival, issue 12) but one agency cannot register them twice. `person_identifiers_value`
 * finds a value across agencies.
 *
 * `person_search_terms_person` (person, agency, term) serves the checks of a search's
 * further words for one candidate, and the rewrite of one person's terms.
 *
 * `person_search_terms`: for each agency that holds a person (registered them or leads a
 * journey of theirs), one row per search term of that person — name tokens, their phonetic
 * keys, date of birth, postcode district, identifiers, the duplicate keys. Keyed by agency
 * first, so a search reads only the searching agency's rows: what it costs and what it
 * finds depend on nothing the searcher may not see. WITHOUT ROWID on SQLite: the key is
 * the row.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';
import type { Database } from '../schema.ts';
import { rebuildSearchIndex } from '../../people/search-index.ts';

export const personIdentifiersAndSearchMigration: Migration = {
  name: '045-person-identifiers-and-search',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable('person_identifiers')
      .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('person_identifiers_pk', ['person_id', 'system', 'agency_id'])
      .execute();
    await db.schema.createIndex('person_identifiers_unique').on('person_identifiers').columns(['system', 'agency_id', 'value']).unique().execute();
    await db.schema.createIndex('person_identifiers_value').on('person_identifiers').columns(['system', 'value']).execute();

    const withoutRowid = dialect === 'sqlite' ? sql` without rowid` : sql``;
    // Prefix searches are ranges of terms in byte order: SQLite compares bytes already;
    // PostgreSQL would use the database's locale, which skips punctuation such as ':'.
    const byteOrder = dialect === 'postgres' ? sql` collate "C"` : sql``;
    await sql`create table person_search_terms (
      agency_id text not null,
      term text${byteOrder} not null,
      person_id text not null,
      primary key (agency_id, term, person_id)
    )${withoutRowid}`.execute(db);
    await db.schema.createIndex('person_search_terms_person').on('person_search_terms').columns(['person_id', 'agency_id', 'term']).execute();

    // NHS numbers already recorded as `details.nhsNumber` become identifiers as they are
    // (the first of a repeated one within an agency wins); then the index is built for
    // every stored person, so a store of the previous release is searchable at once.
    if (dialect === 'sqlite') {
      await sql`insert or ignore into person_identifiers (person_id, system, agency_id, value, recorded_at)
        select id, 'nhs_number', created_by_agency_id, json_extract(details, '$.nhsNumber'), created_at from people
        where json_extract(details, '$.nhsNumber') is not null`.execute(db);
    } else {
      await sql`insert into person_identifiers (person_id, system, agency_id, value, recorded_at)
        select id, 'nhs_number', created_by_agency_id, details::jsonb->>'nhsNumber', created_at from people
        where details::jsonb->>'nhsNumber' is not null
        on conflict do nothing`.execute(db);
    }
    // Without counts: their table comes with migration 095, which counts this index.
    await rebuildSearchIndex(db as Kysely<Database>, { counts: false });
  },
};
