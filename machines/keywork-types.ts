/**
 * Types of a keyworker's day on a journey: appointments, contact entries and tasks as the
 * `pathway` machine keeps them, and the events that change them. A contact's words are
 * not kept in the journey's context: they live in its event (append-only), and the context
 * keeps only what the rules check (ids, dates, categories, corrections).
 */
import type { DataCategory } from './data-categories.ts';
import type { AppointmentCanceller, AppointmentKind, AppointmentStatus, ContactMode, KeyworkSettings, TaskKind } from './keywork-codes.ts';

/** One appointment. */
export interface AppointmentRecord {
  id: string;
  kind: AppointmentKind;
  /** ISO-8601 instant the appointment starts. */
  startsAt: string;
  /** Who it is with (a colleague, a work coach, a probation officer), in words. */
  withWhom: string | null;
  /** The partner agency at a three-way meeting or custody assessment, when there is one. */
  partnerAgencyId: string | null;
  status: AppointmentStatus;
  /** The outcome in words (required for a custody assessment that was attended). */
  outcome: string | null;
  bookedOn: string;
  /** The date the attendance, did-not-attend or cancellation was recorded for. */
  settledOn: string | null;
  cancellationReason: string | null;
}

/** What the rules keep of a contact entry (its summary is in the event). */
export interface ContactRecord {
  id: string;
  contactOn: string;
  mode: ContactMode;
  category: DataCategory;
  /** The entry this one corrects. */
  corrects: string | null;
}

/** One task made by the journey's rules. */
export interface TaskRecord {
  id: string;
  kind: TaskKind;
  /** The appointment it follows up, when there is one. */
  appointmentId: string | null;
  dueOn: string;
  assigneeId: string | null;
  status: 'open' | 'done';
  doneOn: string | null;
}

/** A keyworker's day as a journey remembers it; absent on journeys stored before it existed. */
export interface KeyworkContext {
  appointments?: AppointmentRecord[];
  contacts?: ContactRecord[];
  tasks?: TaskRecord[];
}

interface At {
  at: string;
}

/** Events of a keyworker's day, accepted in every open stage of a journey. */
export type KeyworkEvent =
  | ({ type: 'APPOINTMENT_BOOKED'; appointmentId: string; kind: AppointmentKind; startsAt: string; withWhom?: string | null; partnerAgencyId?: string | null } & At)
  | ({ type: 'APPOINTMENT_ATTENDED'; appointmentId: string; outcome?: string } & At)
  /**
   * `followUp`: the service's follow-up rules when the did-not-attend was recorded, carried
   * by the event so a replay makes the same tasks whatever the settings are later (absent on
   * events recorded before it was kept: the defaults applied).
   */
  | ({ type: 'APPOINTMENT_MISSED'; appointmentId: string; followUp?: KeyworkSettings } & At)
  | ({ type: 'APPOINTMENT_CANCELLED'; appointmentId: string; by: AppointmentCanceller; reason?: string } & At)
  | ({ type: 'CONTACT_RECORDED'; contactId: string; contactOn: string; mode: ContactMode; category: DataCategory; summary: string; corrects?: string | null } & At)
  | ({ type: 'TASK_ASSIGNED'; taskId: string; assigneeId: string; reason?: string } & At)
  | ({ type: 'TASK_COMPLETED'; taskId: string; note?: string } & At);

/** Every keyworker's-day event type. */
export const KEYWORK_EVENT_TYPES = [
  'APPOINTMENT_BOOKED',
  'APPOINTMENT_ATTENDED',
  'APPOINTMENT_MISSED',
  'APPOINTMENT_CANCELLED',
  'CONTACT_RECORDED',
  'TASK_ASSIGNED',
  'TASK_COMPLETED',
] as const satisfies readonly KeyworkEvent['type'][];
