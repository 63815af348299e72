/**
 * Registering a person (its date of birth is checked for sense by the API's schema):
 * identifiers checked and kept, people who look the same caught before a second record
 * is made, and the event, its projection and the audit entry written in one engine unit.
 */
import { checkIdentifier, type IdentifierSystem } from '../../machines/person-identifiers.ts';
import type { Viewer } from '../access/viewer.ts';
import { recordAudit } from '../audit/audit-repository.ts';
import type { PersonTable } from '../db/schema.ts';
import type { Engine } from '../engine/engine-types.ts';
import { PathwaysError, validationError } from '../errors.ts';
import { findDuplicateCandidates, type DuplicateCandidate } from './duplicate-check.ts';
import { identifiersOf, type PersonIdentifier } from './identifier-repository.ts';
import { findPerson, type PersonInput } from './person-repository.ts';
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
 * A correction's identifier fields in kept form (`PERSON_DETAILS_CORRECTED` carries them so):
 * `identifiers` (a new set; null clears it) and `nhsNumber`; `validation_failed` naming
 * the field when one is not valid.
 */
export function keptIdentifierChanges(changes: Record<string, unknown>): Record<string, unknown> {
  const out = { ...changes };
  if (Array.isArray(changes.identifiers)) {
    out.identifiers = keptIdentifiers({ identifiers: changes.identifiers as RegisterPersonInput['identifiers'] } as RegisterPersonInput);
  }
  if (typeof changes.nhsNumber === 'string') {
    const check = checkIdentifier('nhs_number', changes.nhsNumber);
    if (!check.ok) throw validationError(`nhsNumber: ${check.message}.`, [{ path: 'nhsNumber', message: check.message }]);
    out.nhsNumber = check.value;
  }
  return out;
}

/**
 * Registers a person for the viewer's agency: one engine unit opening the person's stream
 * with `PERSON_RECORDED` (identifiers in its payload; the projection writes the row, the
 * identifiers and the search terms). When people the viewer may see share the NHS number,
 * or the normalised name and date of birth, answers `possible_duplicate` (409) with them as
 * `details.candidates`, unless `confirmNew`; then the event (`confirmedOver`) and the
 * audit entry name the candidates passed over. The check runs in the unit that writes, so
 * two clerks registering the same person at once cannot both miss each other.
 */
export async function registerPerson(
  engine: Pick<Engine, 'transaction'>,
  viewer: Viewer,
  input: RegisterPersonInput,
  clock: { at: string; today: string },
): Promise<{ row: PersonTable; version: number; identifiers: PersonIdentifier[]; confirmedOver: DuplicateCandidate[] }> {
  const identifiers = keptIdentifiers(input);
  const nhsNumber = identifiers.find((id) => id.system === 'nhs_number')?.value;
  const listed = identifiers.filter((id) => id.system !== 'nhs_number' || (input.identifiers ?? []).some((i) => i.system === 'nhs_number'));
  const { identifiers: _ids, confirmNew, nhsNumber: _nhs, ...record } = input;
  return engine.transaction(async (tx) => {
    const candidates = await findDuplicateCandidates(tx.trx, viewer, { givenName: input.givenName, familyName: input.familyName, dateOfBirth: input.dateOfBirth, nhsNumber }, clock.today);
    if (candidates.length > 0 && confirmNew !== true) {
      throw new PathwaysError(
        'possible_duplicate',
        `${candidates.length === 1 ? 'Someone' : `${candidates.length} people`} you can see already match${candidates.length === 1 ? 'es' : ''} this person (same NHS number, or same name and date of birth). Open their record if it is them; if it is someone else, send the same request with confirmNew: true.`,
        { candidates: candidates.map((c) => ({ ...personSummary(c), matchedOn: c.matchedOn })) },
      );
    }
    const confirmedOver = candidates.map((c) => c.row.id);
    const opened = await tx.openRecord({
      stream: 'person',
      event: {
        type: 'PERSON_RECORDED',
        ...record,
        ...(nhsNumber !== undefined ? { nhsNumber } : {}),
        // The NHS number travels as its own field; the list holds the identifiers given as such.
        ...(listed.length > 0 ? { identifiers: listed } : {}),
        ...(confirmedOver.length > 0 ? { confirmedOver } : {}),
        createdByAgencyId: viewer.agencyId,
      },
      actor: { userId: viewer.userId, agencyId: viewer.agencyId },
    });
    const id = opened.row.id;
    await recordAudit(tx.trx, {
      at: clock.at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: 'create',
      personId: id,
      entityType: 'person',
      entityId: id,
      ...(candidates.length > 0 ? { detail: { confirmedNew: true, candidates: candidates.map((c) => ({ id: c.row.id, matchedOn: c.matchedOn })) } } : {}),
    });
    const row = await findPerson(tx.trx, id);
    if (!row) throw new Error(`person ${id} was not projected`);
    return { row, version: opened.row.version, identifiers: await identifiersOf(tx.trx, id), confirmedOver: candidates };
  });
}
