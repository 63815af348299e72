/**
 * Drops `metric_counts`, the day counters of migration 004. Migration 007 moved every
 * metric but `flow` out of it into the day blocks and 011 moved `flow` too, and since then
 * every metric is counted in `metric_day_totals` and `metric_day_blocks` only
 * (src/metrics/day-blocks.ts): the table has been empty and unread, yet every counter write
 * still carried it. Nothing is lost either way: counters are derived from the event log, and
 * `pathways metrics rebuild` recomputes them all.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const dropMetricCountsMigration: Migration = {
  name: '060-drop-metric-counts',
  async up(db: Kysely<unknown>) {
    await db.schema.dropTable('metric_counts').ifExists().execute();
  },
};
