/**
 * Tables for the measures managers watch (src/metrics): counters kept current in the same
 * transaction as each event, the per-stream facts the counters are derived from, and the
 * referral deadlines still running. See src/metrics/metric-tables.ts for their meaning.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const metricsMigration: Migration = {
  name: '004-metrics',
  async up(db: Kysely<unknown>, dialect) {
    // On SQLite the counters are a WITHOUT ROWID table: the primary key is the table, so a
    // range read is one index walk with `n` in hand.
    const counts = db.schema.createTable('metric_counts');
    await (dialect === 'sqlite' ? counts.modifyEnd(sql`without rowid`) : counts)
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('dim', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      // Day before sub-key: every query reads one metric of a few agencies in one
      // dimension, usually over a day range (a period, or "older than 21 days").
      .addPrimaryKeyConstraint('metric_counts_pk', ['metric', 'agency_id', 'dim', 'day', 'k', 'value'])
      .execute();

    await db.schema
      .createTable('metric_case_facts')
      .addColumn('case_id', 'text', (c) => c.primaryKey())
      .addColumn('person_id', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('facts', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('metric_case_facts_person').on('metric_case_facts').column('person_id').execute();

    await db.schema
      .createTable('metric_referral_facts')
      .addColumn('referral_id', 'text', (c) => c.primaryKey())
      .addColumn('to_agency_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('facts', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('metric_deadlines')
      .addColumn('stream_id', 'text', (c) => c.notNull())
      .addColumn('deadline', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('due_at', 'text', (c) => c.notNull())
      .addColumn('since_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_deadlines_pk', ['stream_id', 'deadline'])
      .execute();
    await db.schema.createIndex('metric_deadlines_due').on('metric_deadlines').columns(['agency_id', 'deadline', 'due_at']).execute();
  },
};
