/**
 * `person_search_term_counts`: how many of an agency's people carry each search term — the
 * rows `person_search_terms` holds under (agency, term), kept by src/people/search-index.ts
 * in the transaction that writes those rows. A search reads it to let its rarest condition
 * drive (one lookup by key, instead of counting up to 20,000 index rows per condition: most
 * of a name search's time at 330,000 people). Keyed by agency first, like the index: a
 * search reads only its own agency's counts. Filled here from the index as it stands.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const personSearchTermCountsMigration: Migration = {
  name: '095-person-search-term-counts',
  async up(db: Kysely<unknown>, dialect) {
    const withoutRowid = dialect === 'sqlite' ? sql` without rowid` : sql``;
    // Byte order, as the index's terms (migration 045).
    const byteOrder = dialect === 'postgres' ? sql` collate "C"` : sql``;
    await sql`create table person_search_term_counts (
      agency_id text not null,
      term text${byteOrder} not null,
      n integer not null,
      primary key (agency_id, term)
    )${withoutRowid}`.execute(db);
    await sql`insert into person_search_term_counts (agency_id, term, n)
      select agency_id, term, count(*) from person_search_terms group by agency_id, term`.execute(db);
  },
};
