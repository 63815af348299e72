/**
 * Sign-in throttling shared by every node on one database (it was kept in one process's
 * memory, so a second node, or a restart, forgave every failure).
 *
 * `sign_in_failures` counts failed sign-ins per window for three subjects: one account
 * from one address (`pair`), one account from anywhere (`account`), one address against
 * any account (`address`). `sign_in_addresses` remembers where each user last signed in
 * successfully, so an account under attack from elsewhere still lets its owner in from a
 * known address.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const signInThrottleMigration: Migration = {
  name: '040-sign-in-throttle',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sign_in_failures')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('window_start', 'text', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('sign_in_failures_pk', ['scope', 'subject'])
      .execute();
    await db.schema.createIndex('sign_in_failures_window').on('sign_in_failures').column('window_start').execute();
    await db.schema
      .createTable('sign_in_addresses')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('last_success_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sign_in_addresses_pk', ['user_id', 'address'])
      .execute();
  },
};
