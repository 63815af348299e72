/**
 * Runs units of work (one `apply`, one `openCase`, one caller's `transaction`) each
 * atomically, and tells commit listeners afterwards.
 *
 * SQLite has one writer and pays one fsync per commit (`synchronous=FULL`), so concurrent
 * units share a commit: they queue, and a drain loop runs every queued unit inside one
 * `BEGIN IMMEDIATE … COMMIT`, each in its own SAVEPOINT so a failing unit rolls back alone.
 * No caller hears "done" before the commit that holds its work has synced — durability is
 * the same as one commit per unit, the sync is shared (group commit). The sync itself runs
 * off the main thread (wal-sync.ts): while one batch's log is being synced, the next batch
 * is already running, and one sync answers for every batch committed before it started.
 *
 * PostgreSQL batches too, and runs several batches at once (`concurrency`, each on a
 * pooled connection): a batch is BEGIN, its queued units one after another, and COMMIT;
 * PostgreSQL's own group commit shares the WAL flush between batches committing together.
 * A savepoint costs a round trip there, so a batch first runs without any: a unit (or a
 * nested call) that fails having written nothing leaves nothing to undo, and one that
 * fails after writing has the batch rolled back, its own failure answered, and the other
 * units run again under savepoints (each unit and nested call under its own, as on SQLite).
 * Every statement of the query builder and of `ctx.sql` other than a plain `select` counts
 * as a write (so a unit writes through those, not as a `CompiledQuery` run on `ctx.trx`,
 * which no plugin sees). In that first run a write whose answer nobody reads (`ctx.sql.send`:
 * the measures' rows, the timers) is sent on the connection without the unit waiting for
 * it: the next statement, of the same unit or the next, follows it on the wire at once, so
 * the unit's chain of round trips is one shorter. BEGIN is sent so too, and so are the
 * before-commit hooks' writes (the counter changes), with COMMIT right behind them. The
 * batch waits for every such write before its before-commit hooks; if one failed, no
 * failure seen after it can be trusted, so the batch is rolled back and every unit runs
 * again under savepoints, where `send` waits like any write and the failing unit hears its
 * own error. A hook's sent write that fails has ended the transaction, so COMMIT rolls it
 * back (PostgreSQL answers that without an error): the runner then fails the batch with
 * that write's error, as a failing hook does.
 * Side by side (`UnitRunnerOptions.sideBySide`, on for PostgreSQL unless turned off): in
 * that first run the units at the head of the batch that each declared the one stream they
 * change (`UnitOptions.key`: `engine.apply` on a journey or a referral, `engine.transaction`
 * with `only`), all distinct, start
 * together rather than one after another. Their statements go out on the one connection
 * as they are asked for, pipelined (the pool's connections run in node-postgres's pipeline
 * mode, and the runner's statements bypass Kysely's one-query-at-a-time queue: `links`), so
 * twelve units' first reads leave together and PostgreSQL answers them in order, with no
 * round trip between them. The rules that make that safe:
 * - only distinct keys: two units of one stream never interleave. The first unit without a
 *   key (a caller's `transaction`, an opening, a record's event), or whose key is already
 *   in the group, ends the group: it and every unit after it run one after another as
 *   before, after the group, so the batch keeps its queue order per stream. A keyed unit
 *   writes only its own stream's rows (row, event, timers, measure rows); the rows units
 *   share (counters, people) are written by the before-commit hooks, once per commit.
 *   Timer deliveries (`alone`) never share a batch.
 * - any failure in the group (a unit throwing, a nested call spoiled) rolls the batch back
 *   once every unit of the group has settled, and every unit runs again under savepoints,
 *   one after another: no failure seen side by side is ever answered. A sent write that
 *   fails does the same, as before.
 * - what the units of a batch share stays whole: each has its own context (changes, write
 *   tracking), the outcomes are kept in queue order (so commit listeners and the before-
 *   commit hooks see the changes in that order), `head` is not used on PostgreSQL (the
 *   sealer chains after commit), the measures keep their per-change state by change, and
 *   the sent writes are only collected (their order on the connection does not matter: each
 *   touches its own unit's rows).
 * The nodes tailing the log hear of it by a `NOTIFY` in a transaction of its own right after
 * the commit, in the same message (see `COMMIT_AND_NOTIFY`: inside the commit it would make
 * every node's commits take turns).
 * A batch holds at most `PG_MAX_BATCH` units: under savepoints, each is a subtransaction,
 * and past 64 of them in one transaction PostgreSQL's snapshots overflow their cache and
 * every reader on the server pays for lookups in `pg_subtrans`. No lock on the event log is held through
 * commit: events take `seq` from a sequence and are chained by the sealer after commit
 * (chain-sealer.ts); units hold the event-log advisory lock in shared mode only, so a
 * writer that must see none in flight can take it exclusively. Two batches that change the
 * same stream queue on its row; one caught in a deadlock (two units taking rows in opposite
 * orders) has that unit run again in a later batch (at most `RETRIES` times), and a batch
 * run without savepoints has its other units run again too, so a unit must do nothing but
 * database work through its `ctx`.
 * Batches side by side lock only their own streams' rows during their units; the rows all
 * of them share (the measures' people, and the counters where they are added in place
 * rather than appended: counter-fold.ts) are taken in the before-commit hook in key order
 * (attach-metrics.ts), and timer deliveries commit alone (`UnitOptions.alone`),
 * so the waits between batches form no circle. The README's Figures give the writers'
 * measured effect (bench/nodes.ts).
 *
 * An engine call made inside a unit joins it explicitly (`join`, which `transaction(fn)`'s
 * `tx` methods use) under a nested SAVEPOINT. The runner does not find the running unit by
 * itself: that would take an AsyncLocalStorage, whose promise hooks cost every promise in
 * the process (about 3% of a transition's main-thread time). So code running inside a unit
 * must use the unit's `tx`; a top-level engine call from there would queue behind the
 * unit it is part of and never run.
 */
