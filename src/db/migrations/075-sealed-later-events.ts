/**
 * PostgreSQL: an event's place in the hash chain is written after its commit, by the chain
 * sealer (src/engine/chain-sealer.ts), so writers no longer take turns on one lock through
 * their commits. Until sealed, `prev_hash` and `hash` are null. SQLite keeps chaining each
 * event as it is written (one writer already), so its columns stay required.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const sealedLaterEventsMigration: Migration = {
  name: '075-sealed-later-events',
  async up(db: Kysely<unknown>, dialect) {
    if (dialect !== 'postgres') return;
    await sql`alter table events alter column prev_hash drop not null, alter column hash drop not null`.execute(db);
  },
};
