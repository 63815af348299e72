/**
 * A keyworker's day over HTTP: appointments, contact entries, tasks, "my day", the team
 * queue and assignment, and attendance reported back to a referral's sender. Each write
 * is one event on the journey's stream (src/keywork/keywork-writer.ts).
 */
import { z } from 'zod';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { PathwaysError } from '../../src/errors.ts';
import { attendanceReports } from '../../src/keywork/attendance-reports.ts';
import { findAppointment, findTask, listAppointments, listContacts, listTasks, myDay, teamQueue, appointmentView } from '../../src/keywork/keywork-queries.ts';
import { actOnTask, assignJourney, bookAppointment, recordContact, settleAppointment } from '../../src/keywork/keywork-writer.ts';
import { londonDate, londonDayBounds } from '../../src/keywork/london-day.ts';
import { caseView } from '../../src/journeys/journey-view.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';
import { defineRoute } from '../routing/route.ts';
import { caseSchema } from '../schemas/case.ts';
import { idParams } from '../schemas/common.ts';
import {
  appointmentEventBody,
  appointmentSchema,
  assignJourneyBody,
  attendanceReportSchema,
  bookAppointmentBody,
  contactSchema,
  listTasksQuery,
  myDaySchema,
  recordContactBody,
  taskEventBody,
  taskIdParams,
  taskSchema,
  teamQueueSchema,
} from '../schemas/keywork.ts';
import { loadVisibleCase } from './case-routes.ts';
import { hidden, nowIso, todayOf, viewerOf } from './route-helpers.ts';

const CARE_ROLES = ['keyworker', 'referrer', 'manager'] as const;
const TEAM_ROLES = ['keyworker', 'manager'] as const;

/** The appointment, if the user's agency leads its journey (others get 404). */
async function ownAppointment(ctx: AppContext, user: AuthUser, id: string) {
  const a = await findAppointment(ctx.store.db, id);
  if (!a || a.agency_id !== user.agencyId) throw new PathwaysError('not_found', 'The appointment was not found, or you may not see it.');
  return a;
}

