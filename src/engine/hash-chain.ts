/**
 * The event log is one hash chain across all streams: each row stores the hash of the row
 * before it (`prev_hash`) and its own hash over every field a reader relies on. Editing a
 * row breaks its own hash; deleting or reordering rows breaks the next row's `prev_hash`.
 * `verifyChain` walks the log in `seq` order and names the first broken link.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, EventRow } from '../db/schema.ts';

/** The `prev_hash` of the first event ever logged. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an event row that its hash covers (everything but `seq` and `hash`). */
export type HashedEventFields = Pick<
  EventRow,
  | 'stream_type'
  | 'stream_id'
  | 'stream_version'
  | 'type'
  | 'payload'
  | 'from_state'
  | 'to_state'
  | 'user_id'
  | 'agency_id'
  | 'recorded_at'
  | 'effective_at'
  | 'backdate_reason'
>;

/**
 * sha256 (hex) of the row chained to `prevHash`. The serialisation is a JSON array in a
 * fixed field order, so it does not depend on key order or on the store's column order.
 */
export function eventHash(prevHash: string, row: HashedEventFields): string {
  const canonical = JSON.stringify([
    row.stream_type,
    row.stream_id,
    Number(row.stream_version),
    row.type,
    row.payload,
    row.from_state ?? null,
    row.to_state,
    row.user_id ?? null,
    row.agency_id ?? null,
    row.recorded_at,
    row.effective_at,
    row.backdate_reason ?? null,
    prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The outcome of walking the chain. */
export type ChainReport =
  | {
      ok: true;
      /** Rows read, `unsealed` of them included. */
      rowsChecked: number;
      lastSeq: number | null;
      /** The hash of the newest sealed row. */
      headHash: string;
      /**
       * PostgreSQL: the newest rows, committed but not yet chained by the sealer (a running
       * node seals them within a second; see chain-sealer.ts). Always 0 on SQLite.
       */
      unsealed: number;
    }
  | {
      ok: false;
      rowsChecked: number;
      /** The first row whose link is broken. */
      brokenSeq: number;
      /**
       * `hash_mismatch`: the row's content no longer matches its hash (edited).
       * `prev_mismatch`: the row does not follow the one before it (a row was deleted,
       * inserted or reordered, or an unsealed row sits among sealed ones).
       */
      reason: 'hash_mismatch' | 'prev_mismatch';
      expected: string;
      found: string;
    };

type Broken = Extract<ChainReport, { ok: false }>;

/**
 * Walks the whole event log in `seq` order, a page at a time (memory stays flat on
 * millions of rows), and reports the first broken link. Rows not yet sealed (PostgreSQL)
 * must all come after the sealed ones; they are read in one statement, so a seal made
 * while walking cannot make a sealed row seem to follow an unsealed one.
 */
export async function verifyChain(db: Kysely<Database>, options: { pageSize?: number } = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 5000;
  let prev = GENESIS_HASH;
  let lastSeq: number | null = null;
  let rowsChecked = 0;
  let unsealed = 0;

  const check = (row: EventRow): Broken | null => {
    const seq = Number(row.seq);
    if (row.hash === null || unsealed > 0) {
      if (row.hash !== null || row.prev_hash !== null) {
        return { ok: false, rowsChecked, brokenSeq: seq, reason: 'prev_mismatch', expected: 'unsealed, after an unsealed row', found: row.prev_hash ?? 'null' };
      }
      unsealed += 1;
    } else {
      if (row.prev_hash !== prev) return { ok: false, rowsChecked, brokenSeq: seq, reason: 'prev_mismatch', expected: prev, found: row.prev_hash ?? 'null' };
      const hash = eventHash(prev, row);
      if (hash !== row.hash) return { ok: false, rowsChecked, brokenSeq: seq, reason: 'hash_mismatch', expected: hash, found: row.hash };
      prev = row.hash;
    }
    rowsChecked += 1;
    lastSeq = seq;
    return null;
  };

  for (;;) {
    let query = db.selectFrom('events').selectAll().orderBy('seq').limit(pageSize);
    if (lastSeq !== null) query = query.where('seq', '>', lastSeq);
    const rows = await query.execute();
    for (const row of rows) {
      if (row.hash === null) {
        // The unsealed tail, and anything sealed since this page was read, in one snapshot.
        const rest = await db.selectFrom('events').selectAll().where('seq', '>=', Number(row.seq)).orderBy('seq').execute();
        for (const r of rest) {
          const broken = check(r);
          if (broken) return broken;
        }
        return { ok: true, rowsChecked, lastSeq, headHash: prev, unsealed };
      }
      const broken = check(row);
      if (broken) return broken;
    }
    if (rows.length < pageSize) return { ok: true, rowsChecked, lastSeq, headHash: prev, unsealed };
  }
}
