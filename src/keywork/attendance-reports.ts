/**
 * Attendance reported back to the agency that referred the person in: whether they came
 * to an appointment or did not. Jobcentre Plus hears it only with the claimant's explicit
 * consent to that office for treatment progress (the TPR2 loop); another referrer with
 * consent covering treatment progress. The police custody team hears the outcome of the
 * required and follow-up assessments it imposed (Drugs Act 2005, Part 3: failing to attend
 * is an offence, so the custody team is told by law, not by consent) — and nothing else.
 *
 * Read on request (`GET /api/v1/referrals/:id/attendance`) and sent live after commit as
 * `attendance.reported` to the referring agency's room; both use `reportableTo`, so what a
 * socket hears is what the API would answer.
 */
import type { Kysely } from 'kysely';
import type { Server } from 'socket.io';
import { CUSTODY_APPOINTMENT_KINDS, type AppointmentKind } from '../../machines/keywork-codes.ts';
import { ENDED_REFERRAL_STATES } from '../access/record-access.ts';
import { consentedCategories } from '../consent/consent-repository.ts';
import { sharingWithAgency } from '../access/consent-sharing.ts';
import type { Database } from '../db/schema.ts';
import type { Engine, StreamChange } from '../engine/engine-types.ts';

/** The live event name (public contract). */
export const ATTENDANCE_REPORTED = 'attendance.reported';

/** Appointment states a referrer is told about. */
const REPORTED_STATUSES = ['attended', 'did_not_attend'];

/** Why a referrer may be told about an appointment, or null when it may not. */
export async function reportableTo(
  db: Kysely<Database>,
  referrer: { agencyId: string; agencyKind: string },
  personId: string,
  appointmentKind: string,
  today: string,
): Promise<'consent' | 'custody_required_assessment' | null> {
  if (referrer.agencyKind === 'police_custody' && CUSTODY_APPOINTMENT_KINDS.has(appointmentKind as AppointmentKind)) return 'custody_required_assessment';
  const categories = await consentedCategories(db, personId, { id: referrer.agencyId, kind: referrer.agencyKind }, today, { explicitOnly: referrer.agencyKind === 'jobcentre_plus' });
  return categories.has('treatment_progress') ? 'consent' : null;
}

/** One report as the referrer sees it: when, what kind, and whether the person came. */
export interface AttendanceReport {
  referralId: string;
  appointmentId: string;
  kind: string;
  startsAt: string;
  status: string;
  /** A custody assessment's outcome; other outcomes stay with the provider. */
  outcome: string | null;
  recordedAt: string | null;
  basis: 'consent' | 'custody_required_assessment';
}

/** The reports a referral's sender may read: its journey's attended and missed appointments. */
export async function attendanceReports(db: Kysely<Database>, referral: { id: string; case_id: string | null; person_id: string; from_agency_id: string }, today: string): Promise<AttendanceReport[]> {
  if (!referral.case_id) return [];
  const agency = await db.selectFrom('agencies').select(['id', 'kind']).where('id', '=', referral.from_agency_id).executeTakeFirst();
  if (!agency) return [];
  const rows = await db.selectFrom('appointments').selectAll().where('case_id', '=', referral.case_id).where('status', 'in', REPORTED_STATUSES).orderBy('starts_at').execute();
  // After a withdrawal the referrer keeps the reports it was given before it, and no more.
  const sharing = await sharingWithAgency(db, referral.person_id, agency, today, { explicitOnly: agency.kind === 'jobcentre_plus' });
  const heldUntil = sharing.withdrawnAt !== null && sharing.withdrawnCategories.has('treatment_progress') ? sharing.withdrawnAt : null;
  const out: AttendanceReport[] = [];
  for (const a of rows) {
    const held = heldUntil !== null && a.settled_at !== null && a.settled_at < heldUntil ? 'consent' : null;
    const basis = (await reportableTo(db, { agencyId: agency.id, agencyKind: agency.kind }, referral.person_id, a.kind, today)) ?? held;
    if (!basis) continue;
    out.push({ referralId: referral.id, appointmentId: a.id, kind: a.kind, startsAt: a.starts_at, status: a.status, outcome: basis === 'custody_required_assessment' ? a.outcome : null, recordedAt: a.settled_at, basis });
  }
  return out;
}

/** The live reports one committed change makes, per referring agency. */
export async function reportsOfChange(db: Kysely<Database>, change: StreamChange, today: string): Promise<{ agencyId: string; report: AttendanceReport & { seq: number } }[]> {
  if (change.stream !== 'case' || (change.type !== 'APPOINTMENT_ATTENDED' && change.type !== 'APPOINTMENT_MISSED')) return [];
  const appointment = await db.selectFrom('appointments').selectAll().where('id', '=', String(change.payload.appointmentId)).executeTakeFirst();
  if (!appointment) return [];
  const referrals = await db
    .selectFrom('referrals')
    .innerJoin('agencies', 'agencies.id', 'referrals.from_agency_id')
    .select(['referrals.id', 'referrals.from_agency_id', 'agencies.kind'])
    .where('referrals.case_id', '=', appointment.case_id)
    .where('referrals.from_agency_id', '!=', appointment.agency_id)
    .where('referrals.state', 'not in', ENDED_REFERRAL_STATES)
    .execute();
  const out: { agencyId: string; report: AttendanceReport & { seq: number } }[] = [];
  for (const r of referrals) {
    const basis = await reportableTo(db, { agencyId: r.from_agency_id, agencyKind: r.kind }, appointment.person_id, appointment.kind, today);
    if (!basis) continue;
    out.push({
      agencyId: r.from_agency_id,
      report: { referralId: r.id, appointmentId: appointment.id, kind: appointment.kind, startsAt: appointment.starts_at, status: appointment.status, outcome: basis === 'custody_required_assessment' ? appointment.outcome : null, recordedAt: appointment.settled_at, basis, seq: change.seq },
    });
  }
  return out;
}

/**
 * Sends `attendance.reported` to the referring agency's room after each attendance or
 * did-not-attend commits. Returns a function that stops it.
 */
export function attachAttendanceReports(options: { engine: Engine; db: Kysely<Database>; io: Pick<Server, 'to'>; now?: () => Date; room: (agencyId: string) => string }): () => void {
  const now = options.now ?? (() => new Date());
  let queue: Promise<void> = Promise.resolve();
  return options.engine.onCommit((changes) => {
    for (const change of changes) {
      if (change.type !== 'APPOINTMENT_ATTENDED' && change.type !== 'APPOINTMENT_MISSED') continue;
      // In commit order, one at a time; a failure is logged and never reaches the writer.
      queue = queue
        .then(async () => {
          for (const d of await reportsOfChange(options.db, change, now().toISOString().slice(0, 10))) options.io.to(options.room(d.agencyId)).emit(ATTENDANCE_REPORTED, d.report);
        })
        .catch((err: unknown) => console.error('pathways: attendance report failed:', err instanceof Error ? err.message : err));
    }
  });
}
