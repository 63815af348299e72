/**
 * Hand-written statements for the engine's hot path, run on a transaction's connection
 * without the query builder. Kysely builds, freezes and compiles a tree for every query
 * and passes each through several promise hops; for the dozen short statements of one
 * journey transition that cost more than running them. Here the SQL text is fixed, so on
 * SQLite it is prepared once per handle (src/db/prepared-statements.ts), and on PostgreSQL
 * once per connection, by name (`preparedNameOf`).
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
import { CompiledQuery, type DatabaseConnection, type Kysely } from 'kysely';
import { preparedStatementsOf } from './prepared-statements.ts';
import type { Database } from './schema.ts';

/** Runs fixed SQL inside one transaction. */
export interface DirectSql {
  /** The store the statements run on: a caller may fold several statements into one where round trips cost (PostgreSQL). */
  dialect: 'sqlite' | 'postgres';
  /** Every row. */
  all<R>(text: string, params: readonly unknown[]): Promise<R[]>;
  /** The first row, or undefined. */
  get<R>(text: string, params: readonly unknown[]): Promise<R | undefined>;
  /** A write; answers how many rows it changed. */
  run(text: string, params: readonly unknown[]): Promise<number>;
  /**
   * A write whose answer the caller does not need (it must not fail but for a fault). Here
   * it is `run`; inside an engine unit on PostgreSQL it may be queued on the unit's
   * connection without waiting for it: later statements of the transaction still run after
   * it, and the engine waits for it, and answers for its failure, before the commit.
   */
  send(text: string, params: readonly unknown[]): Promise<void>;
}

const pgText = new Map<string, string>();
/** PostgreSQL text → the name it is prepared under on each connection. */
const preparedNames = new Map<string, string>();

/** `?` placeholders as PostgreSQL's numbered ones (cached per text). */
function numbered(text: string): string {
  let out = pgText.get(text);
  if (out === undefined) {
    let n = 0;
    out = text.replace(/\?/g, () => `$${++n}`);
    pgText.set(text, out);
    // Prepared by name: PostgreSQL parses and plans it once per connection instead of on
    // every call. Not a `select *`: a column added by a later migration would change its
    // result type, which a prepared statement refuses.
    if (!out.includes('*')) preparedNames.set(out, `pw_${preparedNames.size + 1}`);
  }
  return out;
}

/**
 * The name a PostgreSQL statement text is prepared under, if it is one of the fixed
 * statements run here (the store's pool runs those as named prepared statements:
 * database.ts).
 */
export function preparedNameOf(text: string): string | undefined {
  return preparedNames.get(text);
}

/**
 * Direct statements on `trx` (PostgreSQL) or on `sqlite` (SQLite, inside an engine unit).
 * With `link` (PostgreSQL: the transaction's own connection, as the engine's runner holds
 * it) a statement goes to the connection at once rather than through Kysely, which lets a
 * connection run one query at a time: the pool's connections pipeline (database.ts), so
 * statements sent together travel together and PostgreSQL answers them in order.
 */
export function directSql(trx: Kysely<Database>, sqlite: SqliteDatabase.Database | null, link: DatabaseConnection | null = null): DirectSql {
  if (sqlite) {
    const statements = preparedStatementsOf(sqlite);
    return {
      dialect: 'sqlite',
      // async, so a failing statement rejects like a Kysely query instead of throwing.
      all: async <R>(text: string, params: readonly unknown[]) => statements.get(text).all(...params) as R[],
      get: async <R>(text: string, params: readonly unknown[]) => statements.get(text).get(...params) as R | undefined,
      run: async (text, params) => statements.get(text).run(...params).changes,
      send: async (text, params) => void statements.get(text).run(...params),
    };
  }
  const on = link ?? trx;
  const execute = <R>(text: string, params: readonly unknown[]) => on.executeQuery<R>(CompiledQuery.raw(numbered(text), [...params]));
  return {
    dialect: 'postgres',
    all: async <R>(text: string, params: readonly unknown[]) => (await execute<R>(text, params)).rows,
    get: async <R>(text: string, params: readonly unknown[]) => (await execute<R>(text, params)).rows[0],
    run: async (text, params) => Number((await execute(text, params)).numAffectedRows ?? 0),
    send: async (text, params) => void (await execute(text, params)),
  };
}
