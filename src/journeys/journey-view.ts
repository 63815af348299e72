/**
 * The journey as the API returns it: the stream row and the statechart's context laid out
 * for a reader (stage, state, version, care package, interventions, TOPs, reviews,
 * check-ups, due timers, overdue flags), with the events this user may send now. The
 * consent cut is applied by `projectJourney` (src/access/projection.ts).
 */
import type { Kysely } from 'kysely';
import { projectJourney } from '../access/projection.ts';
import type { Scope } from '../access/record-access.ts';
import { journeyAsOf } from '../access/stream-as-of.ts';
import type { DirectSql } from '../db/direct-sql.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import type { ApplyResult, Engine } from '../engine/engine-types.ts';
import { allowedNowOf } from '../engine/plan-transition.ts';
import { restoreSnapshot, type StoredSnapshot } from '../engine/snapshot-codec.ts';
import type { AllowedNow, EventOptions } from '../../machines/allowed-now.ts';
import { stateLabel } from '../engine/state-label.ts';
import { overdueOf } from '../../machines/overdue.ts';
import type { AuthUser } from '../auth/auth-user.ts';

type Obj = Record<string, unknown>;

/** Roles of the lead agency that move a journey on. */
export const CASE_WRITER_ROLES = ['keyworker', 'manager'] as const;

/** True when this user may send events to this journey. */
export function maySendCaseEvents(user: AuthUser, row: Pick<CaseRow, 'lead_agency_id'>): boolean {
  return row.lead_agency_id === user.agencyId && (CASE_WRITER_ROLES as readonly string[]).includes(user.role);
}

/**
 * What the journey accepts now from any sender: event types some payload would get
 * through (guards evaluated, timer events left out) and the field values they accept.
 * @param at - ISO time now (probes carry its date)
 */
export function acceptedNow(engine: Engine, row: CaseRow, at: string = new Date().toISOString()): AllowedNow {
  const snapshot = restoreSnapshot(engine.registry.getMachine('case', row.machine_version), row.snapshot);
  return allowedNowOf(engine.registry, snapshot, at);
}

/** A pending timer as the API shows it. */
export interface DueTimer {
  key: string;
  event: string;
  dueAt: string;
}

type TimerRowOf = { timer_key: string; event: string; due_at: string };

const PENDING_TIMERS = "select timer_key, event, due_at from timers where stream_type = ? and stream_id = ? and status = 'pending' order by due_at";

/** Pending timers of a stream, soonest first. */
export async function dueTimers(db: Kysely<Database>, stream: 'case' | 'referral', id: string): Promise<DueTimer[]> {
  const rows = await db
    .selectFrom('timers')
    .select(['timer_key', 'event', 'due_at'])
    .where('stream_type', '=', stream)
    .where('stream_id', '=', id)
    .where('status', '=', 'pending')
    .orderBy('due_at')
    .execute();
  return rows.map(dueTimerOf);
}

/** The same, read inside an engine transaction. */
export async function dueTimersIn(db: DirectSql, stream: 'case' | 'referral', id: string): Promise<DueTimer[]> {
  return (await db.all<TimerRowOf>(PENDING_TIMERS, [stream, id])).map(dueTimerOf);
}

/**
 * Pending timers of a stream an event was just applied to, inside that transaction: those
 * the engine read with its write (PostgreSQL: no round trip of its own), or read now.
 */
export async function dueTimersAfter(db: DirectSql, stream: 'case' | 'referral', applied: Pick<ApplyResult, 'row' | 'pendingTimers'>): Promise<DueTimer[]> {
  return applied.pendingTimers ? applied.pendingTimers.map(dueTimerOf) : dueTimersIn(db, stream, applied.row.id);
}

function dueTimerOf(r: TimerRowOf): DueTimer {
  let type = r.event;
  try {
    const parsed = (JSON.parse(r.event) as { type?: unknown }).type;
    if (typeof parsed === 'string') type = parsed;
  } catch {
    // an event stored as a bare type name
  }
  return { key: r.timer_key, event: type, dueAt: r.due_at };
}

