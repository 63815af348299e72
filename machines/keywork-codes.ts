/**
 * The vocabulary of a keyworker's day: kinds of appointment and how one ends, ways of
 * making contact, kinds of task, and the follow-up settings for missed appointments.
 * Codes are public API (docs/ARCHITECTURE.md, "A keyworker's day").
 */

/**
 * Kinds of appointment. The three-way meetings bring in Jobcentre Plus or probation
 * (seed 004, 1.7); the two assessments are the police custody pathway's required and
 * follow-up assessments (Drug Interventions Programme, seed 004, 3.7).
 */
export const APPOINTMENT_KINDS = [
  'keywork',
  'group',
  'prescribing_review',
  'assessment',
  'three_way_jobcentre',
  'three_way_probation',
  'required_assessment',
  'follow_up_assessment',
] as const;
export type AppointmentKind = (typeof APPOINTMENT_KINDS)[number];

/** Appointment kinds of the police custody pathway, whose outcome the custody team is told by law rather than by consent. */
export const CUSTODY_APPOINTMENT_KINDS: ReadonlySet<AppointmentKind> = new Set(['required_assessment', 'follow_up_assessment']);

/** Where an appointment stands. */
export const APPOINTMENT_STATUSES = ['booked', 'attended', 'did_not_attend', 'cancelled_by_person', 'cancelled_by_service'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Who cancelled an appointment. */
export const APPOINTMENT_CANCELLERS = ['person', 'service'] as const;
export type AppointmentCanceller = (typeof APPOINTMENT_CANCELLERS)[number];

/** Ways a contact was made. */
export const CONTACT_MODES = ['phone', 'face_to_face', 'home_visit', 'letter', 'three_way_meeting'] as const;
export type ContactMode = (typeof CONTACT_MODES)[number];

/** Tasks the journey's rules make (the rest of "my day" is read from the records themselves). */
export const TASK_KINDS = ['dna_follow_up', 'case_review'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/**
 * Follow-up after missed appointments: a setting of the service (`PATHWAYS_FOLLOW_UP_*`,
 * cli/config.ts); each did-not-attend event carries the rules it was recorded under.
 */
export interface KeyworkSettings {
  /** Working days (Monday to Friday) within which a did-not-attend is followed up. */
  followUpWorkingDays: number;
  /** Missed appointments within `missedWindowDays` that call for a case review. */
  reviewAfterMissed: number;
  missedWindowDays: number;
}

/** Re-engage within 2 working days; a case review after 3 missed in 28 days. */
export const DEFAULT_KEYWORK_SETTINGS: KeyworkSettings = Object.freeze({ followUpWorkingDays: 2, reviewAfterMissed: 3, missedWindowDays: 28 });
