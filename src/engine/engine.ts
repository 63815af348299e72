/**
 * The engine: the one way anything changes a journey or a referral.
 *
 * Each operation loads the stream row, plans the transition with the statechart
 * (`plan-transition.ts`), and in one transaction writes the new snapshot and version,
 * appends the hash-chained event and adds or cancels durable timer rows; in-transaction
 * hooks (metrics) run inside that transaction and commit listeners (live fan-out) after it.
 *
 * @example
 * const engine = createEngine(store);
 * const { row } = await engine.openCase({ personId, leadAgencyId, referralSource: 'self', referredOn: '2026-03-02', actor });
 * await engine.apply({ stream: 'case', id: row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: row.version, actor });
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../db/database.ts';
import type { StreamType } from '../db/schema.ts';
import type {
  ApplyCommand,
  ApplyResult,
  CommitListener,
  Engine,
  EngineOptions,
  EngineTransaction,
  OpenCaseCommand,
  OpenReferralCommand,
  OpenRecordCommand,
  SweepOptions,
  SweepResult,
  TransactionHook,
  TransactionOptions,
  BeforeCommitHook,
} from './engine-types.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../machines/calendar-days.ts';
import { validationError } from '../errors.ts';
import { pathwaysRegistry } from './machine-registry.ts';
import { applyCommand, beginWrites, loadStream, openCase, openRecord, openReferral } from './stream-writer.ts';
import type { RecordStreamType } from '../../machines/index.ts';
import { sweepDueTimers } from './timer-sweeper.ts';
import { createUnitRunner, type UnitWork } from './unit-runner.ts';
import { startChainSealer } from './chain-sealer.ts';
import { createWalSync } from './wal-sync.ts';

export type * from './engine-types.ts';
export { SYSTEM_ACTOR } from './engine-types.ts';

/**
 * PostgreSQL batches in flight by default: one. Batches side by side no longer deadlock
 * (unit-runner.ts, attach-metrics.ts), but every transition moves the same few counter
 * rows, which a batch holds from its before-commit hook through its commit's WAL flush: so
 * the batches take turns there. Measured at 300 transitions/s offered (bench/nodes.ts):
 * on a machine at load 12–18 two writers did 1.36–1.47× one; at load 4–5, run in both
 * orders, one writer did 1.26–1.33× two; four writers were worse than one in every run.
 * `PATHWAYS_PG_WRITERS` raises it where PostgreSQL has cores of its own.
 */
const DEFAULT_PG_CONCURRENCY = 1;

