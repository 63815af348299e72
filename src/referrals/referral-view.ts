/**
 * A referral as the API returns it to the sender or the receiver. The receiver sees the
 * person and the reason only under consent (or a safeguarding override); the sender of a
 * Jobcentre Plus TPR1 sees the outcome (attendance) only with the claimant's explicit
 * consent to that jobcentre for treatment progress.
 */
import type { Kysely } from 'kysely';
import { projectReferredPerson } from '../access/projection.ts';
import { personScope, sentReferral } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import { PROGRESS_REFERRAL_STATES, isJobcentrePair } from '../../machines/referral-consent.ts';
import { referralAsOf } from '../access/stream-as-of.ts';
import { referralSharingFor } from './referral-sharing.ts';
import type { Database, ReferralRow } from '../db/schema.ts';
import type { Engine } from '../engine/engine-types.ts';
import { allowedNowOf } from '../engine/plan-transition.ts';
import { restoreSnapshot, type StoredSnapshot } from '../engine/snapshot-codec.ts';
import type { AllowedNow, EventOptions } from '../../machines/allowed-now.ts';
import { RECEIVER_REFERRAL_EVENTS } from '../../machines/referral-kinds.ts';
import { findPerson, personRecord } from '../people/person-repository.ts';

type Obj = Record<string, unknown>;

/** Roles that handle referrals. */
export const REFERRAL_ROLES = ['keyworker', 'referrer', 'manager'] as const;

/**
 * The events this viewer may send to this referral now (guards evaluated: an event the
 * referral would refuse whatever its fields is left out), and the field values they accept.
 * @param accepted - what the referral accepts now, when the caller has it (the engine's result after a change)
 */
export function referralEventsFor(engine: Engine, viewer: Viewer, row: ReferralRow, accepted?: AllowedNow, at: string = new Date().toISOString()): AllowedNow {
  if (!(REFERRAL_ROLES as readonly string[]).includes(viewer.role)) return { allowedEvents: [], eventOptions: {} };
  const now = accepted ?? allowedNowOf(engine.registry, restoreSnapshot(engine.registry.getMachine('referral', row.machine_version), row.snapshot), at);
  const allowedEvents = now.allowedEvents.filter((t) => {
    if (engine.registry.timerEventTypes.has(t)) return false;
    if (t === 'REFERRAL_CANCELLED') return row.from_agency_id === viewer.agencyId;
    return RECEIVER_REFERRAL_EVENTS.includes(t) && row.to_agency_id === viewer.agencyId;
  });
  const eventOptions: EventOptions = {};
  for (const t of allowedEvents) if (now.eventOptions[t]) eventOptions[t] = now.eventOptions[t];
  return { allowedEvents, eventOptions };
}

/** TPR1 / TPR2 for the Jobcentre Plus pair. */
export function formOf(kind: string, fromKind: string, toKind: string): 'TPR1' | 'TPR2' | null {
  if (!isJobcentrePair(kind, fromKind, toKind)) return null;
  return kind === 'treatment' ? 'TPR1' : 'TPR2';
}

