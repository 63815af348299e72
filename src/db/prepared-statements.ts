/**
 * Prepared statements of one better-sqlite3 handle, kept per SQL text: the one way Pathways
 * prepares statements on SQLite (the engine's fixed statements in direct-sql.ts, its
 * transaction control, and every Kysely query, through the handle `openStore` gives Kysely).
 * Preparing costs more than running the engine's short, repeated statements, and Kysely's
 * SQLite driver prepares every query afresh.
 *
 * A cached statement is handed out only when it is not mid-iteration (`busy`, a streamed
 * Kysely query); otherwise the caller gets a fresh one. Nobody changes a cached statement's
 * modes (pluck, raw, expand, safeIntegers): code that needs a mode prepares on the handle.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Statements of one handle by SQL text, at most `max` (least recently used go first). */
export class PreparedStatements {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    /** The hot path's fixed texts plus Kysely's queries; past this, the least recently used go. */
    private readonly max = 512,
  ) {}

  /** Whether `text` is prepared and kept (what a test of who prepares through here reads). */
  has(text: string): boolean {
    return this.statements.has(text);
  }

  /** `text` prepared on the handle, from the cache when the cached statement is free. */
  get(text: string): SqliteDatabase.Statement {
    const hit = this.statements.get(text);
    if (hit && !hit.busy) {
      // Most recently used last.
      this.statements.delete(text);
      this.statements.set(text, hit);
      return hit;
    }
    const statement = this.sqlite.prepare(text);
    if (!hit) {
      this.statements.set(text, statement);
      if (this.statements.size > this.max) this.statements.delete(this.statements.keys().next().value!);
    }
    return statement;
  }
}

const byHandle = new WeakMap<SqliteDatabase.Database, PreparedStatements>();

/** The one `PreparedStatements` of a handle. */
export function preparedStatementsOf(sqlite: SqliteDatabase.Database): PreparedStatements {
  let statements = byHandle.get(sqlite);
  if (!statements) byHandle.set(sqlite, (statements = new PreparedStatements(sqlite)));
  return statements;
}

/** The handle as Kysely's SQLite dialect uses it, preparing through the handle's `PreparedStatements`. */
export function preparedHandleForKysely(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = preparedStatementsOf(sqlite);
  return {
    close: () => sqlite.close(),
    prepare: (text) => statements.get(text),
  };
}
