/**
 * The measures' counters with a day move into rows of 32 days (`metric_day_blocks`,
 * src/metrics/day-blocks.ts): each row holds its block's total and every day's count, so a
 * breakdown over a year or the whole history reads a bounded number of rows, and one change
 * writes one row per dimension in one place. Replaces 006's `metric_count_blocks` (block
 * totals beside the day counters). Existing counters are carried over; `metric_counts`
 * keeps `flow` only (work in progress is read from the stage-age blocks, and the referral
 * state counters were never read).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

// The lists as of this migration (src/metrics/day-blocks.ts), kept here so the migration
// means the same thing whenever it runs.
const BLOCKED = [
  'stage_age',
  'waiting',
  'continuity_open',
  'review_basis',
  'tx_start',
  'tx_end',
  'ref_waiting',
  'started',
  'success',
  'success_represented',
  'release',
  'engaged',
  'representation',
  'death',
];
const DAYS = 32;

export const metricDayBlocksMigration: Migration = {
  name: '007-metric-day-blocks',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema.dropTable('metric_count_blocks').ifExists().execute();
    const create = db.schema.createTable('metric_day_blocks');
    let table = (dialect === 'sqlite' ? create.modifyEnd(sql`without rowid`) : create)
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('block', 'integer', (c) => c.notNull())
      .addColumn('dim', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull());
    for (let i = 0; i < DAYS; i += 1) table = table.addColumn(`d${i}`, 'integer', (c) => c.notNull().defaultTo(0));
    // Sub-key and block before the dimension: the rows one change touches (one stage, one
    // block, every dimension) lie together.
    await table.addPrimaryKeyConstraint('metric_day_blocks_pk', ['metric', 'agency_id', 'k', 'block', 'dim', 'value']).execute();

    // Blocks of 32 days from day 0; the double modulo floors days before 1970 too.
    const block = sql`(day - ((day % ${sql.lit(DAYS)}) + ${sql.lit(DAYS)}) % ${sql.lit(DAYS)})`;
    const dayColumns = Array.from({ length: DAYS }, (_, i) => sql.ref(`d${i}`));
    const daySums = Array.from({ length: DAYS }, (_, i) => sql`sum(case when day - ${block} = ${sql.lit(i)} then n else 0 end)`);
    await sql`
      insert into metric_day_blocks (metric, agency_id, k, block, dim, value, n, ${sql.join(dayColumns)})
      select metric, agency_id, k, ${block}, dim, value, sum(n), ${sql.join(daySums)}
      from metric_counts
      where metric in (${sql.join(BLOCKED)})
      group by metric, agency_id, k, ${block}, dim, value
      having sum(n) <> 0`.execute(db);
    await sql`delete from metric_counts where metric in (${sql.join([...BLOCKED, 'wip', 'ref_state'])})`.execute(db);
  },
};
