/**
 * Writes counter deltas: one statement per chunk that adds each delta to its stored count,
 * creating rows as needed, for the day counters (`metric_counts`) and their blocks
 * (`metric_count_blocks`, day-blocks.ts). The rows travel as one JSON text (SQLite,
 * `json_each`) or as column arrays (PostgreSQL, `unnest`), so the statement text is the
 * same whatever the number of rows and costs nothing to build. On PostgreSQL a change's
 * counters and blocks go in one statement (one round trip). Rows that fall to zero stay
 * (cheaper than deleting and re-inserting as journeys move); readers ignore them and a
 * rebuild drops them.
 */
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { BlockDelta, CounterDelta } from './counter-deltas.ts';

const CHUNK = 20_000;

/** True when `db` talks to PostgreSQL. */
export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

function pgCounts(rows: readonly CounterDelta[]): RawBuilder<unknown> {
  return sql`
    insert into metric_counts (metric, agency_id, dim, day, k, value, n)
    select * from unnest(${rows.map((r) => r.metric)}::text[], ${rows.map((r) => r.agency_id)}::text[], ${rows.map((r) => r.dim)}::text[],
                         ${rows.map((r) => r.day)}::int[], ${rows.map((r) => r.k)}::text[], ${rows.map((r) => r.value)}::text[], ${rows.map((r) => r.n)}::int[])
    on conflict (metric, agency_id, dim, day, k, value) do update set n = metric_counts.n + excluded.n`;
}

function pgBlocks(rows: readonly BlockDelta[]): RawBuilder<unknown> {
  return sql`
    insert into metric_count_blocks (metric, agency_id, k, block, dim, value, n)
    select * from unnest(${rows.map((r) => r.metric)}::text[], ${rows.map((r) => r.agency_id)}::text[], ${rows.map((r) => r.k)}::text[],
                         ${rows.map((r) => r.block)}::int[], ${rows.map((r) => r.dim)}::text[], ${rows.map((r) => r.value)}::text[], ${rows.map((r) => r.n)}::int[])
    on conflict (metric, agency_id, k, block, dim, value) do update set n = metric_count_blocks.n + excluded.n`;
}

// `where true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
function sqliteCounts(rows: readonly CounterDelta[]): RawBuilder<unknown> {
  const json = JSON.stringify(rows.map((r) => [r.metric, r.agency_id, r.dim, r.day, r.k, r.value, r.n]));
  return sql`
    insert into metric_counts (metric, agency_id, dim, day, k, value, n)
    select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6 from json_each(${json}) where true
    on conflict (metric, agency_id, dim, day, k, value) do update set n = metric_counts.n + excluded.n`;
}

function sqliteBlocks(rows: readonly BlockDelta[]): RawBuilder<unknown> {
  const json = JSON.stringify(rows.map((r) => [r.metric, r.agency_id, r.k, r.block, r.dim, r.value, r.n]));
  return sql`
    insert into metric_count_blocks (metric, agency_id, k, block, dim, value, n)
    select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6 from json_each(${json}) where true
    on conflict (metric, agency_id, k, block, dim, value) do update set n = metric_count_blocks.n + excluded.n`;
}

/** Adds each delta's `n` to its counter row, and each block delta's to its block row. */
export async function applyCounterDeltas<DB>(db: Kysely<DB>, deltas: readonly CounterDelta[], blocks: readonly BlockDelta[] = []): Promise<void> {
  const postgres = isPostgres(db);
  if (postgres && deltas.length > 0 && blocks.length > 0 && deltas.length <= CHUNK && blocks.length <= CHUNK) {
    // One change's rows: both upserts in one statement (PostgreSQL runs data-modifying CTEs).
    await sql`with day_counts as (${pgCounts(deltas)}) ${pgBlocks(blocks)}`.execute(db);
    return;
  }
  for (let i = 0; i < deltas.length; i += CHUNK) {
    const rows = deltas.slice(i, i + CHUNK);
    await (postgres ? pgCounts(rows) : sqliteCounts(rows)).execute(db);
  }
  for (let i = 0; i < blocks.length; i += CHUNK) {
    const rows = blocks.slice(i, i + CHUNK);
    await (postgres ? pgBlocks(rows) : sqliteBlocks(rows)).execute(db);
  }
}
