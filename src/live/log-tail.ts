/**
 * The live feed when several nodes share one PostgreSQL database: every node reads the
 * event log itself, in `seq` order, and fans each event out to its own sockets. A change
 * committed through any node (or by any node's timer sweeper) so reaches every entitled
 * socket on every node, in commit order, and nothing is lost in between: the log is the
 * source, and a node that was busy or restarted reads on from where it was.
 *
 * Why the log and not a message bus: the engine appends under the event-log lock held
 * through commit, so `seq` order is commit order and a reader that has seen `seq` N has
 * seen every committed event below it — the tail needs no bookkeeping of its own, keeps
 * per-journey order across nodes, and needs no Redis for correctness. The writing unit
 * sends `NOTIFY pathways_events` inside its transaction (delivered at commit), so a node
 * hears of a commit within a millisecond or two; a poll every `pollMs` covers a lost
 * notification or listener reconnect, and writes made outside the engine (the seed).
 */
import pg from 'pg';
import type { Store } from '../db/database.ts';
import type { EventRow } from '../db/schema.ts';
import { EVENT_LOG_CHANNEL } from '../engine/event-log.ts';

export interface LogTailOptions {
  /** Called with each page of new events, in `seq` order; the next page waits for it. */
  onEvents(rows: EventRow[]): Promise<void>;
  /** Re-read this often even without a notification (ms, default 1000). */
  pollMs?: number;
  /** Events read per page (default 1000). */
  pageSize?: number;
}

export interface LogTail {
  /** The newest `seq` handed on. */
  readonly seq: number;
  /** Reads now (after a notification, or from tests). */
  poke(): void;
  close(): Promise<void>;
}

/** Starts tailing the log from its current end. PostgreSQL only. */
export async function startLogTail(store: Store, options: LogTailOptions): Promise<LogTail> {
  if (store.config.dialect !== 'postgres') throw new Error('The log tail is for PostgreSQL; SQLite serves from one process and fans out on commit.');
  const { connectionString, schema } = store.config;
  const pageSize = options.pageSize ?? 1000;
  const head = await store.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  let seq = Number(head?.seq ?? 0);
  let closed = false;
  let reading = false;
  let again = false;

  async function read(): Promise<void> {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        for (;;) {
          const rows = await store.db.selectFrom('events').selectAll().where('seq', '>', seq).orderBy('seq').limit(pageSize).execute();
          if (rows.length === 0 || closed) break;
          seq = Number(rows[rows.length - 1]!.seq);
          await options.onEvents(rows);
          if (rows.length < pageSize) break;
        }
      } while (again && !closed);
    } catch (err) {
      // The next notification or poll reads again from the same place.
      console.error('pathways live: reading the event log failed:', err instanceof Error ? err.message : err);
    } finally {
      reading = false;
    }
  }

  // A client of its own: LISTEN holds its connection for good, outside the engine's pool.
  let listener: pg.Client | null = null;
  async function listen(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString, ...(schema ? { options: `-c search_path="${schema}"` } : {}) });
    client.on('notification', () => void read());
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
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
      while (reading) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
