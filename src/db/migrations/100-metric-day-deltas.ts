/**
 * `metric_day_deltas`: counter changes waiting to be folded into the day blocks, on
 * PostgreSQL when a serving node writes them (src/metrics/counter-fold.ts). A commit that
 * moved the shared block rows (`metric_day_totals`, `metric_day_blocks`) in place held them
 * locked until its WAL flush, so concurrent batches — two nodes' above all — took turns on
 * the same few rows; appending rows locks nothing another writer needs. Each row is one
 * block row's change: the key of `metric_day_blocks` (`dim` and `value` `all` for a
 * `metric_day_totals` row), `n` and the 32 day columns. No key and no index: rows are
 * appended, read by the counters' readers along with the blocks, and folded away within a
 * second or so. Created on SQLite as well (one schema everywhere); SQLite, one writer,
 * never fills it.
 */
import { type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

// Kept here (not imported) so the migration means the same thing whenever it runs.
const DAYS = 32;

export const metricDayDeltasMigration: Migration = {
  name: '100-metric-day-deltas',
  async up(db: Kysely<unknown>) {
    let table = db.schema
      .createTable('metric_day_deltas')
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('block', 'integer', (c) => c.notNull())
      .addColumn('dim', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull());
    for (let i = 0; i < DAYS; i += 1) table = table.addColumn(`d${i}`, 'integer', (c) => c.notNull().defaultTo(0));
    await table.execute();
  },
};
