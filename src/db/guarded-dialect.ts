/**
 * A Kysely dialect that asks the store's `UnitGuard` before handing out a connection, so
 * `store.db` used inside one of the engine's units fails at once (src/db/unit-guard.ts).
 * Queries on a transaction (`tx.trx`, a hook's `trx`) never ask for a connection — Kysely
 * keeps them on the transaction's own — so only the store-wide `db` is checked.
 */
import type { DatabaseConnection, DatabaseIntrospector, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler, TransactionSettings } from 'kysely';
import type { UnitGuard } from './unit-guard.ts';

/** Use inside a unit instead of `store.db`. */
const INSTEAD = 'tx.trx or tx.sql (in a hook, the trx and sql it is given)';

class GuardedDriver implements Driver {
  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  constructor(
    private readonly inner: Driver,
    private readonly guard: UnitGuard,
  ) {
    // Kysely asks whether a driver supports savepoints by looking for these methods.
    if (inner.savepoint) this.savepoint = inner.savepoint.bind(inner);
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
    if (inner.releaseSavepoint) this.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    const refused = this.guard.refusal('store.db', INSTEAD);
    if (refused) return Promise.reject(refused);
    return this.inner.acquireConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** `inner` with every connection it hands out checked against `guard`. */
export class GuardedDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly guard: UnitGuard,
  ) {}

  createDriver(): Driver {
    return new GuardedDriver(this.inner.createDriver(), this.guard);
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}
