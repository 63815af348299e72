/**
 * A person's identifiers (`person_identifiers`, migration 045). Values arrive checked and
 * in their kept form (`checkIdentifier`, machines/person-identifiers.ts).
 */
import type { Kysely } from 'kysely';
import type { IdentifierSystem } from '../../machines/person-identifiers.ts';
import { IDENTIFIER_LABELS } from '../../machines/person-identifiers.ts';
import type { Database } from '../db/schema.ts';
import { PathwaysError } from '../errors.ts';

/** One identifier as the rest of Pathways sees it; `agencyId` is set for a local id only. */
export interface PersonIdentifier {
  system: IdentifierSystem;
  value: string;
  agencyId?: string;
}

/** An identifier in its kept form, as an event carries it. */
export interface KeptIdentifier {
  system: IdentifierSystem;
  value: string;
}

/** The identifiers with the NHS number field folded in (when given and not already there). */
export function withNhsNumber(identifiers: readonly KeptIdentifier[], nhsNumber: unknown): KeptIdentifier[] {
  if (typeof nhsNumber !== 'string' || identifiers.some((i) => i.system === 'nhs_number')) return [...identifiers];
  return [...identifiers, { system: 'nhs_number', value: nhsNumber }];
}

/** Every identifier of a person, national ones first. */
export async function identifiersOf(db: Kysely<Database>, personId: string): Promise<PersonIdentifier[]> {
  return (await identifiersOfMany(db, [personId])).get(personId) ?? [];
}

/** The identifiers of several people at once, by person id. */
export async function identifiersOfMany(db: Kysely<Database>, personIds: readonly string[]): Promise<Map<string, PersonIdentifier[]>> {
  const out = new Map<string, PersonIdentifier[]>();
  if (personIds.length === 0) return out;
  const rows = await db
    .selectFrom('person_identifiers')
    .select(['person_id', 'system', 'agency_id', 'value'])
    .where('person_id', 'in', [...personIds])
    .orderBy('person_id')
    .orderBy('system')
    .execute();
  for (const r of rows) {
    const item: PersonIdentifier = r.system === 'local' ? { system: 'local', value: r.value, agencyId: r.agency_id } : { system: r.system as IdentifierSystem, value: r.value };
    out.set(r.person_id, [...(out.get(r.person_id) ?? []), item]);
  }
  return out;
}

/**
 * Records identifiers of a person registered by `registeredBy`. A value is unique within
 * its system among the records one agency holds (for a local id, that agency's own): the
 * same NHS number on a second record of the same agency is refused as `conflict`, naming
 * the field, whatever `confirmNew` says — it is the same person, so open that record.
 */
export async function addIdentifiers(
  db: Kysely<Database>,
  personId: string,
  registeredBy: string,
  identifiers: ReadonlyArray<{ system: IdentifierSystem; value: string }>,
  at: string,
  pathOf: (index: number) => string = (i) => `identifiers.${i}.value`,
): Promise<void> {
  for (const [i, id] of identifiers.entries()) {
    const taken = await db
      .selectFrom('person_identifiers')
      .select('person_id')
      .where('system', '=', id.system)
      .where('agency_id', '=', registeredBy)
      .where('value', '=', id.value)
      .executeTakeFirst();
    if (taken && taken.person_id !== personId) {
      throw new PathwaysError('conflict', `${IDENTIFIER_LABELS[id.system]} ${id.value} is already on another record your agency registered; search for it and open that record instead.`, {
        issues: [{ path: pathOf(i), message: 'already on another record of your agency' }],
        personId: taken.person_id,
      });
    }
    await db
      .insertInto('person_identifiers')
      .values({ person_id: personId, system: id.system, agency_id: registeredBy, value: id.value, recorded_at: at })
      .onConflict((oc) => oc.columns(['person_id', 'system', 'agency_id']).doUpdateSet({ value: id.value, recorded_at: at }))
      .execute();
  }
}

/**
 * Replaces the identifiers a person's registering agency recorded (a correction): those
 * left out go, the rest are written as `addIdentifiers` does. Local ids of other agencies
 * stay.
 */
export async function replaceIdentifiers(db: Kysely<Database>, personId: string, registeredBy: string, identifiers: readonly KeptIdentifier[], at: string): Promise<void> {
  await db.deleteFrom('person_identifiers').where('person_id', '=', personId).where('agency_id', '=', registeredBy).execute();
  await addIdentifiers(db, personId, registeredBy, identifiers, at, (i) => `identifiers.${i}.value`);
}
