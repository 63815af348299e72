/**
 * Opens the store named by a URL (`DATABASE_URL` for the command line; see `parseDatabaseUrl`)
 * as a Kysely instance.
 *
 * SQLite runs in WAL mode with `synchronous=FULL`: these are care records, and a commit
 * the caller was told about must survive a power cut.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { parseDatabaseUrl, type StoreConfig } from '../config.ts';
import { preparedNameOf } from './direct-sql.ts';
import { GuardedDialect } from './guarded-dialect.ts';
import { preparedHandleForKysely } from './prepared-statements.ts';
import type { Database } from './schema.ts';
import { UnitGuard } from './unit-guard.ts';

export type Dialect = StoreConfig['dialect'];

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  config: StoreConfig;
  /** The underlying better-sqlite3 handle (SQLite only), for pragmas and benchmarks. */
  sqlite: SqliteDatabase.Database | null;
  /** Marks the engine's units of work so `db` (and the engine) refuse calls from inside one (src/db/unit-guard.ts). */
  unitGuard: UnitGuard;
  /** The PostgreSQL pool's counts (connections, idle, callers waiting), for operators; null on SQLite. */
  poolStats: (() => { total: number; idle: number; waiting: number }) | null;
  /**
   * Tells `listener` how long (seconds) each caller waited for a PostgreSQL connection from
   * the pool, for operators; returns a function that stops it. Null on SQLite.
   */
  onPoolWait: ((listener: (seconds: number) => void) => () => void) | null;
  /** The most PostgreSQL connections the pool opens (`PATHWAYS_PG_POOL`); 1 on SQLite (one handle). */
  poolSize: number;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT and NUMERIC as strings; every such column here fits a JS number.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** How a store is opened, beyond its URL. */
export interface StoreOptions {
  /** PostgreSQL connections in the pool (default 10). */
  pgPoolSize?: number;
}

/** Opens a store from a URL (undefined: the embedded default, SQLite at `./data/pathways.db`). */
export async function openStore(url: string | undefined, options: StoreOptions = {}): Promise<Store> {
  const config = parseDatabaseUrl(url);
  if (config.dialect === 'sqlite') return openSqlite(config);
  return openPostgres(config, options.pgPoolSize ?? 10);
}

function openSqlite(config: Extract<StoreConfig, { dialect: 'sqlite' }>): Store {
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  const sqlite = new SqliteDatabase(config.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const unitGuard = new UnitGuard();
  const db = new Kysely<Database>({ dialect: new GuardedDialect(new SqliteDialect({ database: preparedHandleForKysely(sqlite) }), unitGuard) });
  return {
    db,
    dialect: 'sqlite',
    config,
    sqlite,
    unitGuard,
    poolStats: null,
    onPoolWait: null,
    poolSize: 1,
    close: () => db.destroy(),
  };
}

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Runs the engine's fixed statements (direct-sql.ts) on `client` as named prepared
 * statements: Kysely hands every query to `client.query(text, values)`, and a text with a
 * prepared name goes as `{name, text, values}` instead, so PostgreSQL parses and plans it
 * once per connection.
 *
 * A text of several statements without parameters travels in one round trip (the simple
 * query protocol) and pg answers with one result per statement, which Kysely would read as
 * no rows: it answers with the last statement's result instead, so `begin; select …` gives
 * the select's rows.
 */
function prepareFixedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (config, values, callback) => {
    if (typeof config !== 'string' || !Array.isArray(values)) return query(config, values, callback);
    const name = preparedNameOf(config);
    if (name && callback === undefined) {
      // Built from the text and named after: a `{ name, text, values }` config would be
      // copied property by property (node-postgres's cloneQueryConfig), 1–2% of a
      // transition's CPU.
      return new Promise((resolve, reject) => {
        const named = new pg.Query(config, values, (err: Error | undefined, result: unknown) => (err ? reject(err) : resolve(result)));
        (named as unknown as { name: string }).name = name;
        query(named);
      });
    }
    if (name) return query({ name, text: config, values }, callback);
    if (values.length > 0 || callback !== undefined || !config.includes(';')) return query(config, values, callback);
    return (query(config, values) as Promise<pg.QueryResult | pg.QueryResult[]>).then((result) => (Array.isArray(result) ? result[result.length - 1] : result));
  };
}

async function openPostgres(config: Extract<StoreConfig, { dialect: 'postgres' }>, poolSize: number): Promise<Store> {
  const { schema } = config;
  if (schema) {
    // Create the schema with a short-lived client so the pool's connections can all
    // start with it on their search_path.
    const client = new pg.Client({ connectionString: config.connectionString });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await client.end();
    }
  }
  // `pipeline` (node-postgres's pipeline mode, not yet in its types): each statement goes
  // out as soon as it is asked for, without waiting for the answers before it; PostgreSQL
  // answers in order. The engine's runner sends a batch's statements so (unit-runner.ts);
  // Kysely still waits for each of its own.
  const poolConfig: pg.PoolConfig & { pipeline: boolean } = {
    connectionString: config.connectionString,
    max: poolSize,
    pipeline: true,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  };
  const pool = new pg.Pool(poolConfig);
  pool.on('connect', prepareFixedStatements);
  // Every connection Kysely takes, timed from asking to having it (a new connection's set-up counts).
  const waitListeners: Array<(seconds: number) => void> = [];
  const timedPool = {
    async connect() {
      const asked = performance.now();
      const client = await pool.connect();
      const seconds = (performance.now() - asked) / 1000;
      for (const listener of waitListeners) listener(seconds);
      return client;
    },
    end: () => pool.end(),
  };
  const unitGuard = new UnitGuard();
  const db = new Kysely<Database>({ dialect: new GuardedDialect(new PostgresDialect({ pool: timedPool }), unitGuard) });
  await sql`select 1`.execute(db);
  return {
    db,
    dialect: 'postgres',
    config,
    sqlite: null,
    unitGuard,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    onPoolWait(listener) {
      waitListeners.push(listener);
      return () => {
        const i = waitListeners.indexOf(listener);
        if (i >= 0) waitListeners.splice(i, 1);
      };
    },
    poolSize,
    close: () => db.destroy(),
  };
}
