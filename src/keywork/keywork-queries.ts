/**
 * Reads of a keyworker's day: a journey's appointments and contact entries (cut to what
 * the viewer may see), tasks by assignee, "my day", and the team queue with caseload sizes.
 * Every list here is of the viewer's own agency's journeys, which it holds in full; the
 * one read that can cross agencies (a journey's contacts) takes the viewer's scope.
 */
import { CONSENT_WARNING_DAYS, consentsEndingSoon } from '../consent/consent-warnings.ts';
import type { Kysely } from 'kysely';
import { covers, type CategoryScope, type DataCategory } from '../../machines/data-categories.ts';
import type { Database } from '../db/schema.ts';

const DAY_MS = 86_400_000;

/** `date` plus `days` calendar days. */
function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** One appointment as the API shows it. */
export function appointmentView(a: Database['appointments']) {
  return {
    id: a.id,
    caseId: a.case_id,
    personId: a.person_id,
    kind: a.kind,
    startsAt: a.starts_at,
    withWhom: a.with_whom,
    partnerAgencyId: a.partner_agency_id,
    status: a.status,
    outcome: a.outcome,
    cancellationReason: a.cancellation_reason,
    bookedBy: a.booked_by,
    bookedAt: a.booked_at,
    settledBy: a.settled_by,
    settledAt: a.settled_at,
  };
}

/** A journey's appointments, soonest first. */
export async function listAppointments(db: Kysely<Database>, caseId: string) {
  const rows = await db.selectFrom('appointments').selectAll().where('case_id', '=', caseId).orderBy('starts_at').orderBy('id').execute();
  return rows.map(appointmentView);
}

/** One appointment row, or undefined. */
export async function findAppointment(db: Kysely<Database>, id: string) {
  return db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * A journey's contact entries, newest first, each with `correctedBy` when a later entry
 * corrects it. Another agency sees only the categories the person agreed to share with it.
 */
export async function listContacts(db: Kysely<Database>, caseId: string, scope: CategoryScope) {
  const rows = await db.selectFrom('contact_entries').selectAll().where('case_id', '=', caseId).orderBy('contact_on', 'desc').orderBy('recorded_at', 'desc').execute();
  const visible = rows.filter((r) => covers(scope, r.category as DataCategory));
  const correctedBy = new Map(visible.filter((r) => r.corrects).map((r) => [r.corrects, r.id]));
  return visible.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    contactOn: r.contact_on,
    mode: r.mode,
    category: r.category,
    summary: r.summary,
    corrects: r.corrects,
    correctedBy: correctedBy.get(r.id) ?? null,
    authorId: r.author_id,
    recordedAt: r.recorded_at,
  }));
}

/** Tasks with their journey's person, for lists. */
function taskQuery(db: Kysely<Database>) {
  return db
    .selectFrom('tasks')
    .innerJoin('cases', 'cases.id', 'tasks.case_id')
    .innerJoin('people', 'people.id', 'tasks.person_id')
    .select([
      'tasks.id',
      'tasks.case_id',
      'tasks.kind',
      'tasks.appointment_id',
      'tasks.due_on',
      'tasks.assignee_id',
      'tasks.status',
      'tasks.created_at',
      'tasks.assigned_reason',
      'tasks.done_at',
      'tasks.done_by',
      'cases.keyworker_id',
      'people.given_name',
      'people.family_name',
    ]);
}

type TaskListRow = Awaited<ReturnType<ReturnType<typeof taskQuery>['execute']>>[number];

/** One task as the API shows it; an unassigned task is the journey's keyworker's. */
export function taskView(t: TaskListRow) {
  return {
    id: t.id,
    caseId: t.case_id,
    kind: t.kind,
    appointmentId: t.appointment_id,
    dueOn: t.due_on,
    assigneeId: t.assignee_id ?? t.keyworker_id,
    status: t.status,
    createdAt: t.created_at,
    assignedReason: t.assigned_reason,
    doneAt: t.done_at,
    doneBy: t.done_by,
    personName: `${t.given_name} ${t.family_name}`,
  };
}

/** Which tasks to list. */
export interface TaskFilter {
  agencyId: string;
  /** A user id (their tasks, including unassigned tasks of journeys they keywork), or `unassigned`. */
  assignee?: string;
  status?: 'open' | 'done';
  limit: number;
}

