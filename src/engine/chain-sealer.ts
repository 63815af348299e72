/**
 * PostgreSQL: writes each event's place in the hash chain shortly after its commit.
 *
 * Writers on PostgreSQL append events without a lock and leave `prev_hash` and `hash` null
 * (event-log.ts); the chain is then sealed here in `seq` order, by one sealer at a time
 * (a transaction-scoped advisory lock, tried, so any node may seal and the others skip),
 * up to the first hole in `seq` that could still fill (log-watermark.ts). The chain
 * `audit verify` walks is the same as SQLite's: every row chained to the one before it in
 * `seq` order, holes left by rolled-back units skipped.
 *
 * Why not chain at write time, as SQLite does: that needs the newest hash, so every writer
 * held one lock from its first append through its commit, and units on every node took
 * turns (measured at 300 transitions/s offered: 138/s achieved, p50 5.4 s). Sealing later
 * costs one short transaction per pass for all the events committed since the last.
 */
import { sql, type Kysely } from 'kysely';
import { advisoryLock } from '../db/advisory-locks.ts';
import type { Database, EventRow } from '../db/schema.ts';
import { GENESIS_HASH, eventHash } from './hash-chain.ts';
import { LogWatermark, SNAPSHOT_COLUMNS, boundsOf } from './log-watermark.ts';

const PAGE = 2000;
/** Looks at a hole within one pass before leaving it to the next. */
const HOLE_LOOKS = 20;

type SnapshotRow = EventRow & { snap_xmin: string; snap_xmax: string };

/**
 * Seals one page inside `trx`, which holds the sealer lock: the rows after the last sealed
 * one that `watermark` lets through (all of them when `watermark` is null: the caller knows
 * no writer is in flight). Answers how many rows it sealed.
 */
async function sealPage(trx: Kysely<Database>, watermark: LogWatermark | null): Promise<number> {
  const head = (await sql<{ seq: number; hash: string }>`select seq, hash from events where hash is not null order by seq desc limit 1`.execute(trx)).rows[0];
  const after = Number(head?.seq ?? 0);
  const rows = (await sql<SnapshotRow>`select *, ${sql.raw(SNAPSHOT_COLUMNS)} from events where seq > ${after} order by seq limit ${PAGE}`.execute(trx)).rows;
  const take = watermark && rows[0] ? watermark.safePrefix(after, rows, boundsOf(rows[0])) : rows;
  if (take.length === 0) return 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const seqs: number[] = [];
  const prevs: string[] = [];
  const hashes: string[] = [];
  for (const row of take) {
    const hash = eventHash(prev, row);
    seqs.push(Number(row.seq));
    prevs.push(prev);
    hashes.push(hash);
    prev = hash;
  }
  await sql`update events as e set prev_hash = v.prev_hash, hash = v.hash
    from unnest(${seqs}::bigint[], ${prevs}::text[], ${hashes}::text[]) as v(seq, prev_hash, hash)
    where e.seq = v.seq`.execute(trx);
  return take.length;
}

/**
 * Seals every unsealed event, inside `trx`, waiting for the sealer lock. Only for a writer
 * that holds the event-log lock exclusively (no engine unit in flight), before it chains
 * events of its own onto the head (the cohort seeder).
 */
export async function sealAllLocked(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${advisoryLock('chainSeal')})`.execute(trx);
  while ((await sealPage(trx, null)) === PAGE);
}

/** One node's sealer. */
export interface ChainSealer {
  /** Seals soon (after a commit of this node). */
  soon(): void;
  /** Seals what can be sealed now; answers how many rows (0 also when another node is sealing). */
  sealNow(): Promise<number>;
  /** Stops sealing by itself; resolves when a pass in flight has ended. */
  stop(): Promise<void>;
}

export interface ChainSealerOptions {
  /** How long after a commit to seal, so one pass seals many commits (ms, default 20). */
  delayMs?: number;
  /** Seal this often regardless (ms, default 1000): commits of nodes that died before sealing. */
  intervalMs?: number;
}

/** Starts sealing the chain of `db` (PostgreSQL). */
export function startChainSealer(db: Kysely<Database>, options: ChainSealerOptions = {}): ChainSealer {
  const watermark = new LogWatermark();
  const delayMs = options.delayMs ?? 20;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let stopped = false;

  async function pass(): Promise<number> {
    let total = 0;
    // A hole met on the way is looked at again a few times (it settles as soon as the
    // transactions running when it was seen have ended), then left to the next pass.
    for (let holes = 0; ; ) {
      const sealed = await db.transaction().execute(async (trx) => {
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${advisoryLock('chainSeal')}) as ok`.execute(trx);
        return got.rows[0]?.ok ? sealPage(trx, watermark) : 0;
      });
      total += sealed;
      if (sealed === PAGE) continue;
      if (!watermark.waiting || ++holes > HOLE_LOOKS) return total;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  function sealNow(): Promise<number> {
    // One pass at a time per node; a caller during a pass gets the next one.
    const next: Promise<number> = (running ?? Promise.resolve(0)).catch(() => 0).then(pass);
    running = next;
    void next.finally(() => {
      if (running === next) running = null;
      // A hole that may still fill: look again shortly, commit or not.
      if (watermark.waiting) soon();
    }).catch(() => undefined);
    return next;
  }

  function soon(): void {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      sealNow().catch((err: unknown) => console.error('pathways engine: sealing the event chain failed; retrying', err instanceof Error ? err.message : err));
    }, delayMs);
    timer.unref();
  }

  const interval = setInterval(soon, options.intervalMs ?? 1000);
  interval.unref();

  return {
    soon,
    sealNow,
    async stop() {
      stopped = true;
      clearInterval(interval);
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
