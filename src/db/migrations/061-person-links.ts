/**
 * Linked person records (issue "The person at the centre", item 4): two agencies' records of
 * the same person can be linked, an event on both persons' streams, and unlinked again. The
 * projection keeps `people.linked_to`: null for a record on its own (and for the record that
 * stands for a linked group); otherwise the id of the group's representative, the earliest
 * recorded of the linked records. `coalesce(linked_to, id)` is the person the measures count.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const personLinksMigration: Migration = {
  name: '061-person-links',
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('people').addColumn('linked_to', 'text').execute();
    await db.schema.createIndex('people_linked_to').on('people').column('linked_to').execute();
  },
};
