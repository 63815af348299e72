/**
 * Delivers durable timers that have fallen due, through the same write path as a user's
 * event (actor: the system; effective time: the due time), exactly once each.
 *
 * Exactly once rests on one rule: a timer's status leaves `pending` in the same
 * transaction that writes its event, and only if it is still `pending` — so a second
 * sweeper (another process, another engine, a retry after a crash) finds nothing to do.
 * Claims only keep sweepers from doing the same work twice: on PostgreSQL a sweeper
 * leases a batch with `FOR UPDATE SKIP LOCKED` under a claim token of its own, and the
 * delivery re-reads the timer row under `FOR UPDATE` in its write transaction and applies
 * only while the row still carries that token (the fence): a node that stalled past its
 * lease and lost the timer to another node cannot apply it too. The lease is short
 * (`CLAIM_LEASE_MS`), so the claims of a node that died mid-sweep fire on another node
 * within seconds. On SQLite there is one writer and the check happens inside the write
 * transaction.
 *
 * A sweeper that was down catches up: every timer due at or before now is pending until
 * delivered, in due-time order.
 */
import { sql } from 'kysely';
import type { Store } from '../db/database.ts';
import type { TimerRow } from '../db/schema.ts';
import { SYSTEM_ACTOR, type SweepResult } from './engine-types.ts';
import { planTransition, type EngineEvent } from './plan-transition.ts';
import { beginWrites, loadStream, writeTransition, type TxContext } from './stream-writer.ts';
import type { UnitRunner } from './unit-runner.ts';

/**
 * How long a PostgreSQL claim keeps other sweepers off a timer: a dead node's claims are
 * taken over this long after its sweep. A live node delivers a claimed batch well within
 * it (a few ms a timer); one that overruns loses only the timers another node took (the
 * fence skips them), never fires one twice.
 */
export const CLAIM_LEASE_MS = 5_000;

let claims = 0;

type Outcome = 'fired' | 'noop' | 'skipped';

/** Delivers one timer inside `ctx`'s transaction; `skipped` if it is no longer pending. */
export async function deliverTimer(ctx: TxContext, timerId: string, workerId: string, claimToken?: string): Promise<Outcome> {
  // Lock order as for every writer: event log first, then the stream's row, then its timers.
  await beginWrites(ctx);
  const postgres = ctx.dialect === 'postgres';
  let row: Awaited<ReturnType<typeof loadStream>> = undefined;
  if (postgres) {
    // The stream row is locked before the timer row, as a user's event on the stream takes
    // them (its update, then its timers): the other order deadlocks with it.
    const stream = await ctx.sql.get<Pick<TimerRow, 'stream_type' | 'stream_id'>>('select stream_type, stream_id from timers where id = ?', [timerId]);
    if (!stream) return 'skipped';
    // Another node delivering a timer of the same stream goes first, then this one reads its result.
    row = await loadStream(ctx.sql, stream.stream_type, stream.stream_id, true);
  }
  let query = ctx.trx.selectFrom('timers').selectAll().where('id', '=', timerId).where('status', '=', 'pending');
  // The fence: only while the claim is still ours (another node may have taken it over).
  if (claimToken !== undefined) query = query.where('claimed_by', '=', claimToken);
  if (postgres) query = query.forUpdate();
  const timer = await query.executeTakeFirst();
  if (!timer) return 'skipped';
  const nowIso = ctx.now().toISOString();
  if (!postgres) row = await loadStream(ctx.sql, timer.stream_type, timer.stream_id);
  const event = { ...(JSON.parse(timer.event) as Record<string, unknown>), at: timer.due_at } as EngineEvent;
  const plan = row ? planTransition(timer.stream_type, row.machine_version, row.snapshot, event, ctx.registry) : null;
  const outcome: Outcome = plan?.accepted ? 'fired' : 'noop';
  // Marked before the transition writes its own timers, which may re-arm the same key.
  await ctx.trx
    .updateTable('timers')
    .set({ status: outcome, fired_at: nowIso, claimed_by: workerId })
    .where('id', '=', timerId)
    .where('status', '=', 'pending')
    .execute();
  if (row && plan?.accepted) await writeTransition(ctx, timer.stream_type, row, plan, event, SYSTEM_ACTOR, null);
  return outcome;
}

