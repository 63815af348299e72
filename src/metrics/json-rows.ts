/**
 * Many small rows in one value: the database folds the selected rows into one JSON array
 * of arrays (`json_group_array(json_array(…))` on SQLite, `json_agg(json_build_array(…))`
 * on PostgreSQL) and the reader parses it once. Handing over tens of thousands of rows one
 * object at a time costs the drivers several times more than the query itself; readers
 * that add rows up in JS (count-reader.ts, day-histograms.ts) fetch them this way.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from './counter-store.ts';

/** The aggregate that folds the rows' `columns` (expressions: qualified columns, constants) into one JSON array. */
export function jsonRowsOf<DB>(db: Kysely<DB>, columns: ReadonlyArray<RawBuilder<unknown>>): RawBuilder<unknown> {
  const list = sql.join(columns);
  return isPostgres(db) ? sql`json_agg(json_build_array(${list}))` : sql`json_group_array(json_array(${list}))`;
}

/** The rows folded by `jsonRowsOf`: SQLite hands back JSON text, PostgreSQL parsed JSON, or null for no rows. */
export function parseJsonRows(value: unknown): unknown[][] {
  if (value === null || value === undefined) return [];
  return (typeof value === 'string' ? JSON.parse(value) : value) as unknown[][];
}
