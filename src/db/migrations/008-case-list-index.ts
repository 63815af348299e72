/**
 * Indexes in the journey list's order. `GET /api/v1/cases` pages an agency's journeys
 * newest first, optionally of one stage; with the agency (and stage) first and then
 * `opened_at, id`, a page is a walk of the index from the cursor that stops at the page
 * size, instead of a sort of all the agency's journeys (282,000 for one provider at
 * national scale: ten seconds a page). The stage index replaces `cases_agency_stage`,
 * which is its prefix; the referral indexes gain the person and replace their prefixes.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const caseListIndexMigration: Migration = {
  name: '008-case-list-index',
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('cases_agency_opened').on('cases').columns(['lead_agency_id', 'opened_at', 'id']).execute();
    await db.schema.createIndex('cases_agency_stage_opened').on('cases').columns(['lead_agency_id', 'stage', 'opened_at', 'id']).execute();
    await db.schema.dropIndex('cases_agency_stage').execute();
    // Journeys shared with an agency come from the people it holds referrals for: with the
    // person in the referral indexes, that list is read from the indexes alone.
    await db.schema.createIndex('referrals_to_person').on('referrals').columns(['to_agency_id', 'state', 'person_id']).execute();
    await db.schema.createIndex('referrals_from_person').on('referrals').columns(['from_agency_id', 'state', 'person_id']).execute();
    await db.schema.dropIndex('referrals_to').execute();
    await db.schema.dropIndex('referrals_from').execute();
  },
};
