/**
 * Replays a dated story through the engine's pure planner and produces exactly the rows the
 * engine would have written had each event been applied live: the event-log rows (hashes
 * are added by the writer, which owns the chain), the timer rows with their final status,
 * and the stream's final snapshot. Timers fire at their due time, before any later event,
 * as the sweeper delivers them; a timer its state no longer accepts ends as `noop`.
 *
 * Mirrors `src/engine/stream-writer.ts` and `timer-sweeper.ts`: payload is the event without
 * `type` and `at`; states are logged with `stateLabel`; a timer added under a pending key
 * replaces it; timers act as the system (no user, no agency). Seeded history counts as
 * recorded when it happened, so `recorded_at` equals `effective_at`.
 */
import type { StreamType, TimerRow } from '../../src/db/schema.ts';
import type { HashedEventFields } from '../../src/engine/hash-chain.ts';
import { planInitial, planTransition, type EngineEvent, type TransitionPlan } from '../../src/engine/plan-transition.ts';
import type { StoredSnapshot } from '../../src/engine/snapshot-codec.ts';
import { stateLabel } from '../../src/engine/state-label.ts';

/** Who recorded an event; both null for timers. */
export interface ReplayActor {
  userId: string | null;
  agencyId: string | null;
}

/** Marks timer rows the seeds delivered, as the sweeper marks its own. */
export const SEED_WORKER_ID = 'pathways-seed';

/** Thrown when a story asks the machine for something it refuses: a bug in the generator. */
export class StoryRefusedError extends Error {}

interface PendingTimer {
  row: TimerRow;
  dueMs: number;
}

/** One stream being replayed. */
export class StreamReplay {
  readonly events: HashedEventFields[] = [];
  readonly timers: TimerRow[] = [];
  snapshot!: StoredSnapshot;
  stateValue!: TransitionPlan['stateValue'];
  stage = '';
  version = 0;
  openedAt = '';
  stageEnteredAt = '';
  closedAt: string | null = null;
  updatedAt = '';
  private pending: PendingTimer[] = [];

  constructor(
    readonly stream: StreamType,
    readonly id: string,
    /** Draws timer ids, so they repeat with the seed. */
    private readonly newId: () => string,
  ) {}

  /** Opens the stream with its opening event (`CASE_OPENED`, `REFERRAL_REQUESTED`). */
  open(input: Record<string, unknown>, at: string, type: string, payload: Record<string, unknown>, actor: ReplayActor): TransitionPlan {
    const plan = planInitial(this.stream, 1, input, at);
    this.openedAt = at;
    this.stageEnteredAt = at;
    this.record(plan, type, payload, null, at, actor);
    return plan;
  }

  /** Applies a user event at `event.at`, delivering every timer due by then first. */
  apply(event: EngineEvent, actor: ReplayActor): TransitionPlan {
    this.fireDue(Date.parse(event.at));
    const plan = planTransition(this.stream, 1, this.snapshot, event);
    if (!plan.accepted) {
      throw new StoryRefusedError(
        `${this.stream} ${this.id}: ${event.type} at ${event.at} refused in ${stateLabel(this.stateValue)} ` +
          `(${plan.refusal ?? 'refused'}${plan.refusedBy ? `: ${plan.refusedBy.join(', ')}` : ''}); allowed: ${plan.allowedEvents.join(', ')}`,
      );
    }
    this.record(plan, event.type, payloadOf(event), stateLabel(this.stateValue), event.at, actor);
    return plan;
  }

  /** Delivers, in due order, every pending timer due at or before `untilMs`. */
  fireDue(untilMs: number): void {
    for (;;) {
      let next: PendingTimer | undefined;
      for (const p of this.pending) {
        if (p.dueMs > untilMs) continue;
        // The sweeper takes timers by due time, then id.
        if (!next || p.dueMs < next.dueMs || (p.dueMs === next.dueMs && p.row.id < next.row.id)) next = p;
      }
      if (!next) return;
      this.pending.splice(this.pending.indexOf(next), 1);
      const at = next.row.due_at;
      const event = { ...(JSON.parse(next.row.event) as Record<string, unknown>), at } as EngineEvent;
      const plan = this.snapshot.status === 'active' ? planTransition(this.stream, 1, this.snapshot, event) : null;
      next.row.status = plan?.accepted ? 'fired' : 'noop';
      next.row.fired_at = at;
      next.row.claimed_by = SEED_WORKER_ID;
      if (plan?.accepted) this.record(plan, event.type, payloadOf(event), stateLabel(this.stateValue), at, { userId: null, agencyId: null });
    }
  }

  /** Timers still pending (for the summary). */
  get pendingCount(): number {
    return this.pending.length;
  }

  private record(plan: TransitionPlan, type: string, payload: Record<string, unknown>, fromState: string | null, at: string, actor: ReplayActor): void {
    this.version += 1;
    if (plan.stage !== this.stage) this.stageEnteredAt = at;
    this.stage = plan.stage;
    this.snapshot = plan.snapshot;
    this.stateValue = plan.stateValue;
    if (plan.done) this.closedAt ??= at;
    this.updatedAt = at;
    this.events.push({
      stream_type: this.stream,
      stream_id: this.id,
      stream_version: this.version,
      type,
      payload: JSON.stringify(payload),
      from_state: fromState,
      to_state: stateLabel(plan.stateValue),
      user_id: actor.userId,
      agency_id: actor.agencyId,
      recorded_at: at,
      effective_at: at,
      backdate_reason: null,
    });
    this.writeTimers(plan, at);
  }

  private writeTimers(plan: TransitionPlan, at: string): void {
    const keys = new Set(plan.timersToCancel);
    for (const t of plan.timersToAdd) keys.add(t.key);
    if (keys.size > 0) {
      this.pending = this.pending.filter((p) => {
        if (!keys.has(p.row.timer_key)) return true;
        p.row.status = 'cancelled';
        return false;
      });
    }
    for (const t of plan.timersToAdd) {
      const row: TimerRow = {
        id: this.newId(),
        stream_type: this.stream,
        stream_id: this.id,
        timer_key: t.key,
        event: JSON.stringify(t.event),
        due_at: t.dueAt,
        created_at: at,
        status: 'pending',
        fired_at: null,
        claimed_by: null,
        claimed_until: null,
      };
      this.timers.push(row);
      this.pending.push({ row, dueMs: Date.parse(t.dueAt) });
    }
  }
}

function payloadOf(event: EngineEvent): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const key in event) if (key !== 'type' && key !== 'at') payload[key] = event[key];
  return payload;
}