export const keyworkRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/cases/:id/appointments',
    operationId: 'listAppointments',
    summary: "A journey's appointments, soonest first (the agency leading it)",
    tag: 'keywork',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'appointments', schema: z.object({ items: z.array(appointmentSchema) }) } },
    async handle({ params, user, ctx }) {
      const { row, scope } = await loadVisibleCase(ctx, user, params.id);
      // A partner hears attendance through its referral (GET /referrals/:id/attendance), not the diary.
      if (scope.kind !== 'holder') throw hidden('The journey’s appointments');
      return { status: 200, body: { items: await listAppointments(ctx.store.db, row.id) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/cases/:id/appointments',
    operationId: 'bookAppointment',
    summary: 'Book an appointment on a journey',
    tag: 'keywork',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: bookAppointmentBody,
    responses: { 201: { description: 'booked', schema: appointmentSchema } },
    async handle({ params, body, user, ctx }) {
      const written = await bookAppointment(ctx.engine, viewerOf(user), ctx.now(), params.id, body);
      const a = await findAppointment(ctx.store.db, written.recordId);
      if (!a) throw new PathwaysError('internal_error', 'The appointment was booked but cannot be read back; reload the journey.');
      return { status: 201, body: appointmentView(a), headers: { Location: `/api/v1/appointments/${a.id}` } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/appointments/:id',
    operationId: 'getAppointment',
    summary: 'One appointment',
    tag: 'keywork',
    auth: TEAM_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'the appointment', schema: appointmentSchema } },
    async handle({ params, user, ctx }) {
      return { status: 200, body: appointmentView(await ownAppointment(ctx, user, params.id)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/appointments/:id/events',
    operationId: 'sendAppointmentEvent',
    summary: 'Record what happened: attended, did not attend (makes the follow-up task), or cancelled by the person or the service',
    description: 'A did-not-attend makes a follow-up task due within the service\'s follow-up working days (default 2), and a case review after its number of misses in its window (default 3 in 28 days); `GET /api/v1/settings` says which rules are in force. Attendance and did-not-attend go back live to the referring agency where the person agreed (`attendance.reported`).',
    tag: 'keywork',
    auth: TEAM_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: appointmentEventBody,
    responses: { 200: { description: 'the appointment after the event', schema: appointmentSchema } },
    async handle({ params, body, user, ctx }) {
      await ownAppointment(ctx, user, params.id);
      await settleAppointment(ctx.engine, viewerOf(user), ctx.now(), params.id, body, ctx.followUp);
      return { status: 200, body: appointmentView(await ownAppointment(ctx, user, params.id)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/cases/:id/contacts',
    operationId: 'listContacts',
    summary: "A journey's contact entries, newest first; another agency sees only the categories the person agreed to share with it",
    tag: 'keywork',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'contact entries', schema: z.object({ items: z.array(contactSchema) }) } },
    async handle({ params, user, ctx }) {
      const { row, scope } = await loadVisibleCase(ctx, user, params.id);
      // Consent withdrawn: only the entries recorded before the withdrawal.
      const until = scope.sharedUntil;
      const items = (await listContacts(ctx.store.db, row.id, scope.categories)).filter((c) => !until || c.recordedAt < until);
      await recordAudit(ctx.store.db, { at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'read', personId: row.person_id, entityType: 'case_contacts', entityId: row.id, detail: { scope: scope.kind, entries: items.length } });
      return { status: 200, body: { items } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/cases/:id/contacts',
    operationId: 'recordContact',
    summary: 'Add a contact entry (append-only: a correction is a new entry naming the one it corrects)',
    tag: 'keywork',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: recordContactBody,
    responses: { 201: { description: 'recorded', schema: contactSchema } },
    async handle({ params, body, user, ctx }) {
      const written = await recordContact(ctx.engine, viewerOf(user), ctx.now(), params.id, body);
      const items = await listContacts(ctx.store.db, params.id, 'all');
      const entry = items.find((c) => c.id === written.recordId);
      if (!entry) throw new PathwaysError('internal_error', 'The entry was recorded but cannot be read back; reload the journey.');
      return { status: 201, body: entry };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/tasks',
    operationId: 'listTasks',
    summary: 'Tasks of your agency\'s journeys: yours (`assignee=me`, the default), unassigned, or a colleague\'s',
    tag: 'keywork',
    auth: TEAM_ROLES,
    query: listTasksQuery,
    responses: { 200: { description: 'tasks, soonest due first', schema: z.object({ items: z.array(taskSchema) }) } },
    async handle({ query, user, ctx }) {
      const assignee = query.assignee === 'me' ? user.id : query.assignee;
      return { status: 200, body: { items: await listTasks(ctx.store.db, { agencyId: user.agencyId, assignee, status: query.status, limit: query.limit }) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/tasks/:id/events',
    operationId: 'sendTaskEvent',
    summary: 'Assign a task to a colleague (TASK_ASSIGNED) or mark it done (TASK_COMPLETED, recording who and when)',
    tag: 'keywork',
    auth: TEAM_ROLES,
    hideFromOtherRoles: true,
    params: taskIdParams,
    body: taskEventBody,
    responses: { 200: { description: 'the task after the event', schema: taskSchema } },
    async handle({ params, body, user, ctx }) {
      const found = await findTask(ctx.store.db, params.id);
      if (!found || found.agencyId !== user.agencyId) throw new PathwaysError('not_found', 'The task was not found, or you may not see it.');
      await actOnTask(ctx.engine, viewerOf(user), ctx.now(), params.id, body);
      const after = await findTask(ctx.store.db, params.id);
      if (!after) throw new PathwaysError('internal_error', 'The task changed but cannot be read back; reload.');
      return { status: 200, body: after.view };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/my-day',
    operationId: 'getMyDay',
    summary: "What is due for you today: appointments, tasks, reviews due, journeys nearing 21 days' wait, referrals to acknowledge, consents expiring",
    description: 'The day is the London calendar day by the server clock.',
    tag: 'keywork',
    auth: TEAM_ROLES,
    responses: { 200: { description: 'my day', schema: myDaySchema } },
    async handle({ user, ctx }) {
      const date = londonDate(ctx.now());
      const { start, end } = londonDayBounds(date);
      return { status: 200, body: await myDay(ctx.store.db, { id: user.id, agencyId: user.agencyId }, date, start, end) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/team-queue',
    operationId: 'getTeamQueue',
    summary: 'Your team\'s queue: journeys with no keyworker and accepted referrals waiting, with each keyworker\'s caseload size',
    tag: 'keywork',
    auth: TEAM_ROLES,
    responses: { 200: { description: 'the queue', schema: teamQueueSchema } },
    async handle({ user, ctx }) {
      return { status: 200, body: await teamQueue(ctx.store.db, user.agencyId) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/cases/:id/assignment',
    operationId: 'assignJourney',
    summary: 'Assign or reassign a journey\'s keyworker (a reason is required to reassign)',
    tag: 'keywork',
    auth: TEAM_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: assignJourneyBody,
    responses: { 200: { description: 'the journey after assignment', schema: caseSchema } },
    async handle({ params, body, user, ctx }) {
      const applied = await assignJourney(ctx.engine, viewerOf(user), ctx.now(), params.id, body);
      return { status: 200, body: await caseView(ctx.store.db, ctx.engine, user, applied.row, { kind: 'holder', categories: 'all' }, { allowedEvents: applied.allowedEvents, eventOptions: applied.eventOptions, snapshot: applied.snapshot }) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/referrals/:id/attendance',
    operationId: 'getReferralAttendance',
    summary: 'Attendance reported back to the agency that sent the referral: where the person agreed (treatment progress; Jobcentre Plus needs consent naming the office), or for a custody required assessment',
    tag: 'keywork',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'reports, oldest first', schema: z.object({ items: z.array(attendanceReportSchema) }) } },
    async handle({ params, user, ctx }) {
      const referral = await ctx.store.db.selectFrom('referrals').selectAll().where('id', '=', params.id).executeTakeFirst();
      if (!referral || (referral.from_agency_id !== user.agencyId && referral.to_agency_id !== user.agencyId)) throw hidden('The referral');
      // The receiving agency holds the diary itself; reports are the sender's.
      if (referral.from_agency_id !== user.agencyId) return { status: 200, body: { items: [] } };
      const items = await attendanceReports(ctx.store.db, referral, todayOf(ctx));
      if (items.length > 0) {
        await recordAudit(ctx.store.db, { at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'share', personId: referral.person_id, entityType: 'attendance', entityId: referral.id, detail: { reports: items.length, bases: [...new Set(items.map((i) => i.basis))] } });
      }
      return { status: 200, body: { items } };
    },
  }),
];

