/**
 * Loads the Northbridge demo area: its agencies and their staff. Idempotent: agencies and
 * users are upserted by their fixed ids; an existing user's password hash is left alone,
 * so a password changed after seeding stays changed.
 */
import type { Kysely } from 'kysely';
import { hashPassword } from '../src/auth/password.ts';
import type { Database } from '../src/db/schema.ts';
import { DEMO_AGENCIES, DEMO_AREA, DEMO_PASSWORD, DEMO_USERS } from './demo-area-data.ts';

export { DEMO_AGENCIES, DEMO_AGENCY_IDS, DEMO_LOGINS, DEMO_PASSWORD, DEMO_USERS } from './demo-area-data.ts';

/** When the demo agencies and staff were "set up"; fixed so re-seeding changes nothing. */
export const DEMO_AREA_CREATED_AT = '2023-04-03T09:00:00.000Z';

/** What `loadDemoArea` wrote. */
export interface DemoAreaResult {
  agencies: number;
  users: number;
  /** Users created now (the others existed and kept their password). */
  usersCreated: number;
}

/**
 * Upserts the demo agencies and users.
 * @param db - the store's Kysely instance (the password hashing runs outside the transaction)
 */
export async function loadDemoArea(db: Kysely<Database>): Promise<DemoAreaResult> {
  const existing = new Set(
    (await db.selectFrom('users').select('id').where('id', 'in', DEMO_USERS.map((u) => u.id)).execute()).map((r) => r.id),
  );
  const fresh = DEMO_USERS.filter((u) => !existing.has(u.id));
  // scrypt is deliberately slow; hash only for users that do not exist yet.
  const hashes = new Map(await Promise.all(fresh.map(async (u) => [u.id, await hashPassword(DEMO_PASSWORD)] as const)));

  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('agencies')
      .values(DEMO_AGENCIES.map((a) => ({ id: a.id, name: a.name, kind: a.kind, area: DEMO_AREA, created_at: DEMO_AREA_CREATED_AT })))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), kind: eb.ref('excluded.kind'), area: eb.ref('excluded.area') })),
      )
      .execute();
    for (const u of DEMO_USERS) {
      const row = { email: u.email, name: u.name, role: u.role, agency_id: u.agencyId };
      const hash = hashes.get(u.id);
      if (hash === undefined) await trx.updateTable('users').set(row).where('id', '=', u.id).execute();
      else {
        await trx
          .insertInto('users')
          .values({ id: u.id, ...row, password_hash: hash, created_at: DEMO_AREA_CREATED_AT, disabled_at: null })
          .execute();
      }
    }
  });
  return { agencies: DEMO_AGENCIES.length, users: DEMO_USERS.length, usersCreated: fresh.length };
}
