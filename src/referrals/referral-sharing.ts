/**
 * What one party to a referral may learn of it, defined once for the referral view, lists
 * and the live fan-out:
 *
 * - **progress** — what the receiver reports back (attendance: `inProgress`, the first
 *   contact date, the outcome, a failure's reason). The sender sees it where the person
 *   agreed to share the kind's progress category with it (`REFERRAL_PROGRESS_CATEGORY`;
 *   for the Jobcentre Plus pair only a consent naming that office counts), or where the
 *   sender is the treatment provider caring for the person (it registered them or leads
 *   their journey), for whom partners' progress is part of the care package.
 * - **sharedUntil** — once the person withdraws every consent that named the party, the
 *   referral stays readable as it stood then, with the party's own later steps, and
 *   nothing else recorded after it. A receiver acting under a safeguarding override is
 *   not affected: no consent carried that referral.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../access/viewer.ts';
import { sharingWithAgency } from '../access/consent-sharing.ts';
import type { Database, ReferralRow } from '../db/schema.ts';
import { REFERRAL_PROGRESS_CATEGORY, isJobcentrePair } from '../../machines/referral-consent.ts';
import type { ReferralKind } from '../../machines/referral-kinds.ts';

/** What a party may learn of a referral. */
export interface ReferralSharing {
  /** The party may see the progress the other side reports. */
  progress: boolean;
  /** When consent naming the party was withdrawn: nothing recorded later by others reaches it. */
  sharedUntil: string | null;
}

type ReferralParties = Pick<ReferralRow, 'person_id' | 'kind' | 'from_agency_id' | 'to_agency_id' | 'safeguarding_override'>;

/** True when the agency is a treatment provider holding the person's record. */
async function caresFor(db: Kysely<Database>, agency: { id: string; kind: string }, personId: string): Promise<boolean> {
  if (agency.kind !== 'treatment_provider') return false;
  const registered = await db.selectFrom('people').select('id').where('id', '=', personId).where('created_by_agency_id', '=', agency.id).executeTakeFirst();
  if (registered) return true;
  const led = await db.selectFrom('cases').select('id').where('person_id', '=', personId).where('lead_agency_id', '=', agency.id).limit(1).executeTakeFirst();
  return led !== undefined;
}

/** What `viewer` (the sender or the receiver) may learn of the referral on `today`. */
export async function referralSharingFor(
  db: Kysely<Database>,
  viewer: Pick<Viewer, 'agencyId' | 'agencyKind'>,
  row: ReferralParties,
  kinds: { from: string; to: string },
  today: string,
): Promise<ReferralSharing> {
  const agency = { id: viewer.agencyId, kind: viewer.agencyKind };
  const explicitOnly = isJobcentrePair(row.kind, kinds.from, kinds.to);
  if (row.to_agency_id === viewer.agencyId) {
    // The receiver makes the progress itself; only a withdrawal stops what flows to it.
    if (row.safeguarding_override !== null) return { progress: true, sharedUntil: null };
    const sharing = await sharingWithAgency(db, row.person_id, agency, today, { explicitOnly });
    return { progress: true, sharedUntil: sharing.withdrawnAt };
  }
  if (await caresFor(db, agency, row.person_id)) return { progress: true, sharedUntil: null };
  const sharing = await sharingWithAgency(db, row.person_id, agency, today, { explicitOnly });
  const category = REFERRAL_PROGRESS_CATEGORY[row.kind as ReferralKind];
  const covered = sharing.withdrawnAt === null ? sharing.categories : sharing.withdrawnCategories;
  return { progress: category !== undefined && covered.has(category), sharedUntil: sharing.withdrawnAt };
}
