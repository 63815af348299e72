/**
 * An index to find one stream's timers. Reading a journey or referral lists its pending
 * timers, and every transition cancels the ones it replaces, both by stream. The partial
 * unique index `timers_pending_key` cannot serve them (the status arrives as a bound
 * parameter, and SQLite uses a partial index only for a literal it can prove), so without
 * this each of those statements walked every pending timer in the store — 220,000 at
 * national scale.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const timerStreamIndexMigration: Migration = {
  name: '005-timer-stream-index',
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('timers_stream').on('timers').columns(['stream_type', 'stream_id', 'status', 'due_at']).execute();
  },
};
