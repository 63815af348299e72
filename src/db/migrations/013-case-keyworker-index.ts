/**
 * A keyworker's caseload in list order: `GET /api/v1/cases?keyworker=me` walked the whole
 * agency's journeys newest first looking for theirs (a second for the largest provider at
 * national scale, more when they have few). With the keyworker and agency first and then
 * `opened_at, id`, the page is a walk of that keyworker's journeys alone. It replaces
 * `cases_keyworker`, its prefix; the keyworker changes seldom, so writes barely notice.
 *
 * `cases_stage` goes: every list by stage reads `cases_agency_stage_opened`, and for the
 * walk over journeys shared with a large provider the stage index was worse than none
 * (SQLite read every journey in the stage, then sorted). One index less to move on every
 * change of stage.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const caseKeyworkerIndexMigration: Migration = {
  name: '013-case-keyworker-index',
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('cases_keyworker_list').on('cases').columns(['keyworker_id', 'lead_agency_id', 'opened_at', 'id']).execute();
    await db.schema.dropIndex('cases_keyworker').execute();
    await db.schema.dropIndex('cases_stage').execute();
  },
};
