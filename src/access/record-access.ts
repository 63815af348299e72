/**
 * Who may see a person and a journey, and how much of them.
 *
 * - The agency that holds the record (it leads one of the person's journeys, or
 *   registered the person) sees all of it.
 * - Another agency sees it only while it holds a live referral for the person (sent or
 *   received) and the person's active consent names it (or its kind); it sees only the
 *   consented categories. A safeguarding override grants the receiving agency the
 *   categories of that referral's kind, and nothing more.
 * - Once the person withdraws the consent an agency saw a journey under, the agency sees
 *   the journey as it stood at the withdrawal (`sharedUntil`), and no longer the person.
 * - The agency that sent a referral knows who it referred: on that referral it sees the
 *   person's name and date of birth whatever the consents say (`sentReferral`,
 *   `REFERRER_PERSON_FIELDS` in projection.ts), and nothing more of them without consent.
 * - Admins and auditors never see case content.
 *
 * Anything else is `null`, which the API answers as 404: never reveal that a record exists.
 */
import type { Kysely } from 'kysely';
import type { ReferralKind } from '../../machines/referral-kinds.ts';
import type { CaseRow, Database, ReferralRow } from '../db/schema.ts';
import { sharingWithAgency } from './consent-sharing.ts';
import { recordedBy } from './stream-as-of.ts';
import type { CategoryScope } from '../../machines/data-categories.ts';
import { REFERRAL_KIND_CATEGORIES } from '../../machines/referral-consent.ts';
import { readsCaseRecords, type Viewer } from './viewer.ts';

/** Referral states in which the referral no longer carries any sharing. */
export const ENDED_REFERRAL_STATES = ['rejected', 'cancelled', 'failed'] as const;

/** How a viewer relates to a record: the holder, or an agency it is shared with. */
export interface Scope {
  kind: 'holder' | 'shared';
  categories: CategoryScope;
  /**
   * Set when the person withdrew the consent the agency saw the record under: the instant
   * sharing stopped. The agency sees the record as it stood then, cut to what that consent
   * covered, and nothing recorded later (`src/access/stream-as-of.ts`).
   */
  sharedUntil?: string | null;
}

async function sharedScope(db: Kysely<Database>, viewer: Viewer, personId: string, today: string): Promise<Scope | null> {
  const referrals = await db
    .selectFrom('referrals')
    .select(['kind', 'to_agency_id', 'safeguarding_override'])
    .where('person_id', '=', personId)
    .where((eb) => eb.or([eb('from_agency_id', '=', viewer.agencyId), eb('to_agency_id', '=', viewer.agencyId)]))
    .where('state', 'not in', ENDED_REFERRAL_STATES)
    .execute();
  if (referrals.length === 0) return null;
  const sharing = await sharingWithAgency(db, personId, { id: viewer.agencyId, kind: viewer.agencyKind }, today);
  const categories = sharing.categories;
  for (const r of referrals) {
    if (r.safeguarding_override !== null && r.to_agency_id === viewer.agencyId) {
      for (const c of REFERRAL_KIND_CATEGORIES[r.kind as ReferralKind] ?? []) categories.add(c);
    }
  }
  if (categories.size > 0) return { kind: 'shared', categories, sharedUntil: null };
  if (sharing.withdrawnAt !== null && sharing.withdrawnCategories.size > 0) {
    return { kind: 'shared', categories: sharing.withdrawnCategories, sharedUntil: sharing.withdrawnAt };
  }
  return null;
}

/** What of a person the viewer may see, or null for nothing (answer 404). */
export async function personScope(db: Kysely<Database>, viewer: Viewer, personId: string, today: string): Promise<Scope | null> {
  if (!readsCaseRecords(viewer)) return null;
  const person = await db.selectFrom('people').select(['created_by_agency_id']).where('id', '=', personId).executeTakeFirst();
  if (!person) return null;
  if (person.created_by_agency_id === viewer.agencyId) return { kind: 'holder', categories: 'all' };
  const led = await db
    .selectFrom('cases')
    .select('id')
    .where('person_id', '=', personId)
    .where('lead_agency_id', '=', viewer.agencyId)
    .limit(1)
    .executeTakeFirst();
  if (led) return { kind: 'holder', categories: 'all' };
  const shared = await sharedScope(db, viewer, personId, today);
  // A person's details have no history to show as they stood at a withdrawal, and may have
  // been corrected since: once sharing has stopped, the person is not shown at all.
  return shared && !shared.sharedUntil ? shared : null;
}

/** What of a journey the viewer may see, or null for nothing (answer 404). */
export async function caseScope(
  db: Kysely<Database>,
  viewer: Viewer,
  row: Pick<CaseRow, 'id' | 'person_id' | 'lead_agency_id'>,
  today: string,
): Promise<Scope | null> {
  if (!readsCaseRecords(viewer)) return null;
  if (row.lead_agency_id === viewer.agencyId) return { kind: 'holder', categories: 'all' };
  const shared = await sharedScope(db, viewer, row.person_id, today);
  // A journey opened after sharing stopped was never shared.
  if (shared?.sharedUntil && !(await recordedBy(db, 'case', row.id, shared.sharedUntil))) return null;
  return shared;
}

/**
 * True when the viewer's agency sent the referral: it named the person when it referred
 * them, so on that referral it sees who they are (REFERRER_PERSON_FIELDS) even where no
 * consent shares the person with it — an ended referral and a withdrawn consent included.
 */
export function sentReferral(viewer: Viewer, referral: Pick<ReferralRow, 'from_agency_id'>): boolean {
  return readsCaseRecords(viewer) && referral.from_agency_id === viewer.agencyId;
}
