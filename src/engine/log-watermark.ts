/**
 * How far the PostgreSQL event log can be read in `seq` order without ever skipping a row
 * that commits late.
 *
 * Writers take `seq` from a sequence without a lock, so units commit out of `seq` order: a
 * reader that has seen row 12 may not yet see row 11, whose transaction is still running —
 * or rolled back, leaving a hole for good. A reader (the chain sealer, the live log tail)
 * therefore takes only the prefix of rows up to the first hole, and passes a hole once it
 * is settled: when it first sees a hole it notes the snapshot's `xmax` (the first
 * transaction id not yet given out); once a later snapshot's `xmin` (the oldest
 * transaction still running) has reached that `xmax`, every transaction that could own the
 * missing rows has ended, so rows that are still missing will never appear.
 *
 * Why that holds: the row after the hole was committed before the first snapshot, so the
 * missing `seq`s were drawn before it; the engine gives each batch its transaction id
 * before it draws any `seq` (unit-runner.ts), so their owners' ids are below that `xmax`.
 * `seq` order is also each stream's version order (a stream's next event is written only
 * after the row lock of the one before is released by its commit), so the prefix keeps
 * every journey's events in order.
 */

import { columnList } from '../db/column-list.ts';
import type { EventTable } from '../db/schema.ts';

/** The snapshot a page of rows was read in (`pg_snapshot_xmin` / `pg_snapshot_xmax` of `pg_current_snapshot()`). */
export interface SnapshotBounds {
  xmin: bigint;
  xmax: bigint;
}

/**
 * Columns to add to a query over `events` so each row carries the statement's snapshot
 * bounds (read them back with `boundsOf`).
 */
export const SNAPSHOT_COLUMNS =
  'pg_snapshot_xmin(pg_current_snapshot())::text as snap_xmin, pg_snapshot_xmax(pg_current_snapshot())::text as snap_xmax';

/** Every column of `events`, for a read that PostgreSQL keeps prepared (column-list.ts). */
export const EVENT_COLUMNS = columnList<EventTable>()([
  'seq', 'stream_type', 'stream_id', 'stream_version', 'type', 'payload', 'from_state', 'to_state',
  'user_id', 'agency_id', 'recorded_at', 'effective_at', 'backdate_reason', 'prev_hash', 'hash',
]);

/** The snapshot bounds carried by a row read with `SNAPSHOT_COLUMNS`. */
export function boundsOf(row: { snap_xmin: string; snap_xmax: string }): SnapshotBounds {
  return { xmin: BigInt(row.snap_xmin), xmax: BigInt(row.snap_xmax) };
}

/** The holes one reader has seen, and when. */
export class LogWatermark {
  /** First missing `seq` of a hole → the `xmax` of the snapshot it was first seen in. */
  private readonly holes = new Map<number, bigint>();

  /**
   * The rows (read in `seq` order after `after`, all in one snapshot `bounds`) that may be
   * taken now: everything up to the first hole not yet settled.
   */
  safePrefix<R extends { seq: number | string }>(after: number, rows: readonly R[], bounds: SnapshotBounds): R[] {
    let expected = after + 1;
    let taken = 0;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq > expected) {
        const seenAt = this.holes.get(expected);
        if (seenAt === undefined) {
          this.holes.set(expected, bounds.xmax);
          break;
        }
        if (bounds.xmin < seenAt) break;
      }
      taken += 1;
      expected = seq + 1;
    }
    for (const first of this.holes.keys()) if (first < expected) this.holes.delete(first);
    return rows.slice(0, taken);
  }

  /** Whether a hole is holding the reader back (so it should look again soon, without waiting for a commit). */
  get waiting(): boolean {
    return this.holes.size > 0;
  }
}
