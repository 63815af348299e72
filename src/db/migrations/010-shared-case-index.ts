/**
 * Indexes for the journeys shared with an agency (src/journeys/journey-queries.ts). An
 * agency holding many referrals finds them by walking all journeys newest first,
 * `(opened_at, id)`, and checking each person's referrals and consents; the consent check
 * is answered from the index alone when it holds every column the rule reads. That index
 * replaces `consents_person`, its prefix.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const sharedCaseIndexMigration: Migration = {
  name: '010-shared-case-index',
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('cases_opened').on('cases').columns(['opened_at', 'id']).execute();
    await db.schema
      .createIndex('consents_person_rule')
      .on('consents')
      .columns(['person_id', 'withdrawn_at', 'given_on', 'valid_until', 'to_agency_id', 'to_agency_kind'])
      .execute();
    await db.schema.dropIndex('consents_person').execute();
  },
};
