/** Whether the store answers at all: the readiness probe's one query. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Resolves when the store answers a trivial query; rejects with the driver's error otherwise. */
export async function checkStoreAnswers(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
