/**
 * The links between person records, one row per linked pair (ids in order, so the two
 * streams' `PERSON_LINKED` events write the same row). `people.linked_to` (migration 061)
 * is worked out from these: each connected group of records takes its earliest recorded
 * member as representative, so a chain (A–B, B–C) is one person and an unlink regroups.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const personLinkPairsMigration: Migration = {
  name: '063-person-link-pairs',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('person_links')
      .addColumn('person_a', 'text', (c) => c.notNull())
      .addColumn('person_b', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('referral_id', 'text')
      .addColumn('linked_at', 'text', (c) => c.notNull())
      .addColumn('linked_by', 'text')
      .addPrimaryKeyConstraint('person_links_pk', ['person_a', 'person_b'])
      .execute();
    await db.schema.createIndex('person_links_b').on('person_links').column('person_b').execute();
  },
};