/** Creates an engine over an open, migrated store. */
export function createEngine(store: Store, options: EngineOptions = {}): Engine {
  const now = options.now ?? (() => new Date());
  const registry = options.registry ?? pathwaysRegistry;
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) {
    throw validationError(`timeZone "${String(timeZone)}" is not a time zone this runtime knows: give an IANA name such as Europe/London.`, [
      { path: 'timeZone', message: 'must be an IANA time zone name' },
    ]);
  }
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const hooks: TransactionHook[] = [];
  const beforeCommit: BeforeCommitHook[] = [];
  const listeners: CommitListener[] = [];
  const commitSizeListeners: Array<(units: number) => void> = [];
  const walSync = store.dialect === 'sqlite' ? createWalSync(store.sqlite, options.syncInCommit ?? false) : null;
  const runner = createUnitRunner(store, {
    registry,
    now,
    timeZone,
    hooks,
    beforeCommit,
    listeners,
    commitSizeListeners,
    groupCommit: options.groupCommit ?? true,
    maxBatch: options.maxBatch ?? 256,
    concurrency: store.dialect === 'postgres' ? (options.pgConcurrency ?? DEFAULT_PG_CONCURRENCY) : 1,
    walSync,
    sideBySide: store.dialect === 'postgres' && (options.pgSideBySide ?? true),
  });
  // PostgreSQL: the chain is sealed after commit, by whichever node gets there first.
  const sealer = store.dialect === 'postgres' ? startChainSealer(store.db) : null;
  if (sealer) listeners.push(() => sealer.soon());

  let sweeping = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const remove = <T>(list: T[], item: T) => (): void => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  };

  // A unit of its own. Called from inside a unit (a transaction's callback, a hook) it would
  // queue behind that unit, or wait for its lock, for ever: refused at once instead.
  const guard = store.unitGuard;
  const unit = <T>(method: string, work: UnitWork<T>, key?: string): Promise<T> => {
    const instead = method === 'transaction' ? 'the tx you were given (tx.apply, tx.openCase, tx.trx, …)' : `tx.${method} (and tx.trx or tx.sql for queries)`;
    const refused = guard.refusal(`engine.${method}`, instead);
    return refused ? Promise.reject(refused) : runner.run(work, key === undefined ? undefined : { key });
  };

  const engine: Engine = {
    registry,
    timeZone,
    stats: () => runner.stats(),

    apply<S extends StreamType>(cmd: ApplyCommand<S>): Promise<ApplyResult<S>> {
      // A journey's or a referral's event changes that stream's own rows only (its row, event,
      // timers and measure rows; the shared ones wait for the commit): the unit says which, so
      // PostgreSQL may run it beside others (unit-runner.ts). Records project into shared tables.
      const key = cmd.stream === 'case' || cmd.stream === 'referral' ? `${cmd.stream}:${String(cmd.id)}` : undefined;
      return unit('apply', (ctx) => applyCommand(ctx, cmd), key);
    },

    openCase(cmd: OpenCaseCommand) {
      return unit('openCase', (ctx) => openCase(ctx, cmd));
    },

    openReferral(cmd: OpenReferralCommand) {
      return unit('openReferral', (ctx) => openReferral(ctx, cmd));
    },

    openRecord<S extends RecordStreamType>(cmd: OpenRecordCommand & { stream: S }) {
      return unit('openRecord', (ctx) => openRecord(ctx, cmd));
    },

    transaction<T>(fn: (tx: EngineTransaction) => Promise<T>, txOptions?: TransactionOptions): Promise<T> {
      const only = txOptions?.only;
      const outside = (what: string): Promise<never> =>
        Promise.reject(new Error(`Engine: ${what} inside a transaction declared to change only ${only!.stream} ${only!.id}.`));
      return unit('transaction', async (ctx) => {
        // The caller may write rows before any engine operation; taking the event-log lock
        // first keeps the lock order (log, then rows) that makes PostgreSQL writers deadlock-free.
        await beginWrites(ctx);
        // Marked, so `store.db` or `engine.*` called from the callback fail at once (src/db/unit-guard.ts).
        return guard.runInside(() => fn({
          trx: ctx.trx,
          sql: ctx.sql,
          load: (stream, id) => loadStream(ctx.sql, stream, id),
          // Calls made through `tx` join the unit under a savepoint (see unit-runner.ts).
          apply: (cmd) =>
            only && (cmd.stream !== only.stream || cmd.id !== only.id) ? outside(`tx.apply on ${cmd.stream} ${cmd.id}`) : runner.join(ctx, (c) => applyCommand(c, cmd)),
          openCase: (cmd) => (only ? outside('tx.openCase') : runner.join(ctx, (c) => openCase(c, cmd))),
          openReferral: (cmd) => (only ? outside('tx.openReferral') : runner.join(ctx, (c) => openReferral(c, cmd))),
          openRecord: (cmd) => (only ? outside('tx.openRecord') : runner.join(ctx, (c) => openRecord(c, cmd))),
        }));
      }, only ? `${only.stream}:${only.id}` : undefined);
    },

    useInTransaction(hook, readWithWrite) {
      const inside: TransactionHook = (trx, change, sql) => guard.runInside(() => hook(trx, change, sql));
      if (readWithWrite) inside.readWithWrite = readWithWrite;
      hooks.push(inside);
      return remove(hooks, inside);
    },

    useBeforeCommit(hook) {
      const inside: BeforeCommitHook = (trx, changes, sql) => guard.runInside(() => hook(trx, changes, sql));
      beforeCommit.push(inside);
      return remove(beforeCommit, inside);
    },

    onCommit(listener) {
      listeners.push(listener);
      return remove(listeners, listener);
    },

    onCommitSize(listener) {
      commitSizeListeners.push(listener);
      return remove(commitSizeListeners, listener);
    },

    sweepDueTimers(sweep: SweepOptions = {}): Promise<SweepResult> {
      const refused = guard.refusal('engine.sweepDueTimers', 'nothing: sweep after the transaction');
      if (refused) return Promise.reject(refused);
      const run = sweepDueTimers(store, runner, {
        now: sweep.now ?? now(),
        limit: sweep.limit ?? 500,
        workerId: sweep.workerId ?? workerId,
      });
      inFlight = run.catch(() => undefined);
      return run;
    },

    startSweeper(intervalMs = 1000) {
      if (sweeping) return;
      sweeping = true;
      const limit = 500;
      const tick = async (): Promise<void> => {
        sweepTimer = undefined;
        if (!sweeping) return;
        let full = false;
        try {
          const result = await engine.sweepDueTimers({ limit });
          full = result.claimed === limit;
        } catch (err) {
          console.error('pathways engine: timer sweep failed; retrying', err);
        }
        // A full sweep means a backlog (say, after downtime): keep going without waiting.
        if (sweeping) sweepTimer = setTimeout(() => void tick(), full ? 0 : intervalMs);
      };
      void tick();
    },

    async stop() {
      sweeping = false;
      if (sweepTimer) clearTimeout(sweepTimer);
      sweepTimer = undefined;
      await inFlight;
    },

    async sealChain() {
      return sealer ? sealer.sealNow() : 0;
    },

    async close() {
      await engine.stop();
      await runner.idle();
      if (sealer) {
        await sealer.stop();
        // What this engine committed is chained before the store may close (unless a hole in
        // `seq` is still open on another node: then that node, or the next to start, seals it).
        await sealer.sealNow().catch((err: unknown) => console.error('pathways engine: sealing the event chain at close failed', err instanceof Error ? err.message : err));
      }
      await walSync?.close();
    },
  };
  return engine;
}
