/**
 * Writes generated batches, each in one transaction, continuing the event log's hash
 * chain from its current head (read inside the transaction, so a running server's events
 * and the seed's interleave safely between batches).
 *
 * SQLite: prepared statements on the raw better-sqlite3 handle — no query building per
 * row. PostgreSQL: multi-row inserts in chunks under the event-log advisory lock the
 * engine takes, so no engine append can slip into the middle of a seeded batch.
 */
import { sql, type Kysely } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { Store } from '../../src/db/database.ts';
import type { Database } from '../../src/db/schema.ts';
import { lockEventLog } from '../../src/engine/event-log.ts';
import { sealAllLocked } from '../../src/engine/chain-sealer.ts';
import { GENESIS_HASH, eventHash } from '../../src/engine/hash-chain.ts';
import type { CohortBatch } from './cohort-batch.ts';

/** Writes one batch atomically. */
export type BatchWriter = (batch: CohortBatch) => Promise<void>;

const COLUMNS = {
  people: ['id', 'given_name', 'family_name', 'date_of_birth', 'sex', 'ethnicity', 'postcode_district', 'details', 'created_by_agency_id', 'created_at'],
  cases: ['id', 'person_id', 'lead_agency_id', 'keyworker_id', 'machine_version', 'stage', 'state_value', 'snapshot', 'version', 'referral_source', 'referred_on', 'stage_entered_at', 'opened_at', 'closed_at', 'updated_at', 'overdue'],
  referrals: ['id', 'person_id', 'case_id', 'from_agency_id', 'from_user_id', 'to_agency_id', 'kind', 'reason', 'urgency', 'machine_version', 'state', 'snapshot', 'version', 'acknowledge_by', 'first_contact_by', 'safeguarding_override', 'created_at', 'updated_at'],
  consents: ['id', 'person_id', 'to_agency_id', 'to_agency_kind', 'categories', 'purpose', 'given_on', 'valid_until', 'recorded_by', 'recorded_at', 'withdrawn_at', 'withdrawn_by', 'withdrawal_reason'],
  events: ['stream_type', 'stream_id', 'stream_version', 'type', 'payload', 'from_state', 'to_state', 'user_id', 'agency_id', 'recorded_at', 'effective_at', 'backdate_reason', 'prev_hash', 'hash'],
  timers: ['id', 'stream_type', 'stream_id', 'timer_key', 'event', 'due_at', 'created_at', 'status', 'fired_at', 'claimed_by', 'claimed_until'],
  audit_log: ['id', 'at', 'user_id', 'agency_id', 'action', 'person_id', 'entity_type', 'entity_id', 'purpose', 'detail', 'flagged'],
} as const;

type Table = keyof typeof COLUMNS;

/** Rows of each table of a batch, in foreign-key order, with hashes added to the events. */
function* tablesOf(batch: CohortBatch, head: { hash: string }): Generator<[Table, Array<Record<string, unknown>>]> {
  yield ['people', batch.people];
  yield ['cases', batch.cases];
  yield ['referrals', batch.referrals];
  yield ['consents', batch.consents];
  const events: Array<Record<string, unknown>> = [];
  for (const e of batch.events) {
    const hash = eventHash(head.hash, e);
    events.push({ ...e, prev_hash: head.hash, hash });
    head.hash = hash;
  }
  yield ['events', events];
  yield ['timers', batch.timers];
  yield ['audit_log', batch.audit];
}

/** A writer for the store's dialect. */
export function createBatchWriter(store: Store): BatchWriter {
  return store.sqlite ? sqliteWriter(store.sqlite) : postgresWriter(store.db);
}

function sqliteWriter(handle: SqliteDatabase.Database): BatchWriter {
  const statements = new Map<Table, SqliteDatabase.Statement>();
  for (const [table, columns] of Object.entries(COLUMNS) as Array<[Table, readonly string[]]>) {
    statements.set(table, handle.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`));
  }
  const headQuery = handle.prepare('select hash from events order by seq desc limit 1');
  const write = handle.transaction((batch: CohortBatch) => {
    const last = headQuery.get() as { hash: string } | undefined;
    const head = { hash: last?.hash ?? GENESIS_HASH };
    for (const [table, rows] of tablesOf(batch, head)) {
      const statement = statements.get(table)!;
      const columns = COLUMNS[table];
      for (const row of rows) statement.run(columns.map((c) => row[c] ?? null));
    }
  });
  // `immediate` takes the write lock up front, as the engine's own transactions do.
  return async (batch) => {
    write.immediate(batch);
  };
}

// PostgreSQL allows 65,535 bind parameters per statement.
const PG_PARAMS = 60_000;

function postgresWriter(db: Kysely<Database>): BatchWriter {
  return async (batch) => {
    await db.transaction().execute(async (trx) => {
      await lockEventLog(trx, 'postgres');
      // No engine unit is in flight now: chain what they left unsealed, then continue the chain.
      await sealAllLocked(trx);
      const last = await trx.selectFrom('events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const head = { hash: last?.hash ?? GENESIS_HASH };
      for (const [table, rows] of tablesOf(batch, head)) {
        const columns = COLUMNS[table];
        const perStatement = Math.floor(PG_PARAMS / columns.length);
        for (let i = 0; i < rows.length; i += perStatement) {
          const chunk = rows.slice(i, i + perStatement);
          const values = sql.join(chunk.map((row) => sql`(${sql.join(columns.map((c) => row[c] ?? null))})`));
          await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${values}`.execute(trx);
        }
      }
    });
  };
}
