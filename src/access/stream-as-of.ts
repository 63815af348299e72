/**
 * A journey or a referral as it stood at an instant: the stream replayed from its event
 * log up to the last event recorded before it (an event in the same millisecond as a
 * withdrawal cannot be ordered before it, so it counts as after: nothing new flows). When a person withdraws consent, the agency
 * it named keeps what it already held — the record as it was at the withdrawal — and
 * nothing recorded later; rows keep only the newest state, so the older one is worked
 * out again from the log through the same statechart (a journey holds tens of events, so
 * a replay costs well under a millisecond of planning per read).
 */
import type { Kysely } from 'kysely';
import type { CaseRow, Database, ReferralRow } from '../db/schema.ts';
import type { MachineRegistry } from '../engine/machine-registry.ts';
import { planInitial, planTransition, type TransitionPlan } from '../engine/plan-transition.ts';
import type { StoredSnapshot } from '../engine/snapshot-codec.ts';

/** A stream row as it stood at an instant, with its snapshot then. */
export interface StreamAsOf<R> {
  row: R;
  snapshot: StoredSnapshot;
  /** The last event recorded by then (its version is the row's). */
  lastRecordedAt: string;
}

interface Replayed {
  plan: TransitionPlan;
  version: number;
  lastRecordedAt: string;
  lastEffectiveAt: string;
  /** Effective time of the event that entered the stage the stream was in at the end. */
  stageEnteredAt: string;
}

async function replay(
  db: Kysely<Database>,
  registry: MachineRegistry,
  stream: 'case' | 'referral',
  id: string,
  machineVersion: number,
  until: string,
): Promise<Replayed | null> {
  const events = await db
    .selectFrom('events')
    .select(['stream_version', 'type', 'payload', 'effective_at', 'recorded_at'])
    .where('stream_type', '=', stream)
    .where('stream_id', '=', id)
    .where('recorded_at', '<', until)
    .orderBy('stream_version')
    .execute();
  const first = events[0];
  if (!first) return null;
  const opening = JSON.parse(first.payload) as Record<string, unknown>;
  // A referral's machine input is its opening payload with the time it was requested.
  const input = stream === 'referral' ? { ...opening, requestedAt: first.effective_at } : opening;
  let plan = planInitial(stream, machineVersion, input, first.effective_at, registry);
  let stageEnteredAt = first.effective_at;
  let last = first;
  for (const e of events.slice(1)) {
    const payload = JSON.parse(e.payload) as Record<string, unknown>;
    const next = planTransition(stream, machineVersion, plan.snapshot, { ...payload, type: e.type, at: e.effective_at }, registry);
    last = e;
    // An event the statechart did not move on (a link, a note) changes no state.
    if (!next.accepted) continue;
    if (next.stage !== plan.stage) stageEnteredAt = e.effective_at;
    plan = next;
  }
  return { plan, version: last.stream_version, lastRecordedAt: last.recorded_at, lastEffectiveAt: last.effective_at, stageEnteredAt };
}

/** True when the stream's first event was recorded before `until` (the record existed then). */
export async function recordedBy(db: Kysely<Database>, stream: 'case' | 'referral', id: string, until: string): Promise<boolean> {
  const first = await db
    .selectFrom('events')
    .select('recorded_at')
    .where('stream_type', '=', stream)
    .where('stream_id', '=', id)
    .where('stream_version', '=', 1)
    .executeTakeFirst();
  return first !== undefined && first.recorded_at < until;
}

/** The journey as it stood just before `until`, or null when it was opened later. */
export async function journeyAsOf(db: Kysely<Database>, registry: MachineRegistry, row: CaseRow, until: string): Promise<StreamAsOf<CaseRow> | null> {
  const r = await replay(db, registry, 'case', row.id, row.machine_version, until);
  if (!r) return null;
  const context = r.plan.snapshot.context;
  const asOf: CaseRow = {
    ...row,
    version: r.version,
    stage: r.plan.stage,
    state_value: JSON.stringify(r.plan.stateValue),
    snapshot: JSON.stringify(r.plan.snapshot),
    keyworker_id: (context.keyworkerId as string | null | undefined) ?? null,
    stage_entered_at: r.stageEnteredAt,
    closed_at: r.plan.done ? r.stageEnteredAt : null,
    updated_at: r.lastRecordedAt,
  };
  return { row: asOf, snapshot: r.plan.snapshot, lastRecordedAt: r.lastRecordedAt };
}

/** The referral as it stood just before `until`, or null when it was sent later. */
export async function referralAsOf(db: Kysely<Database>, registry: MachineRegistry, row: ReferralRow, until: string): Promise<StreamAsOf<ReferralRow> | null> {
  const r = await replay(db, registry, 'referral', row.id, row.machine_version, until);
  if (!r) return null;
  const asOf: ReferralRow = {
    ...row,
    version: r.version,
    state: r.plan.stage,
    snapshot: JSON.stringify(r.plan.snapshot),
    updated_at: r.lastRecordedAt,
  };
  return { row: asOf, snapshot: r.plan.snapshot, lastRecordedAt: r.lastRecordedAt };
}
