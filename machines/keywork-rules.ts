/**
 * The rules of a keyworker's day, pure: whether a journey accepts an appointment, contact
 * or task event, and what the journey's records become. The `pathway` machine calls these
 * from its guards and actions, so each rule is written once.
 *
 * Dates are calendar days of the event's effective time (as everywhere in the machines).
 */
import { CONTACT_MODES, DEFAULT_KEYWORK_SETTINGS, APPOINTMENT_CANCELLERS, APPOINTMENT_KINDS, CUSTODY_APPOINTMENT_KINDS, type KeyworkSettings, type TaskKind } from './keywork-codes.ts';
import type { AppointmentRecord, KeyworkContext, KeyworkEvent, TaskRecord } from './keywork-types.ts';
import { DATA_CATEGORIES } from './data-categories.ts';
import { DAY_MS, isIsoDate, toDate } from './time.ts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function booked(context: KeyworkContext, id: string): AppointmentRecord | undefined {
  return context.appointments?.find((a) => a.id === id && a.status === 'booked');
}

/** The date `days` working days (Monday to Friday) after `date`; bank holidays are not known here. */
export function addWorkingDays(date: string, days: number): string {
  let t = Date.parse(`${toDate(date)}T00:00:00Z`);
  let left = days;
  while (left > 0) {
    t += DAY_MS;
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * Why the journey refuses a keyworker's-day event, in words, or null when it accepts it.
 * The machine's guards call this; the API repeats the words in its 409.
 */
export function keyworkRefusal(context: KeyworkContext, event: KeyworkEvent): string | null {
  switch (event.type) {
    case 'APPOINTMENT_BOOKED':
      if (!nonBlank(event.appointmentId) || context.appointments?.some((a) => a.id === event.appointmentId)) return 'the appointment id must be new';
      if (!(APPOINTMENT_KINDS as readonly string[]).includes(event.kind)) return 'unknown appointment kind';
      if (!isInstant(event.startsAt)) return 'startsAt must be a date and time';
      return null;
    case 'APPOINTMENT_ATTENDED': {
      const a = booked(context, event.appointmentId);
      if (!a) return 'only a booked appointment can be attended';
      // Attendance is a fact: it cannot be recorded before the appointment's day.
      if (toDate(event.at) < toDate(a.startsAt)) return 'attendance cannot be recorded before the appointment';
      if (CUSTODY_APPOINTMENT_KINDS.has(a.kind) && !nonBlank(event.outcome)) return 'a custody assessment needs its outcome';
      return null;
    }
    case 'APPOINTMENT_MISSED': {
      const a = booked(context, event.appointmentId);
      if (!a) return 'only a booked appointment can be missed';
      if (event.at < a.startsAt) return 'an appointment cannot be missed before it starts';
      if (event.followUp !== undefined && !followUpRulesValid(event.followUp)) return 'the follow-up rules must be whole numbers of at least 1';
      return null;
    }
    case 'APPOINTMENT_CANCELLED':
      if (!booked(context, event.appointmentId)) return 'only a booked appointment can be cancelled';
      if (!(APPOINTMENT_CANCELLERS as readonly string[]).includes(event.by)) return 'by must be person or service';
      return null;
    case 'CONTACT_RECORDED':
      if (!nonBlank(event.contactId) || context.contacts?.some((c) => c.id === event.contactId)) return 'the contact id must be new';
      if (!(CONTACT_MODES as readonly string[]).includes(event.mode)) return 'unknown contact mode';
      if (!(DATA_CATEGORIES as readonly string[]).includes(event.category)) return 'unknown category';
      if (!nonBlank(event.summary)) return 'a contact needs a summary';
      if (!isIsoDate(event.contactOn) || toDate(event.contactOn) > toDate(event.at)) return 'contactOn must be a date, not in the future';
      if (event.corrects != null && !context.contacts?.some((c) => c.id === event.corrects)) return 'corrects must name an earlier entry of this journey';
      return null;
    case 'TASK_ASSIGNED':
      if (!context.tasks?.some((t) => t.id === event.taskId && t.status === 'open')) return 'only an open task can be assigned';
      if (!nonBlank(event.assigneeId)) return 'assigneeId is required';
      return null;
    case 'TASK_COMPLETED':
      if (!context.tasks?.some((t) => t.id === event.taskId && t.status === 'open')) return 'only an open task can be done';
      return null;
  }
}

/** True for follow-up rules a did-not-attend can apply: every number whole and at least 1. */
function followUpRulesValid(rules: KeyworkSettings): boolean {
  return [rules.followUpWorkingDays, rules.reviewAfterMissed, rules.missedWindowDays].every((n) => Number.isInteger(n) && n >= 1);
}

/** Task ids are their kind's prefix and the missed appointment's id (`dna-<appointment>`). */
const TASK_ID_PREFIX: Record<TaskKind, string> = { dna_follow_up: 'dna-', case_review: 'review-' };

/** A task's kind and the missed appointment it follows up, read from its id; null for an id the rules never make. */
export function taskOfId(taskId: string): { kind: TaskKind; appointmentId: string } | null {
  for (const [kind, prefix] of Object.entries(TASK_ID_PREFIX) as Array<[TaskKind, string]>) {
    if (taskId.startsWith(prefix)) return { kind, appointmentId: taskId.slice(prefix.length) };
  }
  return null;
}

/** The follow-up tasks a did-not-attend makes: always a re-engagement, and a case review after too many misses. */
function tasksAfterMiss(context: KeyworkContext & { keyworkerId: string | null }, missed: AppointmentRecord, on: string, settings: KeyworkSettings): TaskRecord[] {
  const tasks: TaskRecord[] = [
    { id: `${TASK_ID_PREFIX.dna_follow_up}${missed.id}`, kind: 'dna_follow_up', appointmentId: missed.id, dueOn: addWorkingDays(on, settings.followUpWorkingDays), assigneeId: context.keyworkerId, status: 'open', doneOn: null },
  ];
  const windowStart = new Date(Date.parse(`${on}T00:00:00Z`) - (settings.missedWindowDays - 1) * DAY_MS).toISOString().slice(0, 10);
  const misses = (context.appointments ?? []).filter((a) => a.status === 'did_not_attend' && toDate(a.startsAt) >= windowStart && toDate(a.startsAt) <= on).length + 1;
  const reviewOpen = (context.tasks ?? []).some((t) => t.kind === 'case_review' && t.status === 'open');
  if (misses >= settings.reviewAfterMissed && !reviewOpen) {
    tasks.push({ id: `${TASK_ID_PREFIX.case_review}${missed.id}`, kind: 'case_review', appointmentId: missed.id, dueOn: on, assigneeId: context.keyworkerId, status: 'open', doneOn: null });
  }
  return tasks;
}

/** The journey's appointments, contacts and tasks after an accepted keyworker's-day event. */
export function applyKeyworkEvent(context: KeyworkContext & { keyworkerId: string | null }, event: KeyworkEvent): KeyworkContext {
  const appointments = context.appointments ?? [];
  const tasks = context.tasks ?? [];
  const on = toDate(event.at);
  const settle = (id: string, change: Partial<AppointmentRecord>) => appointments.map((a) => (a.id === id ? { ...a, settledOn: on, ...change } : a));
  switch (event.type) {
    case 'APPOINTMENT_BOOKED':
      return {
        appointments: [
          ...appointments,
          { id: event.appointmentId, kind: event.kind, startsAt: event.startsAt, withWhom: event.withWhom ?? null, partnerAgencyId: event.partnerAgencyId ?? null, status: 'booked', outcome: null, bookedOn: on, settledOn: null, cancellationReason: null },
        ],
      };
    case 'APPOINTMENT_ATTENDED':
      return { appointments: settle(event.appointmentId, { status: 'attended', outcome: event.outcome?.trim() || null }) };
    case 'APPOINTMENT_MISSED': {
      const missed = appointments.find((a) => a.id === event.appointmentId);
      if (!missed) return {};
      const missedOn = toDate(missed.startsAt);
      return { appointments: settle(event.appointmentId, { status: 'did_not_attend' }), tasks: [...tasks, ...tasksAfterMiss(context, missed, missedOn, event.followUp ?? DEFAULT_KEYWORK_SETTINGS)] };
    }
    case 'APPOINTMENT_CANCELLED':
      return { appointments: settle(event.appointmentId, { status: event.by === 'person' ? 'cancelled_by_person' : 'cancelled_by_service', cancellationReason: event.reason?.trim() || null }) };
    case 'CONTACT_RECORDED':
      return { contacts: [...(context.contacts ?? []), { id: event.contactId, contactOn: toDate(event.contactOn), mode: event.mode, category: event.category, corrects: event.corrects ?? null }] };
    case 'TASK_ASSIGNED':
      return { tasks: tasks.map((t) => (t.id === event.taskId ? { ...t, assigneeId: event.assigneeId } : t)) };
    case 'TASK_COMPLETED':
      return { tasks: tasks.map((t) => (t.id === event.taskId ? { ...t, status: 'done' as const, doneOn: on } : t)) };
  }
}
