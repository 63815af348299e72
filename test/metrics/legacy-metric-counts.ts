/**
 * `metric_counts` as migration 004 created it (one row per metric, agency, breakdown, day,
 * sub-key and value), for tests that rebuild a store of a release from before the day
 * blocks: migration 060 dropped the table, so they put it back the way it was.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../src/db/database.ts';
import type { Database } from '../../src/db/schema.ts';

/** One row of the old day counters. */
export interface LegacyCountRow {
  metric: string;
  agency_id: string;
  dim: string;
  day: number;
  k: string;
  value: string;
  n: number;
}

/** A handle that sees `metric_counts`. */
export type LegacyCountsDb = Kysely<Database & { metric_counts: LegacyCountRow }>;

/** Creates `metric_counts` as migration 004 did and returns a handle that sees it. */
export async function createLegacyMetricCounts(db: Kysely<Database>, dialect: Dialect): Promise<LegacyCountsDb> {
  const create = db.schema.createTable('metric_counts');
  await (dialect === 'sqlite' ? create.modifyEnd(sql`without rowid`) : create)
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('agency_id', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('k', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_counts_pk', ['metric', 'agency_id', 'dim', 'day', 'k', 'value'])
    .execute();
  return db.withTables<{ metric_counts: LegacyCountRow }>();
}

/**
 * True when the store has a `metric_counts` table. Asked of the store's own schema (a read
 * of the table): on PostgreSQL, introspection lists every schema's tables, and other test
 * stores in the same database may still have theirs.
 */
export async function hasMetricCounts(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1 from metric_counts where 1 = 0`.execute(db);
    return true;
  } catch {
    return false;
  }
}
