/** Words for the codes of a keyworker's day (machines/keywork-codes.ts). */
import type { AppointmentKind, AppointmentStatus, ContactMode, TaskKind } from '../../../machines/keywork-codes.ts';
import type { DataCategory } from '../../../machines/data-categories.ts';

export const APPOINTMENT_KIND_LABELS: Record<AppointmentKind, string> = {
  keywork: 'Keywork session',
  group: 'Group session',
  prescribing_review: 'Prescribing review',
  assessment: 'Assessment',
  three_way_jobcentre: 'Three-way meeting with Jobcentre Plus',
  three_way_probation: 'Three-way meeting with probation',
  required_assessment: 'Required assessment (police custody)',
  follow_up_assessment: 'Follow-up assessment (police custody)',
};

export const APPOINTMENT_STATUS_LABELS: Record<AppointmentStatus, string> = {
  booked: 'Booked',
  attended: 'Attended',
  did_not_attend: 'Did not attend',
  cancelled_by_person: 'Cancelled by the person',
  cancelled_by_service: 'Cancelled by the service',
};

export const CONTACT_MODE_LABELS: Record<ContactMode, string> = {
  phone: 'Phone call',
  face_to_face: 'Face to face',
  home_visit: 'Home visit',
  letter: 'Letter',
  three_way_meeting: 'Three-way meeting',
};

export const TASK_KIND_LABELS: Record<TaskKind, string> = {
  dna_follow_up: 'Follow up a missed appointment',
  case_review: 'Case review after missed appointments',
};

export const CATEGORY_LABELS: Record<DataCategory, string> = {
  identity: 'Identity',
  contact: 'Contact details',
  substance_use: 'Substance use',
  treatment_progress: 'Treatment progress',
  health: 'Health',
  offending: 'Offending',
  housing: 'Housing',
  employment: 'Employment',
  safeguarding: 'Safeguarding',
};

/** The badge class for an appointment's status. */
export function appointmentBadge(status: AppointmentStatus): string {
  if (status === 'attended') return 'badge badge-ok';
  if (status === 'did_not_attend') return 'badge badge-bad';
  if (status === 'booked') return 'badge badge-info';
  return 'badge';
}
