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
 * costs one short transaction per pass for all the events committed since the last: three
 * round trips, a pass at most every `delayMs` while commits come.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { advisoryLock, advisoryLockArgs } from '../db/advisory-locks.ts';
import type { Database, EventRow } from '../db/schema.ts';
import { GENESIS_HASH, eventHash } from './hash-chain.ts';
import { LogWatermark, SNAPSHOT_COLUMNS, boundsOf } from './log-watermark.ts';

const PAGE = 2000;
/** Looks at a hole within one pass a caller waits for before leaving it to the next. */
const HOLE_LOOKS = 20;

type SnapshotRow = EventRow & { snap_xmin: string; snap_xmax: string };

/**
 * The newest sealed event and, after it, up to a page of events, in one statement: the head
 * on every row (a row of nulls but the head when nothing follows it).
 */
const HEAD_AND_NEXT = `with head as (select seq, hash from events where hash is not null order by seq desc limit 1)
select (select seq from head) as head_seq, (select hash from head) as head_hash, e.*
from (values (1)) as one left join lateral (
  select *, ${SNAPSHOT_COLUMNS} from events where seq > coalesce((select seq from head), 0) order by seq limit ${PAGE}
) as e on true`;

/** The seal of one page: the rows' `seq`s with the `prev_hash` and `hash` each gets. */
interface Seal {
  seqs: number[];
  prevs: string[];
  hashes: string[];
}

/**
 * Chains one page inside `trx`, which holds the sealer lock: the rows after the last sealed
 * one that `watermark` lets through (all of them when `watermark` is null: the caller knows
 * no writer is in flight). Answers what to write, or null when there is nothing to seal.
 */
async function chainPage(trx: Kysely<Database>, watermark: LogWatermark | null): Promise<Seal | null> {
  const read = (await trx.executeQuery<SnapshotRow & { head_seq: number | string | null; head_hash: string | null }>(CompiledQuery.raw(HEAD_AND_NEXT, []))).rows;
  const after = Number(read[0]?.head_seq ?? 0);
  const rows = read.filter((r) => r.seq !== null);
  const take = watermark && rows[0] ? watermark.safePrefix(after, rows, boundsOf(rows[0])) : rows;
  if (take.length === 0) return null;
  let prev = read[0]?.head_hash ?? GENESIS_HASH;
  const seal: Seal = { seqs: [], prevs: [], hashes: [] };
  for (const row of take) {
    const hash = eventHash(prev, row);
    seal.seqs.push(Number(row.seq));
    seal.prevs.push(prev);
    seal.hashes.push(hash);
    prev = hash;
  }
  return seal;
}

/** Seals one page inside `trx` (see `chainPage`); answers how many rows it sealed. */
async function sealPage(trx: Kysely<Database>, watermark: LogWatermark | null): Promise<number> {
  const seal = await chainPage(trx, watermark);
  if (!seal) return 0;
  await trx.executeQuery(CompiledQuery.raw(sealText(seal), []));
  return seal.seqs.length;
}

const HEX = /^[0-9a-f]+$/;

/**
 * The seal's update as one text without parameters, so a pass can send it with `commit` in
 * one round trip: every value is a number or a hex digest, written as array literals.
 */
function sealText(seal: Seal): string {
  for (const h of [...seal.prevs, ...seal.hashes]) if (!HEX.test(h)) throw new Error(`The chain sealer computed a hash that is not hex: ${h}`);
  for (const n of seal.seqs) if (!Number.isSafeInteger(n)) throw new Error(`The chain sealer read a seq that is not an integer: ${n}`);
  const list = (values: ReadonlyArray<string | number>) => `'{${values.join(',')}}'`;
  return (
    'update events as e set prev_hash = v.prev_hash, hash = v.hash ' +
    `from unnest(${list(seal.seqs)}::bigint[], ${list(seal.prevs)}::text[], ${list(seal.hashes)}::text[]) as v(seq, prev_hash, hash) ` +
    'where e.seq = v.seq'
  );
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
  /**
   * Seals what can be sealed now; answers how many rows (0 also when another node is
   * sealing). `lookAgain` (default true): a hole met is looked at again a few times first.
   */
  sealNow(lookAgain?: boolean): Promise<number>;
  /** Stops sealing by itself; resolves when a pass in flight has ended. */
  stop(): Promise<void>;
}

export interface ChainSealerOptions {
  /** How long after a commit to seal, so one pass seals many commits (ms, default 50). */
  delayMs?: number;
  /** Seal this often regardless (ms, default 1000): commits of nodes that died before sealing. */
  intervalMs?: number;
}

/** Starts sealing the chain of `db` (PostgreSQL). */
export function startChainSealer(db: Kysely<Database>, options: ChainSealerOptions = {}): ChainSealer {
  const watermark = new LogWatermark();
  const delayMs = options.delayMs ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let stopped = false;

  /**
   * One transaction of three round trips: BEGIN with the sealer lock tried; the head with the
   * page after it; the page's seal with COMMIT. A hole met on the way is left to the next
   * pass (`sealNow` schedules one while the watermark waits), which is soon enough: nothing
   * waits for the seal but `audit verify` and a restarting node's log tail.
   */
  async function passOnce(): Promise<number> {
    return db.connection().execute(async (conn) => {
      const raw = <R>(text: string) => conn.executeQuery<R>(CompiledQuery.raw(text, []));
      const got = await raw<{ ok: boolean }>(`begin; select pg_try_advisory_xact_lock(${advisoryLockArgs('chainSeal')}) as ok`);
      try {
        const seal = got.rows[0]?.ok ? await chainPage(conn, watermark) : null;
        if (!seal) {
          await raw('rollback');
          return 0;
        }
        await raw(`${sealText(seal)}; commit`);
        return seal.seqs.length;
      } catch (err) {
        await raw('rollback').catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * Seals page after page. `lookAgain` (a caller waiting for the seal: a test, `close`): a hole
   * met is looked at again a few times, 5 ms apart (it settles as soon as the transactions
   * running when it was seen have ended); otherwise it is left to the next pass.
   */
  async function pass(lookAgain: boolean): Promise<number> {
    let total = 0;
    for (let holes = 0; ; ) {
      const sealed = await passOnce();
      total += sealed;
      if (sealed === PAGE) continue;
      if (!lookAgain || !watermark.waiting || ++holes > HOLE_LOOKS) return total;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  function sealNow(lookAgain = true): Promise<number> {
    // One pass at a time per node; a caller during a pass gets the next one.
    const next: Promise<number> = (running ?? Promise.resolve(0)).catch(() => 0).then(() => pass(lookAgain));
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
      sealNow(false).catch((err: unknown) => console.error('pathways engine: sealing the event chain failed; retrying', err instanceof Error ? err.message : err));
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
