/**
 * The live feed when several nodes share one PostgreSQL database: every node reads the
 * event log itself, in `seq` order, and fans each event out to its own sockets. A change
 * committed through any node (or by any node's timer sweeper) so reaches every entitled
 * socket on every node, in commit order, and nothing is lost in between: the log is the
 * source, and a node that was busy or restarted reads on from where it was.
 *
 * Why the log and not a message bus: the log is the record, so reading it in `seq` order
 * keeps per-journey order across nodes and needs no Redis for correctness. Units commit
 * out of `seq` order (no lock is held through commit), so the tail reads only up to the
 * first hole in `seq` that could still fill (src/engine/log-watermark.ts): it never skips
 * an event that commits late, and a hole left by a rolled-back unit is passed once every
 * transaction that could own it has ended (it looks again at every notification, and
 * every `HOLE_RETRY_MS`). The writing node sends `NOTIFY pathways_events` right after each
 * commit (unit-runner.ts), so a node hears of a commit within a millisecond or two (under
 * load, within `READ_GAP_MS`: one read then gathers several commits); a poll
 * every `pollMs` covers a lost notification or listener reconnect, and writes made outside
 * the engine (the seed).
 */
import pg from 'pg';
import type { Store } from '../db/database.ts';
import type { EventRow } from '../db/schema.ts';
import { EVENT_LOG_CHANNEL } from '../engine/event-log.ts';
import { directSql } from '../db/direct-sql.ts';
import { EVENT_COLUMNS, LogWatermark, SNAPSHOT_COLUMNS, boundsOf } from '../engine/log-watermark.ts';

export interface LogTailOptions {
  /** Called with each page of new events, in `seq` order; the next page waits for it. */
  onEvents(rows: EventRow[]): Promise<void>;
  /** Re-read this often even without a notification (ms, default 1000). */
  pollMs?: number;
  /** Events read per page (default 1000). */
  pageSize?: number;
}

export interface LogTail {
  /** The newest `seq` handed on: every event up to it has been handed on, or never will exist. */
  readonly seq: number;
  /** Reads now (after a notification, or from tests). */
  poke(): void;
  close(): Promise<void>;
}

/**
 * How soon to look again while a hole in `seq` holds the tail back (ms), commit or not. A
 * hole whose unit commits is read at once anyway: the commit's notification wakes the tail.
 * This covers a unit that rolled back (no notification), and costs a read of the log each
 * time, so it is not every few ms: with two nodes writing, holes are held most of the time.
 */
const HOLE_RETRY_MS = 25;

/**
 * The least time between two reads started by notifications (ms). Every node hears every
 * commit of every node, and a read per commit was a query per commit on each node: with two
 * nodes at 300 commits a second, 1.8 reads a transition. A notification within this long of
 * the last read's start waits out the rest of it, so under load a read gathers the commits of
 * several; an idle feed still reads at once. Measured (bench/nodes.ts, two nodes, 300/s,
 * four runs each, alternated): serve CPU a transition 0.83–0.93× (p99 33.6 and 28.0 against
 * 38.3 and 41.9 ms in the last two pairs); one node unchanged. The cost: a live message's
 * median across nodes at 200 commits a second 5.3 against 0.4 ms (docs/DEPLOY.md).
 */
const READ_GAP_MS = 10;

/** The next page of the log after a `seq`, each row with the snapshot it was read in. */
const NEXT_EVENTS = `select ${EVENT_COLUMNS}, ${SNAPSHOT_COLUMNS} from events where seq > ? order by seq limit ?`;

/**
 * Starts tailing the log from its newest sealed event (everything before it is settled; the
 * few committed since are handed on at once). PostgreSQL only.
 */
export async function startLogTail(store: Store, options: LogTailOptions): Promise<LogTail> {
  if (store.config.dialect !== 'postgres') throw new Error('The log tail is for PostgreSQL; SQLite serves from one process and fans out on commit.');
  const { connectionString, schema } = store.config;
  const pageSize = options.pageSize ?? 1000;
  const head = await store.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).where('hash', 'is not', null).executeTakeFirst();
  let seq = Number(head?.seq ?? 0);
  const watermark = new LogWatermark();
  // Named columns and `?`s: run through the direct path, PostgreSQL keeps it prepared.
  const direct = directSql(store.db, null);
  let retry: NodeJS.Timeout | undefined;
  let gathering: NodeJS.Timeout | undefined;
  let lastReadAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  let reading = false;
  let again = false;

  async function read(): Promise<void> {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    lastReadAt = performance.now();
    try {
      do {
        again = false;
        for (;;) {
          const rows = await direct.all<EventRow & { snap_xmin: string; snap_xmax: string }>(NEXT_EVENTS, [seq, pageSize]);
          const safe = rows[0] ? watermark.safePrefix(seq, rows, boundsOf(rows[0])) : [];
          if (safe.length === 0 || closed) break;
          seq = Number(safe[safe.length - 1]!.seq);
          await options.onEvents(safe);
          if (safe.length < rows.length || rows.length < pageSize) break;
        }
      } while (again && !closed);
    } catch (err) {
      // The next notification or poll reads again from the same place.
      console.error('pathways live: reading the event log failed:', err instanceof Error ? err.message : err);
    } finally {
      reading = false;
      if (watermark.waiting && !closed && !retry) {
        retry = setTimeout(() => {
          retry = undefined;
          void read();
        }, HOLE_RETRY_MS);
        retry.unref();
      }
    }
  }

  /** After a notification: reads now, or once `READ_GAP_MS` has passed since the last read began. */
  function readSoon(): void {
    if (gathering) return;
    const wait = lastReadAt + READ_GAP_MS - performance.now();
    if (wait <= 0) return void read();
    gathering = setTimeout(() => {
      gathering = undefined;
      store.unitGuard.outside(() => void read());
    }, wait);
    gathering.unref();
  }

  // A client of its own: LISTEN holds its connection for good, outside the engine's pool.
  let listener: pg.Client | null = null;
  async function listen(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString, ...(schema ? { options: `-c search_path="${schema}"` } : {}) });
    // A notification comes from the listener's socket, never from inside one of the engine's
    // units: the read's first query skips the unit guard's look (src/db/unit-guard.ts).
    client.on('notification', () => store.unitGuard.outside(readSoon));
    client.on('error', () => {
      // Reconnect; meanwhile the poll keeps the feed going.
      listener = null;
      void client.end().catch(() => undefined);
      setTimeout(() => void listen().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${EVENT_LOG_CHANNEL}`);
    listener = client;
    // Anything committed while the listener was away.
    void read();
  }
  await listen();
  const poll = setInterval(() => void read(), options.pollMs ?? 1000);
  poll.unref();

  return {
    get seq() {
      return seq;
    },
    poke: () => void read(),
    async close() {
      closed = true;
      clearInterval(poll);
      if (retry) clearTimeout(retry);
      if (gathering) clearTimeout(gathering);
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
      while (reading) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
