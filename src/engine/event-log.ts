/**
 * Appends to the event log, which is one hash chain. SQLite has a single writer, so each
 * event is chained as it is written. On PostgreSQL the engine's writers append without a
 * lock on the chain and leave `prev_hash` and `hash` null; the chain sealer writes them
 * shortly after commit, in `seq` order (chain-sealer.ts). Engine units hold the event-log
 * advisory lock in shared mode only, so a writer that must see no unit in flight (the
 * cohort seeder, a measures rebuild) takes it exclusively.
 */
import { sql, type Kysely } from 'kysely';
import { advisoryLock } from '../db/advisory-locks.ts';
import type { Dialect } from '../db/database.ts';
import type { DirectSql } from '../db/direct-sql.ts';
import type { Database, EventRow } from '../db/schema.ts';
import { GENESIS_HASH, eventHash, type HashedEventFields } from './hash-chain.ts';

/** The PostgreSQL channel notified by every commit that appended events (src/live/log-tail.ts listens). */
export const EVENT_LOG_CHANNEL = 'pathways_events';

/**
 * Takes the event-log lock exclusively for the rest of the transaction (PostgreSQL only; a
 * no-op on SQLite): it waits for every engine unit in flight (they hold it shared) and
 * keeps new ones out until commit.
 */
export async function lockEventLog(trx: Kysely<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${advisoryLock('eventLog')})`.execute(trx);
}

/** The hash of the newest event, or the genesis hash for an empty log. */
async function headHash(db: DirectSql): Promise<string> {
  const last = await db.get<{ hash: string | null }>('select hash from events order by seq desc limit 1', []);
  if (last && last.hash === null) throw new Error('The newest event is not sealed yet: seal the chain (sealAllLocked) before chaining events onto it.');
  return last?.hash ?? GENESIS_HASH;
}

const INSERT_UNSEALED =
  'insert into events (stream_type, stream_id, stream_version, type, payload, from_state, to_state, user_id, agency_id, recorded_at, effective_at, backdate_reason) ' +
  'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning seq';

/** An event's column values in the order of the insert statements, before the chain's two. */
function eventValues(f: HashedEventFields): unknown[] {
  return [
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
  ];
}

/**
 * Appends one event for the chain sealer to chain after commit (PostgreSQL's engine units).
 * Its `prev_hash` and `hash` are null until then.
 */
export async function appendUnsealedEvent(db: DirectSql, fields: HashedEventFields): Promise<EventRow> {
  const inserted = await db.get<{ seq: number | string }>(INSERT_UNSEALED, eventValues(fields));
  return { seq: Number(inserted!.seq), ...fields, prev_hash: null, hash: null };
}

/** A pending timer's row as the API reads it (`timers`, soonest first). */
export interface PendingTimerRow {
  timer_key: string;
  event: string;
  due_at: string;
}

/**
 * The stream row's guarded update and the event's insert as one statement (PostgreSQL: one
 * round trip instead of two). `update` is the row's `update … where id = ? and version = ?`;
 * the event is inserted only if it changed a row, so no `seq` back means the writer lost the
 * race for that version (and nothing was written). The same statement reads the stream's
 * pending timers as the transaction left them before this transition's own timer writes
 * (which come after it), so a caller that shows them needs no read of its own.
 */
function updateThenInsertText(update: string, reads: readonly string[]): string {
  const casts = ['text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'].map((t) => `?::${t}`).join(', ');
  return (
    `with changed as (${update} returning 1), logged as (` +
    'insert into events (stream_type, stream_id, stream_version, type, payload, from_state, to_state, user_id, agency_id, recorded_at, effective_at, backdate_reason) ' +
    `select ${casts} where exists (select 1 from changed) returning seq) ` +
    'select (select seq from logged) as seq, (select coalesce(json_agg(json_build_object(' +
    "'timer_key', t.timer_key, 'event', t.event, 'due_at', t.due_at) order by t.due_at), '[]'::json) " +
    "from timers t where t.stream_type = ?::text and t.stream_id = ?::text and t.status = 'pending') as timers" +
    reads.map((r, i) => `, (${r}) as read_${i}`).join('')
  );
}

const updateThenInsert = new Map<string, { text: string; idParams: number }>();

/**
 * Runs a stream row's guarded `update` (PostgreSQL) and appends the event for the chain
 * sealer in the same statement; null (nothing written) when the update changed no row.
 * `pending` is the stream's pending timers before this transition's own timer writes;
 * `read` the values of `reads` (hooks' `readWithWrite` expressions, each `?` the stream's id).
 */
export async function updateAndAppendUnsealed(
  db: DirectSql,
  update: string,
  updateParams: readonly unknown[],
  fields: HashedEventFields,
  reads: readonly string[] = [],
): Promise<{ event: EventRow; pending: PendingTimerRow[]; read: unknown[] } | null> {
  const key = reads.length === 0 ? update : [update, ...reads].join('\u0000');
  let statement = updateThenInsert.get(key);
  if (statement === undefined) {
    statement = { text: updateThenInsertText(update, reads), idParams: reads.reduce((n, r) => n + (r.match(/\?/g)?.length ?? 0), 0) };
    updateThenInsert.set(key, statement);
  }
  const params = [...updateParams, ...eventValues(fields), fields.stream_type, fields.stream_id];
  for (let i = 0; i < statement.idParams; i++) params.push(fields.stream_id);
  const row = await db.get<{ seq: number | string | null; timers: PendingTimerRow[] } & Record<string, unknown>>(statement.text, params);
  if (row?.seq === null || row?.seq === undefined) return null;
  return { event: { seq: Number(row.seq), ...fields, prev_hash: null, hash: null }, pending: row.timers, read: reads.map((_, i) => row[`read_${i}`]) };
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
 * the event-log lock (`lockEventLog`; on PostgreSQL, with the chain sealed first).
 */
export async function appendEvent(db: DirectSql, fields: HashedEventFields, head?: ChainHead): Promise<EventRow> {
  const prev = head?.hash ?? (await headHash(db));
  const hash = eventHash(prev, fields);
  const inserted = await db.get<{ seq: number | string }>(INSERT_EVENT, [...eventValues(fields), prev, hash]);
  if (head) head.hash = hash;
  return { seq: Number(inserted!.seq), ...fields, prev_hash: prev, hash };
}