type Due = Pick<TimerRow, 'id' | 'due_at' | 'stream_type' | 'stream_id'>;

async function claimPostgres(store: Store, now: Date, limit: number, claimToken: string): Promise<Due[]> {
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + CLAIM_LEASE_MS).toISOString();
  const result = await sql<Due>`
    update timers set claimed_by = ${claimToken}, claimed_until = ${until}
    where id in (
      select id from timers
      where status = 'pending' and due_at <= ${nowIso}
        and (claimed_until is null or claimed_until < ${nowIso})
      order by due_at, id
      limit ${limit}
      for update skip locked
    )
    returning id, due_at, stream_type, stream_id`.execute(store.db);
  return result.rows.sort((a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : a.id < b.id ? -1 : 1));
}

async function dueSqlite(store: Store, now: Date, limit: number): Promise<Due[]> {
  return store.db
    .selectFrom('timers')
    .select(['id', 'due_at', 'stream_type', 'stream_id'])
    .where('status', '=', 'pending')
    .where('due_at', '<=', now.toISOString())
    .orderBy('due_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** One sweep: claims up to `limit` due timers and delivers them in due order. */
export async function sweepDueTimers(
  store: Store,
  runner: UnitRunner,
  options: { now: Date; limit: number; workerId: string },
): Promise<SweepResult> {
  const { now, limit, workerId } = options;
  // A token per claim: the worker id, and which of its claims (a re-claim after a lapse is a new one).
  const claimToken = store.dialect === 'postgres' ? `${workerId}#${++claims}` : undefined;
  const due = claimToken !== undefined ? await claimPostgres(store, now, limit, claimToken) : await dueSqlite(store, now, limit);
  const result: SweepResult = { claimed: due.length, fired: 0, noop: 0, skipped: 0 };
  const failures: unknown[] = [];
  // SQLite: one unit per timer, in due order. PostgreSQL runs units in parallel, so there
  // one unit per stream delivers that stream's timers in due order (each under a savepoint,
  // so a failing one stays pending alone): two units would race for the stream's version.
  const byStream = new Map<string, string[]>();
  for (const t of due) {
    const key = store.dialect === 'postgres' ? `${t.stream_type}/${t.stream_id}` : t.id;
    const ids = byStream.get(key);
    if (ids) ids.push(t.id);
    else byStream.set(key, [t.id]);
  }
  const deliverAll = async (ctx: TxContext, ids: string[]): Promise<Array<Outcome | { failed: unknown }>> => {
    if (ids.length === 1) return [await deliverTimer(ctx, ids[0]!, workerId, claimToken)];
    const outcomes: Array<Outcome | { failed: unknown }> = [];
    for (const id of ids) outcomes.push(await runner.join(ctx, (c) => deliverTimer(c, id, workerId, claimToken)).catch((failed: unknown) => ({ failed })));
    return outcomes;
  };
  // Counted once committed.
  // On PostgreSQL each stream's deliveries commit alone (UnitOptions.alone), never batched
  // with other streams': they would lock several streams' rows against the users' batches.
  const settled = await Promise.allSettled([...byStream.values()].map((ids) => runner.run((ctx) => deliverAll(ctx, ids), { alone: true })));
  for (const s of settled) {
    if (s.status === 'rejected') failures.push(s.reason);
    else
      for (const o of s.value) {
        if (typeof o === 'string') result[o] += 1;
        else failures.push(o.failed);
      }
  }
  // A failing timer stays pending and is retried by the next sweep; the others are done.
  for (const err of failures) console.error('pathways engine: a timer could not be delivered; it stays pending', err);
  return result;
}
