/**
 * The consent a referral needs, checked where it is written: a referral (and its
 * acceptance, which starts the flow) needs the person's active consent covering the
 * categories its kind shares with the receiving agency, unless it was sent under a
 * recorded safeguarding override.
 */
import type { Kysely } from 'kysely';
import { REFERRAL_KIND_CATEGORIES, isJobcentrePair, missingCategories } from '../../machines/referral-consent.ts';
import type { ReferralKind } from '../../machines/referral-kinds.ts';
import { consentedCategories } from '../consent/consent-repository.ts';
import type { Database } from '../db/schema.ts';
import { PathwaysError } from '../errors.ts';

/**
 * Refuses with 422 `consent_required` naming what is missing for `kind` to `to`. Call it
 * with the transaction that then writes, so a withdrawal cannot slip in between.
 */
export async function requireReferralConsent(
  db: Kysely<Database>,
  personId: string,
  kind: ReferralKind,
  to: { id: string; kind: string; name: string },
  fromKind: string,
  today: string,
): Promise<void> {
  const explicitOnly = isJobcentrePair(kind, fromKind, to.kind);
  const consented = await consentedCategories(db, personId, to, today, { explicitOnly });
  const missing = missingCategories(kind, consented);
  if (missing.length === 0) return;
  throw new PathwaysError(
    'consent_required',
    `The person has not consented to share ${missing.join(', ')} with ${to.name}${explicitOnly ? ' (this Jobcentre Plus referral needs consent naming that office explicitly)' : ''}. ` +
      'Record their consent (POST /api/v1/people/{id}/consents) or, if someone is at risk, send with a safeguardingOverride.',
    {
      missing: {
        personId,
        toAgencyId: to.id,
        toAgencyKind: to.kind,
        categories: missing,
        needed: REFERRAL_KIND_CATEGORIES[kind],
        explicit: explicitOnly,
      },
    },
  );
}
