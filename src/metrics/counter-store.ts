/**
 * Writes counter deltas: one multi-row upsert per chunk that adds to the stored count.
 * Rows that fall to zero stay (cheaper than deleting and re-inserting as journeys move);
 * readers ignore them and a rebuild drops them.
 */
import { sql } from 'kysely';
import type { CounterDelta } from './counter-deltas.ts';
import type { MetricsDb } from './metric-tables.ts';

// 7 bound values per row; 400 rows stays well under SQLite's and PostgreSQL's parameter limits.
const CHUNK = 400;

/** Adds each delta's `n` to its counter row, creating rows as needed. */
export async function applyCounterDeltas(db: MetricsDb, deltas: readonly CounterDelta[]): Promise<void> {
  for (let i = 0; i < deltas.length; i += CHUNK) {
    const rows = deltas.slice(i, i + CHUNK);
    await db
      .insertInto('metric_counts')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['metric', 'agency_id', 'dim', 'day', 'k', 'value']).doUpdateSet({ n: sql<number>`metric_counts.n + excluded.n` }),
      )
      .execute();
  }
}
