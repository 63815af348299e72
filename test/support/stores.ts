/**
 * Test stores: every database-backed suite runs once per dialect, each run in a store of
 * its own (a fresh SQLite file, or a fresh PostgreSQL schema that is dropped afterwards),
 * so test files can run in parallel and runs never collide.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Dialect, type Store } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';

/** PostgreSQL server used by the tests; `.ci/run` makes sure it is running. */
export const TEST_PG_URL = process.env.PATHWAYS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The dialects every storage suite runs on. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface TestStore extends Store {
  /** The DATABASE_URL that opens this same store (for CLI and server tests). */
  url: string;
  /** Closes the store and deletes its file or schema. */
  dispose(): Promise<void>;
}

/** Creates an empty, migrated store of the given dialect. */
export async function createTestStore(dialect: Dialect, options: { migrate?: boolean } = {}): Promise<TestStore> {
  const suffix = randomBytes(6).toString('hex');
  let url: string;
  let cleanup: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pathways-test-'));
    url = `sqlite:${join(dir, 'pathways.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `t_${suffix}`;
    url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
    cleanup = async () => {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    };
  }
  const store = await openStore(url);
  if (options.migrate !== false) await migrate(store);
  return {
    ...store,
    url,
    async dispose() {
      await store.close();
      await cleanup();
    },
  };
}
