/**
 * A keyworker's day as the API takes and returns it: appointments, contact entries, tasks,
 * "my day", the team queue and attendance reported back to referrers. The web app's forms
 * are built from these bodies.
 */
import { z } from 'zod';
import { APPOINTMENT_CANCELLERS, APPOINTMENT_KINDS, APPOINTMENT_STATUSES, CONTACT_MODES, TASK_KINDS } from '../../machines/keywork-codes.ts';
import { dataCategorySchema, dateSchema, dateTimeSchema, idSchema, shortText } from './common.ts';

/** `POST /api/v1/cases/:id/appointments` body. */
export const bookAppointmentBody = z.strictObject({
  kind: z.enum(APPOINTMENT_KINDS).describe('keywork, group, prescribing_review, assessment, three_way_jobcentre, three_way_probation, required_assessment, follow_up_assessment (the last two: police custody)'),
  startsAt: dateTimeSchema.describe('When it starts'),
  withWhom: shortText(200).optional().describe('Who it is with, in words'),
  partnerAgencyId: idSchema.optional().describe('The partner agency at a three-way meeting or custody assessment'),
});

/** `POST /api/v1/appointments/:id/events` body: what happened to a booked appointment. */
export const appointmentEventBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('APPOINTMENT_ATTENDED'), outcome: shortText(2000).optional().describe('What came of it (required for a custody assessment)') }),
  z.strictObject({ type: z.literal('APPOINTMENT_MISSED') }),
  z.strictObject({ type: z.literal('APPOINTMENT_CANCELLED'), by: z.enum(APPOINTMENT_CANCELLERS).describe('Who cancelled: the person or the service'), reason: shortText(500).optional() }),
]);

/** An appointment. */
export const appointmentSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  personId: z.string(),
  kind: z.enum(APPOINTMENT_KINDS),
  startsAt: z.string(),
  withWhom: z.string().nullable(),
  partnerAgencyId: z.string().nullable(),
  status: z.enum(APPOINTMENT_STATUSES),
  outcome: z.string().nullable(),
  cancellationReason: z.string().nullable(),
  bookedBy: z.string().nullable(),
  bookedAt: z.string(),
  settledBy: z.string().nullable(),
  settledAt: z.string().nullable(),
});

/** `POST /api/v1/cases/:id/contacts` body. */
export const recordContactBody = z.strictObject({
  contactOn: dateSchema.describe('The day of the contact; not in the future'),
  mode: z.enum(CONTACT_MODES).describe('phone, face_to_face, home_visit, letter, three_way_meeting'),
  category: dataCategorySchema.describe('What the entry is about; another agency sees it only with consent to this category'),
  summary: shortText(4000).describe('What was said or done'),
  corrects: idSchema.optional().describe('The earlier entry this one corrects (entries are never changed)'),
});

/** A contact entry. */
export const contactSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  contactOn: z.string(),
  mode: z.enum(CONTACT_MODES),
  category: z.string(),
  summary: z.string(),
  corrects: z.string().nullable(),
  correctedBy: z.string().nullable(),
  authorId: z.string().nullable(),
  recordedAt: z.string(),
});

/** `GET /api/v1/tasks` query. */
export const listTasksQuery = z.strictObject({
  assignee: z.union([z.literal('me'), z.literal('unassigned'), idSchema]).default('me').describe('`me` (default), `unassigned`, or a colleague\'s id'),
  status: z.enum(['open', 'done']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

/** `:id` of a task: made by the journey's rules from what it follows up (`dna-<appointment id>`, `review-<appointment id>`). */
export const taskIdParams = z.strictObject({ id: z.string().regex(/^(dna|review)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a task id, e.g. dna-<appointment id>') });

/** `POST /api/v1/tasks/:id/events` body. */
export const taskEventBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('TASK_ASSIGNED'), assigneeId: idSchema.describe('A keyworker or manager of the journey\'s agency'), reason: shortText(500).optional() }),
  z.strictObject({ type: z.literal('TASK_COMPLETED'), note: shortText(500).optional() }),
]);

/** A task. */
export const taskSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: z.enum(TASK_KINDS),
  appointmentId: z.string().nullable(),
  dueOn: z.string(),
  assigneeId: z.string().nullable().describe('Who holds it; an unassigned task is the journey keyworker\'s'),
  status: z.enum(['open', 'done']),
  createdAt: z.string(),
  assignedReason: z.string().nullable(),
  doneAt: z.string().nullable(),
  doneBy: z.string().nullable(),
  personName: z.string(),
});

const dueJourney = z.object({ caseId: z.string(), dueAt: z.string(), personName: z.string() });

/** `GET /api/v1/my-day`. */
export const myDaySchema = z.object({
  date: z.string(),
  appointments: z.array(appointmentSchema.extend({ personName: z.string() })),
  tasks: z.array(taskSchema),
  reviewsDue: z.array(dueJourney.extend({ due: z.boolean().describe('true: due now; false: due within 14 days') })),
  waitingNear21Days: z.array(dueJourney),
  referralsToAcknowledge: z.array(z.object({ id: z.string(), kind: z.string(), urgency: z.string(), acknowledgeBy: z.string().nullable(), sentAt: z.string(), fromAgencyName: z.string() })),
  consentsExpiring: z.array(z.object({ id: z.string(), personId: z.string(), caseId: z.string(), validUntil: z.string().nullable(), toAgencyKind: z.string().nullable(), toAgencyName: z.string().nullable(), personName: z.string() })),
});

/** `GET /api/v1/team-queue`. */
export const teamQueueSchema = z.object({
  journeys: z.array(z.object({ id: z.string(), stage: z.string(), referralSource: z.string(), referredOn: z.string(), openedAt: z.string(), overdue: z.boolean(), personName: z.string() })),
  referrals: z.array(z.object({ id: z.string(), kind: z.string(), caseId: z.string().nullable(), acceptedAt: z.string(), fromAgencyName: z.string() })),
  keyworkers: z.array(z.object({ id: z.string(), name: z.string(), caseload: z.number() })),
});

/** `POST /api/v1/cases/:id/assignment` body: assign or reassign the journey's keyworker. */
export const assignJourneyBody = z.strictObject({
  keyworkerId: idSchema,
  reason: shortText(500).optional().describe('Required when the journey already has a keyworker'),
});

/** One attendance report a referrer may read. */
export const attendanceReportSchema = z.object({
  referralId: z.string(),
  appointmentId: z.string(),
  kind: z.string(),
  startsAt: z.string(),
  status: z.enum(['attended', 'did_not_attend']),
  outcome: z.string().nullable().describe('A custody assessment\'s outcome; null otherwise'),
  recordedAt: z.string().nullable(),
  basis: z.enum(['consent', 'custody_required_assessment']),
});