import { CompiledQuery, type DatabaseConnection, type Kysely, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { advisoryLockArgs } from '../db/advisory-locks.ts';
import type { Store } from '../db/database.ts';
import { DEFAULT_TIME_ZONE } from '../../machines/calendar-days.ts';
import { directSql, type DirectSql } from '../db/direct-sql.ts';
import { preparedStatementsOf } from '../db/prepared-statements.ts';
import type { Database } from '../db/schema.ts';
import type { BeforeCommitHook, CommitListener, StreamChange, TransactionHook } from './engine-types.ts';
import { EVENT_LOG_CHANNEL, type ChainHead } from './event-log.ts';
import type { MachineRegistry } from './machine-registry.ts';
import type { TxContext } from './stream-writer.ts';
import type { WalSync } from './wal-sync.ts';

export type UnitWork<T> = (ctx: TxContext) => Promise<T>;

export interface UnitRunnerOptions {
  registry: MachineRegistry;
  now: () => Date;
  /** The service's time zone (EngineOptions.timeZone; default Europe/London). */
  timeZone?: string;
  /** Live arrays: hooks and listeners added later apply to later units. */
  hooks: TransactionHook[];
  beforeCommit: BeforeCommitHook[];
  listeners: CommitListener[];
  /** Live array: told the number of units each commit held (its group-commit size), for operators. */
  commitSizeListeners?: Array<(units: number) => void>;
  groupCommit: boolean;
  maxBatch: number;
  /** PostgreSQL: batches in flight at once, each on a connection of its own (default 1; SQLite: always 1). */
  concurrency?: number;
  /** Syncs SQLite's log after commits, off the main thread; null: each commit syncs itself. */
  walSync: WalSync | null;
  /** PostgreSQL: a batch's leading units with distinct `UnitOptions.key`s run side by side in its first run (default false). */
  sideBySide?: boolean;
}

/** How a unit is run. */
export interface UnitOptions {
  /**
   * PostgreSQL: in a transaction of its own rather than a batch (the timer sweeper's
   * deliveries). A batch holds the rows of all its units until its commit; a delivery takes
   * its stream's row while a user's batch may hold others, so deliveries batched together
   * would take several streams' rows in due order against the users' order, and deadlock.
   */
  alone?: boolean;
  /**
   * PostgreSQL: the one stream the unit changes (say `case:<id>`), known before it runs.
   * Units with distinct keys at the head of a batch may run side by side
   * (`UnitRunnerOptions.sideBySide`); a unit without one always runs by itself.
   */
  key?: string;
}

export interface UnitRunner {
  /** Runs `work` atomically, as a unit of its own. */
  run<T>(work: UnitWork<T>, options?: UnitOptions): Promise<T>;
  /** Runs `work` inside the running unit `ctx` (one this runner gave out), under a savepoint. */
  join<T>(ctx: TxContext, work: UnitWork<T>): Promise<T>;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  /** Commits made and units they held, for benchmarks and tests of group commit. */
  stats(): CommitStats;
}

export interface CommitStats {
  /** Top-level commits (each one sync on SQLite). */
  commits: number;
  /** Units of work committed. */
  units: number;
  /** Units rolled back. */
  failed: number;
  /** Units PostgreSQL rolled back to break a deadlock (or a serialization failure), then run again. */
  retried: number;
  /** PostgreSQL: units committed having run side by side with others of their batch (`UnitRunnerOptions.sideBySide`). */
  sideBySide: number;
}

interface RunnerContext extends TxContext {
  runner: object;
  depth: number;
  /** Savepoints around each unit of a batch and each nested call (SQLite always; PostgreSQL on a second run). */
  careful: boolean;
  /** PostgreSQL, without savepoints: whether the unit (or the nested call running) has sent a statement that may write. */
  wrote: boolean;
  /** PostgreSQL, without savepoints: a nested call failed in a way only a savepoint could undo; the batch runs again with them. */
  spoiled: boolean;
}

const READ = /^\s*select\b/i;

/** Notes in `ctx` every query of the query builder that is not a plain read. */
class WriteTracker implements KyselyPlugin {
  constructor(private readonly ctx: { wrote: boolean }) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (node.kind !== 'SelectQueryNode' && !(node.kind === 'RawNode' && READ.test(node.sqlFragments[0] ?? ''))) this.ctx.wrote = true;
    return node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/**
 * PostgreSQL, a batch's first run: the writes its units sent without waiting (`DirectSql.send`),
 * and the first failure among them.
 */
interface Sent {
  pending: Array<Promise<void>>;
  failure: { error: unknown } | null;
}

/**
 * `sql` noting in `ctx` every statement that is not a plain read; with `sent`, a `send` is
 * queued on the connection without waiting for it (noted in `sent`).
 */
function trackedSql(sql: DirectSql, ctx: { wrote: boolean }, sent?: Sent): DirectSql {
  const note = (text: string): void => {
    if (!READ.test(text)) ctx.wrote = true;
  };
  return {
    dialect: sql.dialect,
    all: (text, params) => (note(text), sql.all(text, params)),
    get: (text, params) => (note(text), sql.get(text, params)),
    run: (text, params) => {
      ctx.wrote = true;
      return sql.run(text, params);
    },
    send: (text, params) => {
      ctx.wrote = true;
      if (!sent) return sql.send(text, params);
      noteSent(sent, sql.run(text, params));
      return Promise.resolve();
    },
  };
}

/** Notes in `sent` a statement sent without waiting, and its failure if it fails. */
function noteSent(sent: Sent, statement: Promise<unknown>): void {
  sent.pending.push(
    statement.then(
      () => undefined,
      (error: unknown) => void (sent.failure ??= { error }),
    ),
  );
}

/** `retry`: rolled back by PostgreSQL to break a deadlock; the unit runs again in a later batch. */
type Outcome = { ok: true; value: unknown; ctx: RunnerContext } | { ok: false; error: unknown; retry?: boolean };

interface QueuedUnit {
  work: UnitWork<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** Runs so far that PostgreSQL rolled back to break a deadlock. */
  retried: number;
  alone: boolean;
  /** UnitOptions.key. */
  key: string | undefined;
  /** PostgreSQL: runs under savepoints (its batch without them had to be undone). */
  careful: boolean;
}

/**
 * PostgreSQL: units in one batch at most. A unit under its savepoint with a nested call
 * (a route's `tx.apply`) takes two subtransaction ids; PostgreSQL caches 64 per
 * transaction (PGPROC_MAX_CACHED_SUBXIDS) before every snapshot on the server overflows.
 */
const PG_MAX_BATCH = 30;

/**
 * PostgreSQL with several writers: units waiting before a batch starts beside one in flight.
 * Fewer wait for the running batch to end (each batch costs its BEGIN, COMMIT, NOTIFY and
 * the log tails' read, measured at 13% more CPU a transition when every arrival took a free
 * writer at once).
 */
const PG_SPARE_WRITER_BACKLOG = 4;

/**
 * PostgreSQL: COMMIT, and in the same message a transaction of its own that tells the nodes
 * tailing the log (src/live/log-tail.ts) that events were committed. Not in the batch's own
 * transaction: PostgreSQL holds one lock for the whole database from a notifying
 * transaction's pre-commit through its commit's WAL flush, so every notifying commit of every
 * node would take turns through its flush; the notification is not data, so its own
 * transaction does not wait for a flush. Sent with the COMMIT (the simple query protocol runs
 * the statements in turn and skips the rest after an error, so a failed COMMIT notifies
 * nothing), it costs no message and no connection of its own. A notification can still be
 * lost (the connection drops between the two); the tails' poll covers that.
 */
const COMMIT_AND_NOTIFY = `commit; begin; set local synchronous_commit = off; notify ${EVENT_LOG_CHANNEL}; commit`;

/** The end of a PostgreSQL batch: COMMIT, with the log tails' notification when it wrote events. */
const commitText = (changes: readonly StreamChange[]): string => (changes.length > 0 ? COMMIT_AND_NOTIFY : 'commit');

/** How often a unit caught in a deadlock is run again before its caller hears the error. */
const RETRIES = 3;

/** PostgreSQL aborted the statement to break a deadlock (or a serialization failure): running again succeeds. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Creates the runner for a store. */
export function createUnitRunner(store: Store, options: UnitRunnerOptions): UnitRunner {
  const counters: CommitStats = { commits: 0, units: 0, failed: 0, retried: 0, sideBySide: 0 };
  const identity = {};
  /**
   * PostgreSQL: each batch's connection as Kysely hands it out, by the Kysely bound to it.
   * Kysely runs one query at a time on a connection, waiting for each answer; the runner's
   * own statements (BEGIN, COMMIT, `ctx.sql`) go to the connection directly, so statements
   * sent without waiting, and those of units side by side, travel pipelined (database.ts).
   */
  const links = new WeakMap<Kysely<Database>, DatabaseConnection>();
  /** Where the runner's own statements on `conn` go. */
  const onConnection = (conn: Kysely<Database>): DatabaseConnection | Kysely<Database> => links.get(conn) ?? conn;
  const newContext = (trx: Kysely<Database>, head: ChainHead = { hash: null }, careful = true, sent?: Sent): RunnerContext => {
    const link = links.get(trx) ?? null;
    const ctx: RunnerContext = {
      trx,
      sql: directSql(trx, store.sqlite, link),
      dialect: store.dialect,
      registry: options.registry,
      now: options.now,
      timeZone: options.timeZone ?? DEFAULT_TIME_ZONE,
      hooks: options.hooks,
      changes: [],
      locked: false,
      head,
      runner: identity,
      depth: 0,
      careful,
      wrote: false,
      spoiled: false,
    };
    if (!careful) {
      ctx.trx = trx.withPlugin(new WriteTracker(ctx));
      if (link) links.set(ctx.trx, link);
      ctx.sql = trackedSql(ctx.sql, ctx, sent);
    }
    return ctx;
  };

  /** PostgreSQL: whether the transaction still takes statements (a failed statement ends it until a rollback). */
  const usable = (conn: Kysely<Database>): Promise<boolean> =>
    onConnection(conn)
      .executeQuery(CompiledQuery.raw('select 1', []))
      .then(
        () => true,
        () => false,
      );

  const notify = (ctx: TxContext): void => {
    if (ctx.changes.length === 0) return;
    for (const listener of options.listeners) {
      try {
        listener(ctx.changes);
      } catch (err) {
        // The work is committed; a failing listener must not turn that into an error.
        console.error('pathways engine: a commit listener failed', err);
      }
    }
  };

  /**
   * A nested unit: a savepoint inside the running transaction. PostgreSQL's first run of a
   * batch takes none: a nested call that fails having written nothing (a refused event, a
   * stale version) leaves nothing to undo, and one that wrote spoils its batch, which runs
   * again under savepoints.
   */
  async function nested<T>(ctx: RunnerContext, work: UnitWork<T>): Promise<T> {
    if (!ctx.careful) return unguarded(ctx, work);
    const name = `pw_nested_${ctx.depth + 1}`;
    const mark = ctx.changes.length;
    await ctx.sql.run(`savepoint ${name}`, []);
    ctx.depth += 1;
    try {
      const result = await work(ctx);
      // PostgreSQL keeps a savepoint that succeeded until the unit's own release or commit
      // (which release it with everything after it): one round trip less per nested call. A
      // later savepoint of the same name shadows it, and a rollback goes to the newest.
      if (store.dialect !== 'postgres') await ctx.sql.run(`release savepoint ${name}`, []);
      return result;
    } catch (err) {
      await ctx.sql.run(`rollback to savepoint ${name}`, []);
      await ctx.sql.run(`release savepoint ${name}`, []);
      ctx.changes.length = mark;
      ctx.head.hash = null;
      throw err;
    } finally {
      ctx.depth -= 1;
    }
  }

  async function unguarded<T>(ctx: RunnerContext, work: UnitWork<T>): Promise<T> {
    const mark = ctx.changes.length;
    const wroteBefore = ctx.wrote;
    ctx.wrote = false;
    ctx.depth += 1;
    try {
      return await work(ctx);
    } catch (err) {
      if (ctx.wrote || !(await usable(ctx.trx))) ctx.spoiled = true;
      ctx.changes.length = mark;
      throw err;
    } finally {
      ctx.wrote ||= wroteBefore;
      ctx.depth -= 1;
    }
  }

  /** The before-commit hooks, on the changes about to commit. */
  async function beforeCommit(ctx: RunnerContext, changes: readonly StreamChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const hook of options.beforeCommit) await hook(ctx.trx, changes, ctx.sql);
  }

  let idleWaiters: Array<() => void> = [];
  const settle = (): void => {
    if (queue.length === 0 && !draining && running === 0 && awaitingSync.length === 0 && !syncing) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  // ---- Group commit (both stores) ----------------------------------------------------
  const queue: QueuedUnit[] = [];
  let draining = false;
  /** PostgreSQL: batches in flight. */
  let running = 0;
  /** Committed batches whose log sync has not yet returned, oldest first. */
  const awaitingSync: Array<() => void> = [];
  const failSync: Array<(err: unknown) => void> = [];
  let syncing = false;
  /** The drain loop, waiting for the sync in flight to end its round. */
  let syncRoundWaiters: Array<() => void> = [];
  const endRound = (): void => {
    const waiters = syncRoundWaiters;
    syncRoundWaiters = [];
    for (const w of waiters) w();
  };

  /** One sync for every batch committed so far; then the next round, if more arrived meanwhile. */
  async function syncLoop(walSync: WalSync): Promise<void> {
    syncing = true;
    try {
      while (awaitingSync.length > 0) {
        const deliver = awaitingSync.splice(0);
        const fail = failSync.splice(0);
        try {
          await walSync.sync();
        } catch (err) {
          const error = new Error('The change was committed but could not be synced to disk; it may be lost if the machine stops. Check the disk.', { cause: err });
          for (const f of fail) f(error);
          continue;
        }
        for (const d of deliver) d();
        endRound();
      }
    } finally {
      syncing = false;
      endRound();
      settle();
    }
  }

  function enqueue<T>(work: UnitWork<T>, alone: boolean, key: string | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work: work, resolve: resolve, reject, retried: 0, alone, key, careful: false });
      if (store.dialect === 'postgres') {
        schedulePump();
        return;
      }
      // A full batch does not wait for the sync in flight.
      if (queue.length >= options.maxBatch) endRound();
      if (!draining) {
        draining = true;
        setImmediate(() => void drain());
      }
    });
  }

  // ---- PostgreSQL: several batches at once -------------------------------------------
  let pumpScheduled = false;
  /** Starts batches on the next turn of the loop, so the callers of this turn share one. */
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(pump);
  }

  function pump(): void {
    pumpScheduled = false;
    const concurrency = options.concurrency ?? 1;
    // What is queued is shared out between the free connections: a unit costs several round
    // trips, so one long batch would leave the others idle.
    const share = Math.ceil(queue.length / Math.max(1, concurrency - running));
    while (queue.length > 0 && running < concurrency) {
      // A further writer only for a backlog: a unit or two wait for the batch in flight, as
      // a batch of their own they would cost a BEGIN, COMMIT and NOTIFY each.
      if (running > 0 && queue.length < PG_SPARE_WRITER_BACKLOG) break;
      const batch = takeBatch(options.groupCommit ? Math.min(share, options.maxBatch, PG_MAX_BATCH) : 1);
      running += 1;
      void runBatch(batch).finally(() => {
        running -= 1;
        if (queue.length > 0) schedulePump();
        settle();
      });
    }
  }

  /** The next batch: up to `size` units from the head of the queue, or one that runs alone. */
  function takeBatch(size: number): QueuedUnit[] {
    if (queue[0]!.alone) return queue.splice(0, 1);
    const batch: QueuedUnit[] = [];
    for (let i = 0; i < queue.length && batch.length < size; ) {
      if (queue[i]!.alone) i += 1;
      else batch.push(queue.splice(i, 1)[0]!);
    }
    return batch;
  }

  /** Puts a unit PostgreSQL rolled back to break a deadlock at the head of the queue. */
  function requeue(unit: QueuedUnit): boolean {
    if (unit.retried >= RETRIES) return false;
    unit.retried += 1;
    counters.retried += 1;
    queue.unshift(unit);
    schedulePump();
    return true;
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, options.groupCommit ? options.maxBatch : 1);
        await runBatch(batch);
        // While the last commit's log is being synced, let the next batch gather (as SQLite's
        // own sync inside COMMIT would) rather than commit a unit or two at a time: a commit
        // costs about as much as a transition. Measured at 500 transitions/s offered, this
        // cut p99 from 40–70 ms to about 30; under full load batches are large anyway.
        if (syncing && queue.length < options.maxBatch) await new Promise<void>((r) => syncRoundWaiters.push(r));
        // Let the callers just resolved queue their next unit, so batches fill up.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      draining = false;
      settle();
    }
  }

  async function runBatch(batch: QueuedUnit[]): Promise<void> {
    const outcomes: Outcome[] = [];
    const walSync = options.walSync;
    let undone = false;
    try {
      await store.db.connection().execute(async (conn) => {
        if (store.dialect === 'postgres') links.set(conn, await conn.getExecutor().provideConnection((link) => Promise.resolve(link)));
        const transaction = async () => {
          if (store.dialect !== 'postgres') await runTransaction(conn, batch, outcomes);
          else if (batch.some((unit) => unit.careful)) await runPostgresTransaction(conn, batch, outcomes);
          else undone = !(await runPostgresUnguarded(conn, batch, outcomes));
        };
        await (walSync ? walSync.unsynced(transaction) : transaction());
      });
    } catch (err) {
      // A unit alone in its transaction, caught in a deadlock: run it again.
      if (batch.length === 1 && isTransient(err) && requeue(batch[0]!)) return;
      // The shared commit failed (or the transaction died): nothing of the batch is stored.
      counters.failed += batch.length;
      for (const unit of batch) unit.reject(err);
      return;
    }
    if (undone) {
      // The unit that failed has its answer; the others run again, in the same order, under savepoints.
      const again: QueuedUnit[] = [];
      batch.forEach((unit, i) => {
        const outcome = outcomes[i];
        if (outcome && !outcome.ok && !(outcome.retry && requeue(unit))) {
          counters.failed += 1;
          unit.reject(outcome.error);
        } else if (!outcome || outcome.ok) {
          unit.careful = true;
          again.push(unit);
        }
      });
      if (again.length > 0) {
        queue.unshift(...again);
        schedulePump();
      }
      return;
    }
    counters.commits += 1;
    if (options.commitSizeListeners?.length) {
      const units = outcomes.reduce((n, o) => n + (o.ok ? 1 : 0), 0);
      for (const listener of options.commitSizeListeners) listener(units);
    }
    const deliver = (): void => {
      batch.forEach((unit, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) {
          counters.units += 1;
          notify(outcome.ctx);
          unit.resolve(outcome.value);
        } else if (outcome.retry && requeue(unit)) {
          // Runs again in a later batch.
        } else {
          counters.failed += 1;
          unit.reject(outcome.error);
        }
      });
    };
    if (!walSync) {
      deliver();
      return;
    }
    awaitingSync.push(deliver);
    failSync.push((err) => {
      counters.failed += batch.length;
      batch.forEach((unit, i) => {
        const outcome = outcomes[i]!;
        unit.reject(outcome.ok ? err : outcome.error);
      });
    });
    if (!syncing) void syncLoop(walSync);
  }

  /** Transaction control on SQLite's one handle, which the drain loop holds: prepared once, run directly. */
  const control = (text: string): void => {
    preparedStatementsOf(store.sqlite!).get(text).run();
  };

  /** BEGIN, every unit of the batch (each under a savepoint when not alone), COMMIT. */
  async function runTransaction(conn: Kysely<Database>, batch: QueuedUnit[], outcomes: Outcome[]): Promise<void> {
    control('begin immediate');
    try {
      if (batch.length === 1) {
        // Alone in its commit, a unit needs no savepoint: if it fails, the rollback below undoes it.
        const ctx = newContext(conn);
        const value = await batch[0]!.work(ctx);
        await beforeCommit(ctx, ctx.changes);
        control('commit');
        outcomes.push({ ok: true, value, ctx });
        return;
      }
      const head: ChainHead = { hash: null };
      for (const unit of batch) {
        const ctx = newContext(conn, head);
        control('savepoint pw_unit');
        try {
          const value = await unit.work(ctx);
          control('release savepoint pw_unit');
          outcomes.push({ ok: true, value, ctx });
        } catch (error) {
          if (!store.sqlite?.inTransaction) throw error;
          control('rollback to savepoint pw_unit');
          control('release savepoint pw_unit');
          head.hash = null;
          outcomes.push({ ok: false, error });
        }
      }
      if (options.beforeCommit.length > 0) {
        const changes = outcomes.flatMap((o) => (o.ok ? o.ctx.changes : []));
        const ctx = newContext(conn, head);
        await beforeCommit(ctx, changes);
      }
      control('commit');
    } catch (err) {
      if (store.sqlite?.inTransaction) control('rollback');
      throw err;
    }
  }

  /**
   * PostgreSQL: BEGIN, the event-log lock in shared mode and a transaction id (taken before
   * any event's `seq`, which the log's readers rely on: log-watermark.ts). The transaction
   * plans its prepared statements once (`plan_cache_mode`): left to choose, PostgreSQL
   * re-planned the measures' write (apply-change.ts) on every call, since with its arrays
   * known each custom plan looks cheaper than the generic one. That planning took 0.3 ms a
   * transition, more than running it; the engine's statements all go by key.
   */
  const beginPostgres = (conn: Kysely<Database>) =>
    onConnection(conn).executeQuery(CompiledQuery.raw(`begin; set local plan_cache_mode = force_generic_plan; select pg_advisory_xact_lock_shared(${advisoryLockArgs('eventLog')}), pg_current_xact_id()`, []));

  /**
   * PostgreSQL, a batch's first run: its units one after another without savepoints, the
   * before-commit hooks and COMMIT. A savepoint costs a round trip, and most units succeed;
   * one that fails having written nothing (refused, stale, not found) leaves nothing to undo.
   * One that fails after a write, or whose failure ended the transaction, cannot be undone
   * alone: the batch is rolled back and answers false; that unit's failure stands (its
   * outcome is the last in `outcomes`) and the others run again under savepoints. A unit
   * that went on after a nested call that could not be undone alone runs again with them.
   */
  async function runPostgresUnguarded(conn: Kysely<Database>, batch: QueuedUnit[], outcomes: Outcome[]): Promise<boolean> {
    const raw = (text: string) => onConnection(conn).executeQuery(CompiledQuery.raw(text, []));
    const sent: Sent = { pending: [], failure: null };
    /** A write sent without waiting failed: no unit's failure can be trusted, so every unit runs again under savepoints (where nothing is sent so). */
    const sendFailed = async (): Promise<boolean> => {
      await Promise.all(sent.pending);
      if (!sent.failure) return false;
      outcomes.length = 0;
      return true;
    };
    let together = 0;
    // BEGIN goes without waiting too: the units' statements follow it on the connection.
    noteSent(sent, beginPostgres(conn));
    try {
      const head: ChainHead = { hash: null };
      together = sideBySideCount(batch);
      if (together > 0) {
        // The leading units side by side: each one's statements queue on the connection behind
        // the others', so PostgreSQL has the next statement as soon as it answers one. Any
        // failure among them, or a nested call spoiled, and none of what they saw is answered:
        // the batch is rolled back and every unit runs again, one after another, under savepoints.
        const contexts = batch.slice(0, together).map(() => {
          const ctx = newContext(conn, head, false, sent);
          ctx.locked = true;
          return ctx;
        });
        const settled = await Promise.allSettled(contexts.map((ctx, i) => batch[i]!.work(ctx)));
        if (settled.some((result, i) => result.status === 'rejected' || contexts[i]!.spoiled)) {
          await Promise.all(sent.pending);
          outcomes.length = 0;
          await raw('rollback');
          return false;
        }
        settled.forEach((result, i) => outcomes.push({ ok: true, value: (result as PromiseFulfilledResult<unknown>).value, ctx: contexts[i]! }));
      }
      for (const unit of batch.slice(together)) {
        const ctx = newContext(conn, head, false, sent);
        ctx.locked = true;
        let undo = false;
        try {
          const value = await unit.work(ctx);
          undo = ctx.spoiled;
          outcomes.push({ ok: true, value, ctx });
        } catch (error) {
          undo = ctx.spoiled || ctx.wrote || !(await usable(conn));
          // A spoiled unit's failure may follow from the writes left behind: it runs again too.
          if (!ctx.spoiled) outcomes.push({ ok: false, error, retry: isTransient(error) });
        }
        if (undo) {
          await sendFailed();
          await raw('rollback');
          return false;
        }
      }
      if (await sendFailed()) {
        await raw('rollback');
        return false;
      }
      const changes = outcomes.flatMap((o) => (o.ok ? o.ctx.changes : []));
      if (options.beforeCommit.length > 0) {
        // The hooks' last writes (the counter changes) go without waiting: COMMIT follows them.
        const ctx: RunnerContext = { ...newContext(conn, head), locked: true };
        ctx.sql = trackedSql(ctx.sql, ctx, sent);
        await beforeCommit(ctx, changes);
      }
      await raw(commitText(changes));
      // A sent write that failed ended the transaction, and COMMIT then rolled it back (which
      // PostgreSQL answers without an error): the batch failed as a failing hook fails it.
      await Promise.all(sent.pending);
      if (sent.failure) throw sent.failure.error;
      counters.sideBySide += together;
      return true;
    } catch (err) {
      await raw('rollback').catch(() => undefined);
      await Promise.all(sent.pending);
      throw sent.failure ? sent.failure.error : err;
    }
  }

  /**
   * PostgreSQL: how many units at the head of `batch` run side by side in its first run: those
   * before the first without a key or with a key already among them (0 when fewer than two).
   */
  function sideBySideCount(batch: readonly QueuedUnit[]): number {
    if (!options.sideBySide) return 0;
    const keys = new Set<string>();
    for (const unit of batch) {
      if (unit.key === undefined || unit.alone || keys.has(unit.key)) break;
      keys.add(unit.key);
    }
    return keys.size < 2 ? 0 : keys.size;
  }

  /**
   * PostgreSQL, a batch run again under savepoints: BEGIN (`beginPostgres`), every unit of
   * the batch (each under a savepoint when not alone), the before-commit hooks and COMMIT.
   * Statements without parameters travel together in one round trip (the simple query protocol).
   */
  async function runPostgresTransaction(conn: Kysely<Database>, batch: QueuedUnit[], outcomes: Outcome[]): Promise<void> {
    const raw = (text: string) => onConnection(conn).executeQuery(CompiledQuery.raw(text, []));
    const locked = (head: ChainHead): RunnerContext => ({ ...newContext(conn, head), locked: true });
    const commit = (changes: readonly StreamChange[]) => raw(commitText(changes));
    await beginPostgres(conn);
    try {
      const head: ChainHead = { hash: null };
      if (batch.length === 1) {
        const ctx = locked(head);
        const value = await batch[0]!.work(ctx);
        await beforeCommit(ctx, ctx.changes);
        await commit(ctx.changes);
        outcomes.push({ ok: true, value, ctx });
        return;
      }
      // A unit's release travels with the next unit's savepoint (or the commit): one round trip less each.
      let release = '';
      for (const unit of batch) {
        const ctx = locked(head);
        await raw(`${release}savepoint pw_unit`);
        try {
          const value = await unit.work(ctx);
          release = 'release savepoint pw_unit; ';
          outcomes.push({ ok: true, value, ctx });
        } catch (error) {
          await raw('rollback to savepoint pw_unit; release savepoint pw_unit');
          release = '';
          outcomes.push({ ok: false, error, retry: isTransient(error) });
        }
      }
      if (release) await raw(release);
      const changes = outcomes.flatMap((o) => (o.ok ? o.ctx.changes : []));
      if (options.beforeCommit.length > 0) await beforeCommit(locked(head), changes);
      await commit(changes);
    } catch (err) {
      await raw('rollback').catch(() => undefined);
      throw err;
    }
  }

  return {
    run<T>(work: UnitWork<T>, unitOptions?: UnitOptions): Promise<T> {
      return enqueue(work, unitOptions?.alone === true, unitOptions?.key);
    },
    join<T>(ctx: TxContext, work: UnitWork<T>): Promise<T> {
      const running = ctx as RunnerContext;
      if (running.runner !== identity) throw new Error('Engine: join() was given a transaction of another engine.');
      return nested(running, work);
    },
    stats: () => ({ ...counters }),
    idle() {
      if (queue.length === 0 && !draining && running === 0 && awaitingSync.length === 0 && !syncing) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
