/**
 * Duplicates caught on entry: before a person is registered, the people the registering
 * user may see with the same NHS number, or the same name (normalised: case, accents,
 * punctuation and word order set aside) and date of birth. Read through the same scoped
 * finder as the search, so a warning never names someone the user may not see.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';
import { findPeople, type PersonFound } from './person-search.ts';
import type { Condition } from './search-criteria.ts';
import { duplicateKeyTerm, identifierTerm } from './search-terms.ts';

/** Why a candidate looks like the person being registered. */
export type DuplicateReason = 'nhs_number' | 'name_and_date_of_birth';

/** A person already on record who may be the one being registered. */
export interface DuplicateCandidate extends PersonFound {
  matchedOn: DuplicateReason[];
}

// A handful is enough to recognise someone; more would be a search, not a warning.
const MAX_CANDIDATES = 10;

/** The people `viewer` may see who may be the person described. */
export async function findDuplicateCandidates(
  db: Kysely<Database>,
  viewer: Viewer,
  person: { givenName: string; familyName: string; dateOfBirth: string; nhsNumber?: string | undefined },
  today: string,
): Promise<DuplicateCandidate[]> {
  const key = duplicateKeyTerm(person.givenName, person.familyName, person.dateOfBirth);
  const nhs = person.nhsNumber !== undefined ? identifierTerm('nhs_number', person.nhsNumber) : undefined;
  const condition: Condition = { anyOf: [key, ...(nhs ? [nhs] : [])], weight: 100 };
  const page = await findPeople(db, viewer, [condition], { today, limit: MAX_CANDIDATES });
  return page.items.map((found) => {
    const matchedOn: DuplicateReason[] = [];
    if (person.nhsNumber !== undefined && found.identifiers.some((i) => i.system === 'nhs_number' && i.value === person.nhsNumber)) matchedOn.push('nhs_number');
    if (duplicateKeyTerm(found.row.given_name, found.row.family_name, found.row.date_of_birth) === key) matchedOn.push('name_and_date_of_birth');
    return { ...found, matchedOn };
  });
}
