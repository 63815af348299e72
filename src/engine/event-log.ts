/**
 * Appends to the event log. The log is one hash chain, so appends must be serialised:
 * SQLite has a single writer already; on PostgreSQL the appending transaction takes a
 * transaction-scoped advisory lock, released at commit or rollback.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { DirectSql } from '../db/direct-sql.ts';
import type { Database, EventRow } from '../db/schema.ts';
import { GENESIS_HASH, eventHash, type HashedEventFields } from './hash-chain.ts';

/** The advisory lock key that serialises event-log appends on PostgreSQL ("PWEVENTS"). */
export const EVENT_LOG_LOCK_KEY = 7031002;

/** The PostgreSQL channel notified by every commit that appended events (src/live/log-tail.ts listens). */
export const EVENT_LOG_CHANNEL = 'pathways_events';

/**
 * Takes the event-log lock for the rest of the transaction (PostgreSQL only; a no-op on
 * SQLite). The engine takes it before its first write so every writer locks in the same
 * order — log first, then rows — and two writers cannot deadlock.
 */
export async function lockEventLog(trx: Kysely<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${EVENT_LOG_LOCK_KEY})`.execute(trx);
}

/** The hash of the newest event, or the genesis hash for an empty log. */
export async function headHash(db: DirectSql): Promise<string> {
  const last = await db.get<{ hash: string }>('select hash from events order by seq desc limit 1', []);
  return last?.hash ?? GENESIS_HASH;
}

const INSERT_EVENT =
  'insert into events (stream_type, stream_id, stream_version, type, payload, from_state, to_state, user_id, agency_id, recorded_at, effective_at, backdate_reason, prev_hash, hash) ' +
  'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning seq';

/**
 * The chain head as a transaction last wrote it, so a batch of appends reads it once.
 * Whoever rolls back (part of) the transaction must reset `hash` to null.
 */
export interface ChainHead {
  hash: string | null;
}

/**
 * Appends one event chained to the current head. Call inside a transaction that holds
 * the event-log lock (`lockEventLog`).
 */
export async function appendEvent(db: DirectSql, fields: HashedEventFields, head?: ChainHead): Promise<EventRow> {
  const prev = head?.hash ?? (await headHash(db));
  const hash = eventHash(prev, fields);
  const f = fields;
  const inserted = await db.get<{ seq: number | string }>(INSERT_EVENT, [
    f.stream_type,
    f.stream_id,
    f.stream_version,
    f.type,
    f.payload,
    f.from_state,
    f.to_state,
    f.user_id,
    f.agency_id,
    f.recorded_at,
    f.effective_at,
    f.backdate_reason,
    prev,
    hash,
  ]);
  if (head) head.hash = hash;
  return { seq: Number(inserted!.seq), ...fields, prev_hash: prev, hash };
}
