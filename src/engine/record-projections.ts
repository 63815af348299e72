/**
 * Where each record stream's events land: the tables the rest of Pathways reads (people
 * and consents, agencies, users). The engine runs these inside the transaction of every
 * record change, before any hook, so a projection can never lag or disagree with the log.
 */
import type { Kysely } from 'kysely';
import type { RecordStreamType } from '../../machines/index.ts';
import { projectAgencyChange } from '../agencies/agency-projection.ts';
import { projectStaffChange } from '../agencies/staff-projection.ts';
import type { Database } from '../db/schema.ts';
import { projectPersonChange } from '../people/person-projection.ts';
import type { StreamChange } from './engine-types.ts';

const PROJECTIONS: Record<RecordStreamType, (trx: Kysely<Database>, change: StreamChange) => Promise<void>> = {
  person: projectPersonChange,
  agency: projectAgencyChange,
  user: projectStaffChange,
};

/** Applies a record stream's change to its projection tables. */
export async function projectRecordChange(trx: Kysely<Database>, change: StreamChange): Promise<void> {
  await PROJECTIONS[change.stream as RecordStreamType](trx, change);
}