/** Tasks of the agency's journeys, soonest due first. */
export async function listTasks(db: Kysely<Database>, f: TaskFilter) {
  let q = taskQuery(db).where('tasks.agency_id', '=', f.agencyId);
  if (f.status) q = q.where('tasks.status', '=', f.status);
  const assignee = f.assignee;
  if (assignee === 'unassigned') q = q.where('tasks.assignee_id', 'is', null).where('cases.keyworker_id', 'is', null);
  else if (assignee) q = q.where((eb) => eb.or([eb('tasks.assignee_id', '=', assignee), eb.and([eb('tasks.assignee_id', 'is', null), eb('cases.keyworker_id', '=', assignee)])]));
  const rows = await q.orderBy('tasks.due_on').orderBy('tasks.id').limit(f.limit).execute();
  return rows.map(taskView);
}

/** One task row with its journey, or undefined. */
export async function findTask(db: Kysely<Database>, id: string) {
  const row = await taskQuery(db).where('tasks.id', '=', id).executeTakeFirst();
  return row ? { view: taskView(row), agencyId: (await db.selectFrom('tasks').select('agency_id').where('id', '=', id).executeTakeFirstOrThrow()).agency_id } : undefined;
}

/** How far ahead "my day" looks for reviews, waits nearing 21 days and consents running out. */
export const MY_DAY_LOOKAHEAD_DAYS = { reviews: 14, waiting: 7, consents: CONSENT_WARNING_DAYS } as const;

/**
 * One keyworker's day: appointments today, open tasks, reviews due, journeys whose
 * 21-day wait is nearly up, referrals to acknowledge in the agency's inbox, and consents
 * running out for people on the caseload. Deadlines come from the engine's own timer
 * rows, so the list and the timers cannot disagree.
 */
export async function myDay(db: Kysely<Database>, user: { id: string; agencyId: string }, today: string, dayStart: string, dayEnd: string) {
  const person = (given: string, family: string) => `${given} ${family}`;
  const appointments = await db
    .selectFrom('appointments')
    .innerJoin('cases', 'cases.id', 'appointments.case_id')
    .innerJoin('people', 'people.id', 'appointments.person_id')
    .selectAll('appointments')
    .select(['people.given_name', 'people.family_name'])
    .where('appointments.agency_id', '=', user.agencyId)
    .where('cases.keyworker_id', '=', user.id)
    .where('appointments.starts_at', '>=', dayStart)
    .where('appointments.starts_at', '<', dayEnd)
    .orderBy('appointments.starts_at')
    .execute();
  const tasks = await listTasks(db, { agencyId: user.agencyId, assignee: user.id, status: 'open', limit: 200 });
  const timersDue = async (key: string, days: number) =>
    db
      .selectFrom('timers')
      .innerJoin('cases', 'cases.id', 'timers.stream_id')
      .innerJoin('people', 'people.id', 'cases.person_id')
      .select(['cases.id as caseId', 'timers.due_at as dueAt', 'people.given_name', 'people.family_name'])
      .where('timers.stream_type', '=', 'case')
      .where('timers.timer_key', '=', key)
      .where('timers.status', '=', 'pending')
      .where('timers.due_at', '<', `${plusDays(today, days + 1)}T00:00:00.000Z`)
      .where('cases.keyworker_id', '=', user.id)
      .where('cases.lead_agency_id', '=', user.agencyId)
      .orderBy('timers.due_at')
      .limit(200)
      .execute();
  const reviewTimers = await timersDue('review-due', MY_DAY_LOOKAHEAD_DAYS.reviews);
  const reviewsDueNow = await db
    .selectFrom('cases')
    .innerJoin('people', 'people.id', 'cases.person_id')
    .select(['cases.id as caseId', 'cases.stage_entered_at as dueAt', 'people.given_name', 'people.family_name'])
    .where('cases.keyworker_id', '=', user.id)
    .where('cases.lead_agency_id', '=', user.agencyId)
    .where('cases.stage', '=', 'inTreatment')
    .where('cases.state_value', 'like', '%reviewDue%')
    .limit(200)
    .execute();
  const waiting = await timersDue('waiting-time', MY_DAY_LOOKAHEAD_DAYS.waiting);
  const referrals = await db
    .selectFrom('referrals')
    .innerJoin('agencies', 'agencies.id', 'referrals.from_agency_id')
    .select(['referrals.id', 'referrals.kind', 'referrals.urgency', 'referrals.acknowledge_by as acknowledgeBy', 'referrals.created_at as sentAt', 'agencies.name as fromAgencyName'])
    .where('referrals.to_agency_id', '=', user.agencyId)
    .where('referrals.state', '=', 'requested')
    .orderBy('referrals.acknowledge_by')
    .limit(100)
    .execute();
  // The consents a live referral uses that end within the caseload's warning window (src/consent/consent-warnings.ts).
  const openCases = await db
    .selectFrom('cases')
    .innerJoin('people', 'people.id', 'cases.person_id')
    .select(['cases.id as caseId', 'cases.person_id', 'people.given_name', 'people.family_name'])
    .where('cases.keyworker_id', '=', user.id)
    .where('cases.lead_agency_id', '=', user.agencyId)
    .where('cases.closed_at', 'is', null)
    .execute();
  const caseOf = new Map(openCases.map((c) => [c.person_id, c] as const));
  const consents = (await consentsEndingSoon(db, [...caseOf.keys()], today, MY_DAY_LOOKAHEAD_DAYS.consents)).slice(0, 100).map((c) => {
    const { caseId, given_name, family_name } = caseOf.get(c.personId)!;
    return { id: c.id, personId: c.personId, caseId, validUntil: c.validUntil, toAgencyKind: c.toAgencyKind, toAgencyName: c.toAgencyName, given_name, family_name };
  });
  const withName = <T extends { given_name: string; family_name: string }>({ given_name, family_name, ...rest }: T) => ({ ...rest, personName: person(given_name, family_name) });
  return {
    date: today,
    appointments: appointments.map((a) => ({ ...appointmentView(a), personName: person(a.given_name, a.family_name) })),
    tasks,
    reviewsDue: [...reviewsDueNow.map((r) => ({ ...withName(r), due: true })), ...reviewTimers.map((r) => ({ ...withName(r), due: false }))],
    waitingNear21Days: waiting.map(withName),
    referralsToAcknowledge: referrals,
    consentsExpiring: consents.map(withName),
  };
}

