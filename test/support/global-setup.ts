/**
 * Fails the run early, with a clear message, when the PostgreSQL server the suites need
 * is not reachable — rather than as hundreds of connection errors.
 */
import pg from 'pg';
import { TEST_PG_URL } from './stores.ts';

export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_PG_URL} (${err instanceof Error ? err.message : String(err)}). ` +
        'Start it (see README, "Tests") or set PATHWAYS_TEST_PG_URL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
