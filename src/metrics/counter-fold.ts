/**
 * The fold of appended counter changes on PostgreSQL. A serving node's commits append their
 * counter changes to `metric_day_deltas` (counter-store.ts) instead of adding them to the
 * shared day-block rows, which a commit held locked through its WAL flush: two nodes' (or
 * one node's concurrent) batches then took turns on the same few rows. Every node folds the
 * appended rows into the blocks about once a second; whichever takes the fold's advisory
 * lock first folds every row committed by then, in one statement (counter-store.ts says why
 * not fewer), and the others skip that round. A row is deleted and added to the blocks in
 * that statement, so it is folded exactly once. The counters' readers add the rows not folded yet (count-reader.ts), so a figure
 * never waits for the fold. A rebuild (rebuild.ts) holds the event-log lock exclusively,
 * which the fold takes shared: the two never interleave.
 */
import { sql, type Kysely } from 'kysely';
import { advisoryLock } from '../db/advisory-locks.ts';
import type { Database } from '../db/schema.ts';
import { foldAppendedCounters } from './counter-store.ts';

export interface CounterFoldOptions {
  /** How long to wait after a round before the next (ms, default 1000). */
  everyMs?: number;
}

/**
 * Folds every appended row committed by now, unless another node is folding (then returns
 * at once). Returns the number of rows folded.
 */
export async function foldCounterDeltas(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${advisoryLock('counterFold')}) as ok, pg_advisory_xact_lock_shared(${advisoryLock('eventLog')})`.execute(trx);
    return rows[0]?.ok ? foldAppendedCounters(trx) : 0;
  });
}

export interface CounterFold {
  /** Stops folding after the round in progress, then folds what is left once more. */
  stop(): Promise<void>;
}

/**
 * Folds `everyMs` after each round ends, until stopped (PostgreSQL). A failed round is
 * reported to `onError` and the next one tries again.
 */
export function startCounterFold(db: Kysely<Database>, onError: (err: unknown) => void, options: CounterFoldOptions = {}): CounterFold {
  const everyMs = options.everyMs ?? 1000;
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const schedule = (): void => {
    timer = setTimeout(() => {
      round = foldCounterDeltas(db)
        .then(() => undefined, onError)
        .then(() => {
          if (!stopped) schedule();
        });
    }, everyMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
      await foldCounterDeltas(db);
    },
  };
}