/**
 * The team's queue: open journeys with no keyworker, and referrals accepted but not yet
 * on anyone's caseload; beside it the keyworkers with their caseload sizes.
 */
export async function teamQueue(db: Kysely<Database>, agencyId: string) {
  const journeys = await db
    .selectFrom('cases')
    .innerJoin('people', 'people.id', 'cases.person_id')
    .select(['cases.id', 'cases.stage', 'cases.referral_source as referralSource', 'cases.referred_on as referredOn', 'cases.opened_at as openedAt', 'cases.overdue', 'people.given_name', 'people.family_name'])
    .where('cases.lead_agency_id', '=', agencyId)
    .where('cases.keyworker_id', 'is', null)
    .where('cases.closed_at', 'is', null)
    .orderBy('cases.referred_on')
    .orderBy('cases.id')
    .limit(500)
    .execute();
  const referrals = await db
    .selectFrom('referrals')
    .innerJoin('agencies', 'agencies.id', 'referrals.from_agency_id')
    .leftJoin('cases', 'cases.id', 'referrals.case_id')
    .select(['referrals.id', 'referrals.kind', 'referrals.case_id as caseId', 'referrals.updated_at as acceptedAt', 'agencies.name as fromAgencyName'])
    .where('referrals.to_agency_id', '=', agencyId)
    .where('referrals.state', '=', 'accepted')
    .where('referrals.case_id', 'is', null)
    .orderBy('referrals.updated_at')
    .limit(500)
    .execute();
  const keyworkers = await db
    .selectFrom('users')
    .leftJoin('cases', (j) => j.onRef('cases.keyworker_id', '=', 'users.id').on('cases.closed_at', 'is', null))
    .select(['users.id', 'users.name', (eb) => eb.fn.count<number>('cases.id').as('caseload')])
    .where('users.agency_id', '=', agencyId)
    .where('users.role', '=', 'keyworker')
    .where('users.disabled_at', 'is', null)
    .groupBy(['users.id', 'users.name'])
    .orderBy('users.name')
    .execute();
  return {
    journeys: journeys.map(({ given_name, family_name, overdue, ...j }) => ({ ...j, overdue: overdue === 1, personName: `${given_name} ${family_name}` })),
    referrals,
    keyworkers: keyworkers.map((k) => ({ id: k.id, name: k.name, caseload: Number(k.caseload) })),
  };
}
