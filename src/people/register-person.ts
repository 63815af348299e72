/**
 * Registering a person (its date of birth is checked for sense by the API's schema):
 * identifiers checked and kept,
 * people who look the same caught before a second record is made, and the record, its
 * identifiers, its search terms and the audit entry written in one transaction.
 */
import type { Kysely } from 'kysely';
import { checkIdentifier, type IdentifierSystem } from '../../machines/person-identifiers.ts';
import type { Viewer } from '../access/viewer.ts';
import { recordAudit } from '../audit/audit-repository.ts';
import type { Database, PersonTable } from '../db/schema.ts';
import { PathwaysError, validationError } from '../errors.ts';
import { findDuplicateCandidates, type DuplicateCandidate } from './duplicate-check.ts';
import { addIdentifiers, identifiersOf, type PersonIdentifier } from './identifier-repository.ts';
import { insertPerson, type PersonInput } from './person-repository.ts';
import { reindexPerson } from './search-index.ts';
import { personSummary } from './person-summary.ts';

/** What registering a person takes: the record, its identifiers, and whether to go ahead past look-alikes. */
export interface RegisterPersonInput extends PersonInput {
  identifiers?: Array<{ system: IdentifierSystem; value: string }> | undefined;
  confirmNew?: boolean | undefined;
}

/** The identifiers in kept form, the NHS number field folded in; `validation_failed` naming the field otherwise. */
function keptIdentifiers(input: RegisterPersonInput): Array<{ system: IdentifierSystem; value: string }> {
  const out: Array<{ system: IdentifierSystem; value: string }> = [];
  for (const [i, id] of (input.identifiers ?? []).entries()) {
    const check = checkIdentifier(id.system, id.value);
    if (!check.ok) throw validationError(`identifiers.${i}: ${check.message}.`, [{ path: `identifiers.${i}.value`, message: check.message }]);
    out.push({ system: id.system, value: check.value });
  }
  if (input.nhsNumber !== undefined) {
    const check = checkIdentifier('nhs_number', input.nhsNumber);
    if (!check.ok) throw validationError(`nhsNumber: ${check.message}.`, [{ path: 'nhsNumber', message: check.message }]);
    const given = out.find((id) => id.system === 'nhs_number');
    if (given && given.value !== check.value) {
      throw validationError('nhsNumber and the nhs_number identifier differ; give the NHS number once.', [{ path: 'nhsNumber', message: 'differs from identifiers' }]);
    }
    if (!given) out.push({ system: 'nhs_number', value: check.value });
  }
  return out;
}

/**
 * Registers a person for the viewer's agency. When people the viewer may see share the NHS
 * number, or the normalised name and date of birth, answers `possible_duplicate` (409) with
 * them as `details.candidates`, unless `confirmNew`; then the record is made and the audit
 * entry says it was confirmed over those candidates.
 */
export async function registerPerson(
  db: Kysely<Database>,
  viewer: Viewer,
  input: RegisterPersonInput,
  clock: { at: string; today: string },
): Promise<{ row: PersonTable; identifiers: PersonIdentifier[]; confirmedOver: DuplicateCandidate[] }> {
  const identifiers = keptIdentifiers(input);
  const nhsNumber = identifiers.find((id) => id.system === 'nhs_number')?.value;
  const { identifiers: _ids, confirmNew, ...record } = input;
  return db.transaction().execute(async (trx) => {
    const candidates = await findDuplicateCandidates(trx, viewer, { givenName: input.givenName, familyName: input.familyName, dateOfBirth: input.dateOfBirth, nhsNumber }, clock.today);
    if (candidates.length > 0 && confirmNew !== true) {
      throw new PathwaysError(
        'possible_duplicate',
        `${candidates.length === 1 ? 'Someone' : `${candidates.length} people`} you can see already match${candidates.length === 1 ? 'es' : ''} this person (same NHS number, or same name and date of birth). Open their record if it is them; if it is someone else, send the same request with confirmNew: true.`,
        { candidates: candidates.map((c) => ({ ...personSummary(c), matchedOn: c.matchedOn })) },
      );
    }
    const row = await insertPerson(trx, { ...record, ...(nhsNumber !== undefined ? { nhsNumber } : {}) }, viewer.agencyId, clock.at);
    await addIdentifiers(trx, row.id, viewer.agencyId, identifiers, clock.at, (i) => (identifiers[i]?.system === 'nhs_number' && input.nhsNumber !== undefined ? 'nhsNumber' : `identifiers.${i}.value`));
    await reindexPerson(trx, row.id);
    await recordAudit(trx, {
      at: clock.at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: 'create',
      personId: row.id,
      entityType: 'person',
      entityId: row.id,
      ...(candidates.length > 0 ? { detail: { confirmedNew: true, candidates: candidates.map((c) => ({ id: c.row.id, matchedOn: c.matchedOn })) } } : {}),
    });
    return { row, identifiers: await identifiersOf(trx, row.id), confirmedOver: candidates };
  });
}
