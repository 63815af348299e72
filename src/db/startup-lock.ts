/**
 * Start-up work that must run on one node at a time when several `pathways serve`
 * processes share one PostgreSQL database: creating the migrations table, applying
 * migrations, creating the first administrator. Two nodes started together on an empty
 * schema otherwise both see "no users" and both insert one (a unique-key failure that
 * stops one of them), or both create the migrations table at once.
 *
 * On PostgreSQL the lock is a session-level advisory lock held on one pooled connection
 * while `work` runs on the others; it is released even when `work` throws, and the server
 * releases it if the process dies. SQLite is one process's file: nothing to lock.
 */
import { sql } from 'kysely';
import { advisoryLock } from './advisory-locks.ts';
import type { Store } from './database.ts';

/** Runs `work` while holding the named start-up lock (PostgreSQL); on SQLite runs it directly. */
export async function withStartupLock<T>(store: Store, lock: 'migrate' | 'bootstrap', work: () => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres') return work();
  return store.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${advisoryLock(lock)})`.execute(conn);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(${advisoryLock(lock)})`.execute(conn);
    }
  });
}
