/**
 * Recognised on arrival: when a referral reaches an agency that already holds a record of
 * the same person — the same NHS number, or the same name, date of birth and postcode
 * district — the receiving agency is told "probably known to you as …", so it opens its own
 * record instead of making a second one. Read from the receiving agency's own search terms
 * only, so it names nobody the agency does not already hold.
 */
import type { Kysely } from 'kysely';
import { ENDED_REFERRAL_STATES } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';
import { identifiersOf } from './identifier-repository.ts';
import { findPeople, type PersonFound } from './person-search.ts';
import { duplicateKeyTerm, identifierTerm } from './search-terms.ts';

/** A record of the receiving agency that is probably the referred person, and why. */
export interface KnownAs extends PersonFound {
  matchedOn: Array<'nhs_number' | 'name_date_of_birth_and_postcode_district'>;
}

/**
 * The receiving agency's own records that are probably the person of a referral it has
 * received (live, not ended); [] for anyone else, or when nothing matches.
 */
export async function knownAs(db: Kysely<Database>, viewer: Viewer, referralId: string, today: string): Promise<KnownAs[] | null> {
  const referral = await db.selectFrom('referrals').select(['person_id', 'to_agency_id', 'state']).where('id', '=', referralId).executeTakeFirst();
  if (!referral || referral.to_agency_id !== viewer.agencyId) return null;
  if ((ENDED_REFERRAL_STATES as readonly string[]).includes(referral.state)) return [];
  const person = await db.selectFrom('people').select(['given_name', 'family_name', 'date_of_birth', 'postcode_district']).where('id', '=', referral.person_id).executeTakeFirst();
  if (!person) return [];
  const nhs = (await identifiersOf(db, referral.person_id)).find((i) => i.system === 'nhs_number')?.value;
  const key = duplicateKeyTerm(person.given_name, person.family_name, person.date_of_birth);
  const byNhs = nhs ? (await findPeople(db, viewer, [{ anyOf: [identifierTerm('nhs_number', nhs)], weight: 1 }], { today, limit: 5 })).items : [];
  const byName = person.postcode_district
    ? (
        await findPeople(
          db,
          viewer,
          [
            { anyOf: [key], weight: 2 },
            { anyOf: [`c:${person.postcode_district.toUpperCase()}`], weight: 1 },
          ],
          { today, limit: 5 },
        )
      ).items
    : [];
  const out = new Map<string, KnownAs>();
  for (const f of byNhs) if (f.row.id !== referral.person_id && f.scope.kind === 'holder') out.set(f.row.id, { ...f, matchedOn: ['nhs_number'] });
  for (const f of byName) {
    if (f.row.id === referral.person_id || f.scope.kind !== 'holder') continue;
    const seen = out.get(f.row.id);
    if (seen) seen.matchedOn.push('name_date_of_birth_and_postcode_district');
    else out.set(f.row.id, { ...f, matchedOn: ['name_date_of_birth_and_postcode_district'] });
  }
  return [...out.values()];
}