/** The viewer's own latest step on the referral recorded at or after `after`, if any. */
async function ownStepSince(db: Kysely<Database>, id: string, agencyId: string, after: string) {
  return db
    .selectFrom('events')
    .select(['stream_version', 'to_state', 'recorded_at'])
    .where('stream_type', '=', 'referral')
    .where('stream_id', '=', id)
    .where('agency_id', '=', agencyId)
    .where('recorded_at', '>=', after)
    .orderBy('stream_version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The referral as this viewer may see it: progress reported back cut to consent, and,
 * once the consent naming the viewer's agency is withdrawn, as it stood then (with the
 * viewer's own later steps), marked `consentWithdrawn` with `sharedUntil`.
 */
export async function referralView(
  db: Kysely<Database>,
  engine: Engine,
  viewer: Viewer,
  current: ReferralRow,
  today: string,
  /** `allowedEvents` + `eventOptions`: what the referral accepts now, when the caller has it (the engine's result after a change). */
  options: { allowedEvents?: string[]; eventOptions?: EventOptions } = {},
): Promise<Obj> {
  const given = options.allowedEvents && options.eventOptions ? { allowedEvents: options.allowedEvents, eventOptions: options.eventOptions } : undefined;
  const choices = referralEventsFor(engine, viewer, current, given);
  const agencies = await db.selectFrom('agencies').select(['id', 'kind']).where('id', 'in', [current.from_agency_id, current.to_agency_id]).execute();
  const kindOf = (id: string) => agencies.find((a) => a.id === id)?.kind ?? '';
  const kinds = { from: kindOf(current.from_agency_id), to: kindOf(current.to_agency_id) };
  const form = formOf(current.kind, kinds.from, kinds.to);
  const sharing = await referralSharingFor(db, viewer, current, kinds, today);
  let row = current;
  let snapshot = JSON.parse(current.snapshot) as StoredSnapshot;
  if (sharing.sharedUntil) {
    const then = await referralAsOf(db, engine.registry, current, sharing.sharedUntil);
    if (then) {
      row = then.row;
      snapshot = then.snapshot;
      // The viewer's own later steps are its own knowledge: its latest one sets the status.
      const own = await ownStepSince(db, current.id, viewer.agencyId, sharing.sharedUntil);
      if (own) row = { ...row, state: own.to_state, version: own.stream_version, updated_at: own.recorded_at };
    }
  }
  const c = snapshot.context;
  const direction = row.to_agency_id === viewer.agencyId ? 'inbox' : 'outbox';
  const withheld: string[] = [];
  const open = row.state === 'requested' || row.state === 'received' || row.state === 'accepted' || row.state === 'inProgress';
  const acknowledge = open && (row.state === 'requested') && c.acknowledgeOverdue === true;
  const firstContact = open && row.state !== 'inProgress' && c.firstContactOverdue === true;

  const scope = await personScope(db, viewer, row.person_id, today);
  const sender = sentReferral(viewer, row);
  let person: Obj | undefined;
  if (scope || sender) {
    const p = await findPerson(db, row.person_id);
    if (p) {
      const { id, givenName, familyName, dateOfBirth, sex, postcodeDistrict, contact } = personRecord(p);
      person = projectReferredPerson({ id, givenName, familyName, dateOfBirth, sex, postcodeDistrict, contact }, scope?.categories ?? null, sender);
    }
  }
  if (!person) withheld.push('person');
  // The reason was sent with the referral and never changes: what a receiver held stays readable after a withdrawal.
  const showReason = direction === 'outbox' || scope !== null || sharing.sharedUntil !== null;
  if (!showReason) withheld.push('reason');
  const showProgress = sharing.progress;
  if (!showProgress) withheld.push('progress', 'outcome');
  const status = !showProgress && PROGRESS_REFERRAL_STATES.includes(row.state) ? 'accepted' : row.state;
  return {
    id: row.id,
    personId: row.person_id,
    caseId: row.case_id,
    fromAgencyId: row.from_agency_id,
    fromUserId: row.from_user_id,
    toAgencyId: row.to_agency_id,
    direction,
    kind: row.kind,
    form,
    ...(showReason ? { reason: row.reason } : {}),
    urgency: row.urgency,
    status,
    version: row.version,
    acknowledgeBy: row.acknowledge_by,
    firstContactBy: row.first_contact_by,
    overdue: { acknowledge, firstContact: showProgress && firstContact, any: acknowledge || (showProgress && firstContact) },
    requestedAt: (c.requestedAt) ?? null,
    receivedAt: (c.receivedAt) ?? null,
    acceptedAt: (c.acceptedAt) ?? null,
    firstContactOn: showProgress ? ((c.firstContactOn) ?? null) : null,
    closedAt: (c.closedAt) ?? null,
    ...(showProgress ? { outcome: (c.outcome) ?? null } : {}),
    rejectionReason: (c.rejectionReason) ?? null,
    failureReason: showProgress ? ((c.failureReason) ?? null) : null,
    cancellationReason: (c.cancellationReason) ?? null,
    safeguardingOverride: row.safeguarding_override ? (JSON.parse(row.safeguarding_override) as Obj) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    allowedEvents: choices.allowedEvents,
    eventOptions: choices.eventOptions,
    consentWithdrawn: sharing.sharedUntil !== null,
    sharedUntil: sharing.sharedUntil,
    ...(person ? { person } : {}),
    withheld,
  };
}
