/**
 * Consents about to run out that a live referral depends on: the caseload warns 30 days
 * ahead, and "my day" lists the same consents, so staff renew them with the person before
 * the referral loses what it shares. A consent is "used by" a referral when it is in force
 * and names the referral's receiving agency or that agency's kind; a referral is live from
 * request until it is completed, rejected, cancelled or failed.
 */
import type { Kysely } from 'kysely';
import { addDays } from '../../machines/calendar-days.ts';
import type { Database } from '../db/schema.ts';

/** Days ahead the caseload and "my day" warn of a consent ending. */
export const CONSENT_WARNING_DAYS = 30;

/** Referral states in which a referral still relies on its consent. */
const LIVE_REFERRAL_STATES = ['requested', 'received', 'accepted', 'inProgress'] as const;

/** A consent that ends within the warning window while a live referral uses it. */
export interface ConsentEnding {
  id: string;
  personId: string;
  /** Last valid day (inclusive). */
  validUntil: string;
  toAgencyId: string | null;
  toAgencyKind: string | null;
  toAgencyName: string | null;
  /** The live referrals that rely on it. */
  referralIds: string[];
}

/**
 * The consents of `personIds` that are in force on `today`, end within `days` days (the last
 * valid day from today to today + days) and are used by a live referral, soonest first.
 */
export async function consentsEndingSoon(db: Kysely<Database>, personIds: readonly string[], today: string, days: number = CONSENT_WARNING_DAYS): Promise<ConsentEnding[]> {
  if (personIds.length === 0) return [];
  const rows = await db
    .selectFrom('consents')
    .innerJoin('referrals', 'referrals.person_id', 'consents.person_id')
    .innerJoin('agencies as receiver', 'receiver.id', 'referrals.to_agency_id')
    .leftJoin('agencies as named', 'named.id', 'consents.to_agency_id')
    .select([
      'consents.id',
      'consents.person_id',
      'consents.valid_until',
      'consents.to_agency_id',
      'consents.to_agency_kind',
      'named.name as to_agency_name',
      'referrals.id as referral_id',
    ])
    .where('consents.person_id', 'in', personIds)
    .where('consents.withdrawn_at', 'is', null)
    .where('consents.given_on', '<=', today)
    .where('consents.valid_until', '>=', today)
    .where('consents.valid_until', '<=', addDays(today, days))
    .where('referrals.state', 'in', LIVE_REFERRAL_STATES)
    .where((eb) => eb.or([eb('consents.to_agency_id', '=', eb.ref('referrals.to_agency_id')), eb('consents.to_agency_kind', '=', eb.ref('receiver.kind'))]))
    .orderBy('consents.valid_until')
    .orderBy('consents.id')
    .execute();
  const byId = new Map<string, ConsentEnding>();
  for (const r of rows) {
    const seen = byId.get(r.id);
    if (seen) {
      if (!seen.referralIds.includes(r.referral_id)) seen.referralIds.push(r.referral_id);
      continue;
    }
    byId.set(r.id, {
      id: r.id,
      personId: r.person_id,
      validUntil: r.valid_until!,
      toAgencyId: r.to_agency_id,
      toAgencyKind: r.to_agency_kind,
      toAgencyName: r.to_agency_name,
      referralIds: [r.referral_id],
    });
  }
  return [...byId.values()];
}
