/**
 * Who may hear of a change, and what: the messages each agency room receives. Rooms are
 * per agency because access is per agency (src/access/record-access.ts): a journey is seen
 * by its lead agency, and by an agency holding a live referral for the person with
 * consent; a referral by its sender and receiver. Every message about a journey is cut
 * with the same projection the API uses (src/access/projection.ts), and every referral
 * message by the referral view's sharing rule (src/referrals/referral-sharing.ts), so a
 * socket never carries a field its user could not GET. From a consent's withdrawal on,
 * the agency it named hears nothing new about the person.
 */
import type { Kysely } from 'kysely';
import { projectJourney, projectTimelineEntry } from '../access/projection.ts';
import { ENDED_REFERRAL_STATES, caseScope, personScope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';
import type { AgencyDirectory, AgencyInfo } from './agency-directory.ts';
import { DEADLINE_OF_TIMER, LIVE_EVENTS } from './live-events.ts';
import { PROGRESS_REFERRAL_EVENTS, PROGRESS_REFERRAL_STATES } from '../../machines/referral-consent.ts';
import { referralSharingFor } from '../referrals/referral-sharing.ts';
import type { RecordChange } from './record-change.ts';

/** One message for one agency room. */
export interface Delivery {
  agencyId: string;
  event: string;
  payload: Record<string, unknown>;
}

/** The agency as an access-rule viewer. Case-reading roles all see the same of a record, so any of them stands for the room. */
function agencyViewer(agency: AgencyInfo): Viewer {
  return { userId: '', role: 'keyworker', agencyId: agency.id, agencyKind: agency.kind, agencyArea: agency.area };
}

/**
 * The agencies a change is for; `listening` skips rooms nobody is in (no access checks for
 * them), and `listeningElsewhere(lead)` says whether any agency but the lead has a room.
 */
export async function deliveriesFor(
  db: Kysely<Database>,
  agencies: AgencyDirectory,
  change: RecordChange,
  today: string,
  listening: (agencyId: string) => boolean,
  listeningElsewhere: (agencyId: string) => boolean = () => true,
): Promise<{ deliveries: Delivery[]; area: string | null }> {
  switch (change.stream) {
    case 'case':
      return caseDeliveries(db, agencies, change, today, listening, listeningElsewhere);
    case 'referral':
      return referralDeliveries(db, agencies, change, today, listening);
    case 'person':
      return personDeliveries(db, agencies, change, today, listening);
    case 'agency':
    case 'user':
      // Agencies and staff are administration: no case reader's room hears of them.
      return { deliveries: [], area: null };
  }
}

/**
 * A person's change goes to the agencies that hold the record (registered the person or
 * lead one of their journeys) and, for a consent, to the agency it names if it may see
 * the person now. The message says only that something changed: pages refetch.
 */
async function personDeliveries(
  db: Kysely<Database>,
  agencies: AgencyDirectory,
  change: RecordChange,
  today: string,
  listening: (agencyId: string) => boolean,
): Promise<{ deliveries: Delivery[]; area: string | null }> {
  const person = await db.selectFrom('people').select(['created_by_agency_id']).where('id', '=', change.id).executeTakeFirst();
  if (!person) return { deliveries: [], area: null };
  const candidates = new Set<string>();
  if (listening(person.created_by_agency_id)) candidates.add(person.created_by_agency_id);
  const leads = await db.selectFrom('cases').select('lead_agency_id').distinct().where('person_id', '=', change.id).execute();
  for (const l of leads) if (listening(l.lead_agency_id)) candidates.add(l.lead_agency_id);
  let named = change.consentAgencyId;
  if (named === undefined && change.type.startsWith('CONSENT_')) {
    const event = await db.selectFrom('events').select('payload').where('seq', '=', change.seq).executeTakeFirst();
    const consentId = event ? (JSON.parse(event.payload) as { consentId?: string }).consentId : undefined;
    const consent = consentId ? await db.selectFrom('consents').select('to_agency_id').where('id', '=', consentId).executeTakeFirst() : undefined;
    named = consent?.to_agency_id ?? undefined;
  }
  if (named !== undefined && listening(named)) candidates.add(named);
  const deliveries: Delivery[] = [];
  for (const agencyId of candidates) {
    const agency = await agencies.get(agencyId);
    if (!agency) continue;
    if (!(await personScope(db, agencyViewer(agency), change.id, today))) continue;
    deliveries.push({ agencyId, event: LIVE_EVENTS.personChanged, payload: { id: change.id, version: change.version, seq: change.seq, type: change.type, at: change.effectiveAt } });
  }
  return { deliveries, area: null };
}

async function caseDeliveries(
  db: Kysely<Database>,
  agencies: AgencyDirectory,
  change: RecordChange,
  today: string,
  listening: (agencyId: string) => boolean,
  listeningElsewhere: (agencyId: string) => boolean,
): Promise<{ deliveries: Delivery[]; area: string | null }> {
  const row = change.caseRow ?? (await db.selectFrom('cases').select(['person_id', 'lead_agency_id']).where('id', '=', change.id).executeTakeFirst());
  if (!row) return { deliveries: [], area: null };
  const lead = await agencies.get(row.lead_agency_id);
  const candidates = new Set<string>();
  if (listening(row.lead_agency_id)) candidates.add(row.lead_agency_id);
  // Other agencies see the journey only through a live referral for the person: look them
  // up only when some other agency is listening at all.
  if (listeningElsewhere(row.lead_agency_id)) {
    const referrals = await db
      .selectFrom('referrals')
      .select(['from_agency_id', 'to_agency_id'])
      .where('person_id', '=', row.person_id)
      .where('state', 'not in', ENDED_REFERRAL_STATES)
      .execute();
    for (const r of referrals) {
      for (const id of [r.from_agency_id, r.to_agency_id]) if (listening(id)) candidates.add(id);
    }
  }
  const deliveries: Delivery[] = [];
  for (const agencyId of candidates) {
    const agency = await agencies.get(agencyId);
    if (!agency) continue;
    const scope = await caseScope(db, agencyViewer(agency), { id: change.id, ...row }, today);
    if (!scope) continue;
    // Consent withdrawn: nothing recorded after the withdrawal reaches the agency (a
    // catch-up may still replay what it was told before).
    if (scope.sharedUntil && change.recordedAt >= scope.sharedUntil) continue;
    const { withheld: _withheld, ...journey } = projectJourney({ id: change.id, version: change.version, stage: change.toStage, state: change.toState }, scope.categories);
    // A stage the viewer may not see (custody without offending) is left out, not sent as null.
    for (const key of ['stage', 'state'] as const) if (journey[key] === null) delete journey[key];
    const entry = projectTimelineEntry({ type: change.type, payload: {}, toState: change.toState }, scope.categories);
    const seen = entry ? { type: change.type, at: change.effectiveAt } : {};
    deliveries.push({ agencyId, event: LIVE_EVENTS.caseChanged, payload: { ...journey, seq: change.seq, ...seen } });
    if (change.byTimer && entry) {
      const base = { stream: 'case', id: change.id, version: change.version, seq: change.seq, at: change.effectiveAt };
      deliveries.push({ agencyId, event: LIVE_EVENTS.timerFired, payload: { ...base, type: change.type } });
      const deadline = DEADLINE_OF_TIMER[change.type];
      if (deadline) deliveries.push({ agencyId, event: LIVE_EVENTS.deadlineBreached, payload: { ...base, deadline } });
    }
  }
  return { deliveries, area: lead?.area ?? null };
}

async function referralDeliveries(
  db: Kysely<Database>,
  agencies: AgencyDirectory,
  change: RecordChange,
  today: string,
  listening: (agencyId: string) => boolean,
): Promise<{ deliveries: Delivery[]; area: string | null }> {
  const row = await db
    .selectFrom('referrals')
    .select(['person_id', 'kind', 'from_agency_id', 'to_agency_id', 'safeguarding_override'])
    .where('id', '=', change.id)
    .executeTakeFirst();
  if (!row) return { deliveries: [], area: null };
  const receiver = await agencies.get(row.to_agency_id);
  const sender = await agencies.get(row.from_agency_id);
  const kinds = { from: sender?.kind ?? '', to: receiver?.kind ?? '' };
  const base = { id: change.id, version: change.version, seq: change.seq, at: change.effectiveAt };
  const deliveries: Delivery[] = [];
  for (const agency of [sender, receiver]) {
    if (!agency || !listening(agency.id)) continue;
    // What each side may learn is the referral view's rule (src/referrals/referral-sharing.ts).
    const sharing = await referralSharingFor(db, { agencyId: agency.id, agencyKind: agency.kind }, row, kinds, today);
    const own = change.actorAgencyId === agency.id;
    if (sharing.sharedUntil && change.recordedAt >= sharing.sharedUntil && !own) continue;
    if (!sharing.progress && PROGRESS_REFERRAL_EVENTS.includes(change.type)) continue;
    const status = !sharing.progress && PROGRESS_REFERRAL_STATES.includes(change.toState) ? 'accepted' : change.toState;
    deliveries.push({ agencyId: agency.id, event: LIVE_EVENTS.referralChanged, payload: { ...base, type: change.type, status } });
    if (change.byTimer) {
      deliveries.push({ agencyId: agency.id, event: LIVE_EVENTS.timerFired, payload: { stream: 'referral', ...base, type: change.type } });
      const deadline = DEADLINE_OF_TIMER[change.type];
      // Referral deadlines are the receiver's to act on: flagged to the receiving agency.
      if (deadline && agency.id === row.to_agency_id) deliveries.push({ agencyId: agency.id, event: LIVE_EVENTS.deadlineBreached, payload: { stream: 'referral', ...base, deadline } });
    }
  }
  return { deliveries, area: receiver?.area ?? null };
}
