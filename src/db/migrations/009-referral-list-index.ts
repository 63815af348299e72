/**
 * Indexes in the referral list's order. `GET /api/v1/referrals` pages an agency's inbox
 * and outbox newest first, optionally of one status; with the agency (and status) first
 * and then `created_at, id`, a page is a walk of the index from the cursor that stops at
 * the page size, not a sort of every referral the agency ever sent or received.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const referralListIndexMigration: Migration = {
  name: '009-referral-list-index',
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('referrals_to_created').on('referrals').columns(['to_agency_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('referrals_from_created').on('referrals').columns(['from_agency_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('referrals_to_state_created').on('referrals').columns(['to_agency_id', 'state', 'created_at', 'id']).execute();
    await db.schema.createIndex('referrals_from_state_created').on('referrals').columns(['from_agency_id', 'state', 'created_at', 'id']).execute();
  },
};
