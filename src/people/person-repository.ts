/** People: identity and monitoring fields in columns, the rest as JSON `details`. */
import type { Kysely } from 'kysely';
import type { Database, PersonTable } from '../db/schema.ts';

/** The full person record (before any consent cut). */
export type PersonRecord = Record<string, unknown> & { id: string };

/** What recording a person needs (the API's `POST /people` body is one). */
export interface PersonInput {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: string;
  ethnicity?: string | undefined;
  postcodeDistrict?: string | undefined;
  genderIdentity?: string | undefined;
  sexualOrientation?: string | undefined;
  religion?: string | undefined;
  disability?: boolean | undefined;
  pregnant?: boolean | undefined;
  parentalResponsibility?: boolean | undefined;
  nhsNumber?: string | undefined;
  contact?: { phone?: string | undefined; email?: string | undefined; address?: string | undefined } | undefined;
}

/** The `people` row of a person record: identity and monitoring fields in columns, the rest as `details`. */
export function personRowOf(id: string, input: PersonInput, agencyId: string, at: string): PersonTable {
  const { givenName, familyName, dateOfBirth, sex, ethnicity, postcodeDistrict, ...details } = input;
  return {
    id,
    given_name: givenName,
    family_name: familyName,
    date_of_birth: dateOfBirth,
    sex,
    ethnicity: ethnicity ?? null,
    postcode_district: postcodeDistrict ?? null,
    details: JSON.stringify(details),
    created_by_agency_id: agencyId,
    created_at: at,
  };
}

/** A person's row, or undefined. */
export async function findPerson(db: Kysely<Database>, id: string): Promise<PersonTable | undefined> {
  return db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Several people by id, in one query (ids not found are left out). */
export async function findPeople(db: Kysely<Database>, ids: readonly string[]): Promise<PersonTable[]> {
  return ids.length === 0 ? [] : db.selectFrom('people').selectAll().where('id', 'in', ids).execute();
}

/** The full record of a person as one object. */
export function personRecord(row: PersonTable): PersonRecord {
  const details = JSON.parse(row.details) as Record<string, unknown>;
  return {
    id: row.id,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
    sex: row.sex,
    ethnicity: row.ethnicity,
    postcodeDistrict: row.postcode_district,
    ...details,
    createdByAgencyId: row.created_by_agency_id,
    createdAt: row.created_at,
  };
}

/** The version of a person's stream, or null for a person with no stream (never after migration 016). */
export async function personVersion(db: Kysely<Database>, id: string): Promise<number | null> {
  const row = await db.selectFrom('record_streams').select('version').where('stream_type', '=', 'person').where('id', '=', id).executeTakeFirst();
  return row ? row.version : null;
}
