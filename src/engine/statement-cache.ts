/**
 * Kysely's SQLite driver prepares every statement afresh; for the engine's short,
 * repeated statements preparing costs more than running them. This keeps prepared
 * statements per SQL text on the store's better-sqlite3 handle (a bounded LRU).
 *
 * A cached statement is handed out only when it is not mid-iteration, and with its modes
 * (pluck, raw, expand, safeIntegers) reset to the defaults, so code that prepares
 * directly on the handle and changes a mode cannot affect the next user of the same SQL.
 */
import type SqliteDatabase from 'better-sqlite3';

const INSTALLED = Symbol.for('pathways.statementCache');

/** Installs the cache on a better-sqlite3 handle (idempotent). */
export function installStatementCache(sqlite: SqliteDatabase.Database, max = 256): void {
  const handle = sqlite as SqliteDatabase.Database & { [INSTALLED]?: true };
  if (handle[INSTALLED]) return;
  handle[INSTALLED] = true;
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SqliteDatabase.Statement>();
  handle.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      // Refresh LRU order.
      cache.delete(source);
      cache.set(source, hit);
      if (hit.reader) hit.pluck(false).raw(false).expand(false);
      return hit.safeIntegers(false);
    }
    const statement = prepare(source);
    if (!hit) {
      cache.set(source, statement);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
    }
    return statement;
  }) as typeof sqlite.prepare;
}
