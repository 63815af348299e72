/**
 * Hand-written statements for the engine's hot path, run on a transaction's connection
 * without the query builder. Kysely builds, freezes and compiles a tree for every query
 * and passes each through several promise hops; for the dozen short statements of one
 * journey transition that cost more than running them. Here the SQL text is fixed, so on
 * SQLite it is prepared once: the engine installs a statement cache on the store's handle
 * (src/engine/statement-cache.ts), and this module prepares through it; a handle without
 * that cache (PATHWAYS_NO_STATEMENT_CACHE=1) prepares on every call. PostgreSQL gets the
 * text as-is.
 *
 * Write statements with `?` placeholders; for PostgreSQL they become `$1, $2, …` (the
 * statements here never hold a literal question mark). Rows come back exactly as Kysely
 * returns them for the same SQL: no conversion on either side.
 *
 * On SQLite the statement runs synchronously on the store's single handle, which is only
 * safe inside a unit of work of the engine (the runner holds that connection); outside
 * one, use `store.db`.
 */
import type SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Runs fixed SQL inside one transaction. */
export interface DirectSql {
  /** Every row. */
  all<R>(text: string, params: readonly unknown[]): Promise<R[]>;
  /** The first row, or undefined. */
  get<R>(text: string, params: readonly unknown[]): Promise<R | undefined>;
  /** A write; answers how many rows it changed. */
  run(text: string, params: readonly unknown[]): Promise<number>;
}

const pgText = new Map<string, string>();

/** `?` placeholders as PostgreSQL's numbered ones (cached per text). */
function numbered(text: string): string {
  let out = pgText.get(text);
  if (out === undefined) {
    let n = 0;
    out = text.replace(/\?/g, () => `$${++n}`);
    pgText.set(text, out);
  }
  return out;
}

// The texts are the hot path's fixed ones plus a few with a variable number of placeholders;
// past this many per handle something builds texts it should not, and the cache starts over.
const MAX_STATEMENTS = 512;
const statementsOf = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

/** `text` prepared on `sqlite`, once per handle. */
function prepared(sqlite: SqliteDatabase.Database, statements: Map<string, SqliteDatabase.Statement>, text: string): SqliteDatabase.Statement {
  let statement = statements.get(text);
  if (statement === undefined) {
    if (statements.size >= MAX_STATEMENTS) statements.clear();
    // Not through the handle's shared cache: a statement from there may be handed to someone else too.
    statement = (Object.getPrototypeOf(sqlite) as SqliteDatabase.Database).prepare.call(sqlite, text);
    statements.set(text, statement);
  }
  return statement;
}

/** Direct statements on `trx` (PostgreSQL) or on `sqlite` (SQLite, inside an engine unit). */
export function directSql(trx: Kysely<Database>, sqlite: SqliteDatabase.Database | null): DirectSql {
  if (sqlite) {
    let statements = statementsOf.get(sqlite);
    if (!statements) statementsOf.set(sqlite, (statements = new Map<string, SqliteDatabase.Statement>()));
    const cache = statements;
    return {
      // async, so a failing statement rejects like a Kysely query instead of throwing.
      all: async <R>(text: string, params: readonly unknown[]) => prepared(sqlite, cache, text).all(...params) as R[],
      get: async <R>(text: string, params: readonly unknown[]) => prepared(sqlite, cache, text).get(...params) as R | undefined,
      run: async (text, params) => prepared(sqlite, cache, text).run(...params).changes,
    };
  }
  const execute = <R>(text: string, params: readonly unknown[]) => trx.executeQuery<R>(CompiledQuery.raw(numbered(text), [...params]));
  return {
    all: async <R>(text: string, params: readonly unknown[]) => (await execute<R>(text, params)).rows,
    get: async <R>(text: string, params: readonly unknown[]) => (await execute<R>(text, params)).rows[0],
    run: async (text, params) => Number((await execute(text, params)).numAffectedRows ?? 0),
  };
}
