/**
 * Writes counter deltas: one statement per chunk that adds each delta to its stored count,
 * creating rows as needed. The rows travel as one JSON text (SQLite, `json_each`) or as
 * column arrays (PostgreSQL, `unnest`), so the statement text is the same whatever the
 * number of rows and costs nothing to build. Rows that fall to zero stay (cheaper than
 * deleting and re-inserting as journeys move); readers ignore them and a rebuild drops them.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { CounterDelta } from './counter-deltas.ts';

const CHUNK = 20_000;

/** True when `db` talks to PostgreSQL. */
export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Adds each delta's `n` to its counter row. */
export async function applyCounterDeltas<DB>(db: Kysely<DB>, deltas: readonly CounterDelta[]): Promise<void> {
  const postgres = isPostgres(db);
  for (let i = 0; i < deltas.length; i += CHUNK) {
    const rows = deltas.slice(i, i + CHUNK);
    if (postgres) {
      await sql`
        insert into metric_counts (metric, agency_id, dim, day, k, value, n)
        select * from unnest(${rows.map((r) => r.metric)}::text[], ${rows.map((r) => r.agency_id)}::text[], ${rows.map((r) => r.dim)}::text[],
                             ${rows.map((r) => r.day)}::int[], ${rows.map((r) => r.k)}::text[], ${rows.map((r) => r.value)}::text[], ${rows.map((r) => r.n)}::int[])
        on conflict (metric, agency_id, dim, day, k, value) do update set n = metric_counts.n + excluded.n`.execute(db);
    } else {
      const json = JSON.stringify(rows.map((r) => [r.metric, r.agency_id, r.dim, r.day, r.k, r.value, r.n]));
      // `where true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
      await sql`
        insert into metric_counts (metric, agency_id, dim, day, k, value, n)
        select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6 from json_each(${json}) where true
        on conflict (metric, agency_id, dim, day, k, value) do update set n = metric_counts.n + excluded.n`.execute(db);
    }
  }
}