/** The full journey view (before the consent cut). */
export function journeyRecord(
  row: CaseRow,
  extra: { allowedEvents: string[]; eventOptions?: EventOptions; dueTimers: DueTimer[]; person?: Obj; snapshot?: StoredSnapshot },
): Obj {
  const snapshot = extra.snapshot ?? (JSON.parse(row.snapshot) as StoredSnapshot);
  const c = snapshot.context;
  const carePlan = (c.carePlan ?? null) as Obj | null;
  return {
    id: row.id,
    personId: row.person_id,
    leadAgencyId: row.lead_agency_id,
    machineVersion: row.machine_version,
    version: row.version,
    open: row.closed_at === null,
    stage: row.stage,
    state: stateLabel(snapshot.value),
    stateValue: snapshot.value,
    status: snapshot.status,
    keyworkerId: row.keyworker_id,
    referralSource: row.referral_source,
    referredOn: row.referred_on,
    stageEnteredAt: row.stage_entered_at,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    updatedAt: row.updated_at,
    allowedEvents: extra.allowedEvents,
    eventOptions: extra.eventOptions ?? {},
    dueTimers: extra.dueTimers,
    overdue: overdueOf(c, snapshot.value, row.closed_at !== null),
    carePackage: carePlan,
    interventions: (carePlan?.interventions) ?? [],
    assessment: c.assessment ?? null,
    substanceGroup: c.substanceGroup ?? null,
    tops: c.tops ?? [],
    reviews: c.reviews ?? [],
    lastReviewOn: c.lastReviewOn ?? null,
    treatmentStartedOn: c.treatmentStartedOn ?? null,
    reenteredOn: c.reenteredOn ?? null,
    waitingTimeBreached: c.waitingTimeBreached ?? false,
    discharge: c.discharge ?? null,
    closure: c.closure ?? null,
    checkups: c.checkups ?? [],
    representations: c.representations ?? 0,
    continuity: c.continuity ?? null,
    custody: c.custody ?? null,
    ...(extra.person ? { person: extra.person } : {}),
  };
}

/** The journey as this user may see it. */
export async function caseView(
  db: Kysely<Database>,
  engine: Engine,
  user: AuthUser,
  row: CaseRow,
  scope: Scope,
  /** `snapshot`: the row's snapshot already parsed (as the engine returns it after a change). */
  /** `allowedEvents` + `eventOptions`: what the stream accepts now, when the caller has it (the engine's result after a change). */
  options: { person?: Obj; allowedEvents?: string[]; eventOptions?: EventOptions; dueTimers?: DueTimer[]; snapshot?: StoredSnapshot } = {},
): Promise<Obj> {
  const access = { scope: scope.kind, categories: scope.categories === 'all' ? ['all'] : [...scope.categories] };
  if (scope.sharedUntil) {
    // Consent withdrawn: the journey as it stood then, nothing recorded later, no timers.
    const then = await journeyAsOf(db, engine.registry, row, scope.sharedUntil);
    if (!then) return { ...projectJourney({ id: row.id, personId: row.person_id, leadAgencyId: row.lead_agency_id, machineVersion: row.machine_version, version: 0, open: true }, scope.categories), access, ...withdrawn(scope.sharedUntil) };
    const record = journeyRecord(then.row, { allowedEvents: [], eventOptions: {}, dueTimers: [], snapshot: then.snapshot });
    return { ...projectJourney(record, scope.categories), access, ...withdrawn(scope.sharedUntil) };
  }
  const none: AllowedNow = { allowedEvents: [], eventOptions: {} };
  const given = options.allowedEvents && options.eventOptions ? { allowedEvents: options.allowedEvents, eventOptions: options.eventOptions } : null;
  const choices = maySendCaseEvents(user, row) ? (given ?? acceptedNow(engine, row)) : none;
  const timers = options.dueTimers ?? (await dueTimers(db, 'case', row.id));
  const record = journeyRecord(row, {
    ...choices,
    dueTimers: timers,
    ...(options.person ? { person: options.person } : {}),
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  });
  return { ...projectJourney(record, scope.categories), access, consentWithdrawn: false, sharedUntil: null };
}

/** The marks of a record shown as it stood when consent was withdrawn. */
function withdrawn(sharedUntil: string): { consentWithdrawn: true; sharedUntil: string } {
  return { consentWithdrawn: true, sharedUntil };
}
