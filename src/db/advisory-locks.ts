/**
 * The advisory locks Pathways takes on PostgreSQL, one key per purpose. Each is taken as a
 * pair of integers, the purpose's key and a hash of the schema, so deployments (and test
 * runs) in other schemas of one database never wait on each other's locks: a measures
 * rebuild in one schema does not stall the writers of another.
 */
import { sql, type RawBuilder } from 'kysely';

export const ADVISORY_LOCKS = {
  /** Creating the migrations table and applying migrations (start-up). */
  migrate: 7031001,
  /** The event log: engine units hold it shared; a writer that must see none in flight takes it exclusively. */
  eventLog: 7031002,
  /** Creating the first administrator on an empty database (start-up). */
  bootstrap: 7031003,
  /** The chain sealer, tried, so one node seals at a time. */
  chainSeal: 7031004,
  /** The fold of appended counter rows, tried, so one node folds at a time. */
  counterFold: 7031005,
} as const;

export type AdvisoryLock = keyof typeof ADVISORY_LOCKS;

/** The lock's arguments as SQL text, `key, hashtext(current_schema())`, for raw statements. */
export function advisoryLockArgs(lock: AdvisoryLock): string {
  return `${ADVISORY_LOCKS[lock]}, hashtext(current_schema())`;
}

/** The lock's arguments for a Kysely `sql` template. */
export function advisoryLock(lock: AdvisoryLock): RawBuilder<unknown> {
  return sql.raw(advisoryLockArgs(lock));
}
