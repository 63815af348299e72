/**
 * Record streams: people (with their consents), agencies and staff are written as events
 * through the engine like journeys and referrals. Their stream rows (machine version,
 * snapshot, version) live in one table, `record_streams`, keyed by stream type and id;
 * `people`, `consents`, `agencies` and `users` stay as the projections every reader uses.
 * Agencies gain `deactivated_at` (the `AGENCY_DEACTIVATED` event's projection).
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const recordStreamsMigration: Migration = {
  name: '014-record-streams',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('record_streams')
      .addColumn('stream_type', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('machine_version', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('record_streams_pk', ['stream_type', 'id'])
      .execute();
    await db.schema.alterTable('agencies').addColumn('deactivated_at', 'text').execute();
  },
};
