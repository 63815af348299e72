/**
 * Day blocks of the measures' counters (src/metrics/day-blocks.ts): `metric_count_blocks`
 * holds, for the metrics read over long spans, the sum of each 32-day block of
 * `metric_counts`, so a breakdown over a year or the whole history reads a bounded number
 * of rows. Filled here from the counters already kept; from then on every change and every
 * rebuild keeps both.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

// The list in src/metrics/day-blocks.ts (BLOCKED_METRICS) as of this migration; the
// migration keeps its own copy so it means the same thing whenever it runs.
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

export const metricBlocksMigration: Migration = {
  name: '006-metric-blocks',
  async up(db: Kysely<unknown>, dialect) {
    const blocks = db.schema.createTable('metric_count_blocks');
    await (dialect === 'sqlite' ? blocks.modifyEnd(sql`without rowid`) : blocks)
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('block', 'integer', (c) => c.notNull())
      .addColumn('dim', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      // Sub-key and block before the dimension: the rows one change touches (one stage, one
      // block, every dimension) lie together, so keeping them costs about one page a metric.
      .addPrimaryKeyConstraint('metric_count_blocks_pk', ['metric', 'agency_id', 'k', 'block', 'dim', 'value'])
      .execute();
    // Blocks of 32 days from day 0; the double modulo floors days before 1970 too.
    await sql`
      insert into metric_count_blocks (metric, agency_id, k, block, dim, value, n)
      select metric, agency_id, k, day - ((day % 32) + 32) % 32, dim, value, sum(n)
      from metric_counts
      where metric in (${sql.join(BLOCKED)})
      group by metric, agency_id, k, day - ((day % 32) + 32) % 32, dim, value
      having sum(n) <> 0`.execute(db);
  },
};
