/**
 * A small world for engine-level tests: two agencies with a user each and one person,
 * with unique ids so suites can share a store. Rows are written directly (not through
 * seeds) so engine tests depend on nothing but the schema.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';

export interface EngineWorld {
  provider: { agencyId: string; userId: string };
  probation: { agencyId: string; userId: string };
  personId: string;
  /** The provider's keyworker as an engine actor. */
  keyworker: { userId: string; agencyId: string };
  /** The probation officer as an engine actor. */
  officer: { userId: string; agencyId: string };
}

/** Inserts two agencies, a user in each and a person; returns their ids. */
export async function createEngineWorld(db: Kysely<Database>, at = '2026-01-01T00:00:00.000Z'): Promise<EngineWorld> {
  const tag = randomUUID().slice(0, 8);
  const provider = { agencyId: `ag-prov-${tag}`, userId: `u-kw-${tag}` };
  const probation = { agencyId: `ag-prob-${tag}`, userId: `u-po-${tag}` };
  await db
    .insertInto('agencies')
    .values([
      { id: provider.agencyId, name: `Recovery Service ${tag}`, kind: 'treatment_provider', area: 'Northbridge', created_at: at },
      { id: probation.agencyId, name: `Probation ${tag}`, kind: 'probation', area: 'Northbridge', created_at: at },
    ])
    .execute();
  await db
    .insertInto('users')
    .values([
      { id: provider.userId, email: `kw-${tag}@example.test`, name: 'Kim Worker', password_hash: 'x', role: 'keyworker', agency_id: provider.agencyId, created_at: at, disabled_at: null },
      { id: probation.userId, email: `po-${tag}@example.test`, name: 'Pat Officer', password_hash: 'x', role: 'referrer', agency_id: probation.agencyId, created_at: at, disabled_at: null },
    ])
    .execute();
  const personId = `p-${tag}`;
  await db
    .insertInto('people')
    .values({
      id: personId,
      given_name: 'Alex',
      family_name: 'Example',
      date_of_birth: '1985-04-01',
      sex: 'F',
      ethnicity: null,
      postcode_district: 'NB1',
      details: '{}',
      created_by_agency_id: probation.agencyId,
      created_at: at,
    })
    .execute();
  return { provider, probation, personId, keyworker: { ...provider }, officer: { ...probation } };
}
