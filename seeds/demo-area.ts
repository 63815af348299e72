/**
 * Loads the Northbridge demo area: its agencies and their staff, through the same commands
 * as the admin routes (`AGENCY_CREATED`, `USER_CREATED`, and corrections when the demo data
 * changed), so every demo record has a stream. Idempotent: agencies and users keep their
 * fixed ids; what already matches is left alone, and an existing user's password hash is
 * never touched, so a password changed after seeding stays changed.
 */
import { createAgency, createStaff, changeAgency, changeStaff } from '../src/agencies/agency-commands.ts';
import { hashPassword } from '../src/auth/password.ts';
import type { Store } from '../src/db/database.ts';
import { createEngine, SYSTEM_ACTOR, type Engine } from '../src/engine/engine.ts';
import { DEMO_AGENCIES, DEMO_AREA, DEMO_PASSWORD, DEMO_USERS } from './demo-area-data.ts';

export { DEMO_AGENCIES, DEMO_AGENCY_IDS, DEMO_LOGINS, DEMO_PASSWORD, DEMO_USERS } from './demo-area-data.ts';

/** When the demo agencies and staff were "set up"; fixed so re-seeding changes nothing. */
export const DEMO_AREA_CREATED_AT = '2023-04-03T09:00:00.000Z';

const SET_UP = { effectiveAt: DEMO_AREA_CREATED_AT, backdateReason: 'the demo area was set up on this day' };

/** What `loadDemoArea` wrote. */
export interface DemoAreaResult {
  agencies: number;
  users: number;
  /** Users created now (the others existed and kept their password). */
  usersCreated: number;
}

/**
 * Creates the demo agencies and users that are missing and corrects those that differ.
 * @param engine - the engine to write through (default: one of its own, closed at the end)
 */
export async function loadDemoArea(store: Store, engine?: Engine): Promise<DemoAreaResult> {
  // Its own engine records the set-up on the set-up day, so two loads of the area write the same log.
  const own = engine ? null : createEngine(store, { now: () => new Date(DEMO_AREA_CREATED_AT) });
  const writer = engine ?? own!;
  try {
    const at = new Date().toISOString();
    const agencies = new Map((await store.db.selectFrom('agencies').selectAll().where('id', 'in', DEMO_AGENCIES.map((a) => a.id)).execute()).map((r) => [r.id, r]));
    for (const a of DEMO_AGENCIES) {
      const row = agencies.get(a.id);
      if (!row) await createAgency(writer, SYSTEM_ACTOR, { name: a.name, kind: a.kind, area: DEMO_AREA }, { id: a.id, ...SET_UP });
      else if (row.name !== a.name || row.area !== DEMO_AREA) {
        await changeAgency(writer, SYSTEM_ACTOR, a.id, { type: 'AGENCY_DETAILS_CORRECTED', changes: { name: a.name, area: DEMO_AREA } }, { at });
      }
    }
    const users = new Map((await store.db.selectFrom('users').selectAll().where('id', 'in', DEMO_USERS.map((u) => u.id)).execute()).map((r) => [r.id, r]));
    const fresh = DEMO_USERS.filter((u) => !users.has(u.id));
    // scrypt is deliberately slow; hash only for users that do not exist yet.
    const hashes = new Map(await Promise.all(fresh.map(async (u) => [u.id, await hashPassword(DEMO_PASSWORD)] as const)));
    for (const u of DEMO_USERS) {
      const row = users.get(u.id);
      if (!row) {
        await createStaff(writer, SYSTEM_ACTOR, { email: u.email, name: u.name, role: u.role, agencyId: u.agencyId, passwordHash: hashes.get(u.id)! }, { id: u.id, ...SET_UP });
        continue;
      }
      if (row.role !== u.role) await changeStaff(writer, SYSTEM_ACTOR, u.id, { type: 'USER_ROLE_CHANGED', role: u.role }, { at });
      if (row.name !== u.name || row.email !== u.email) {
        await changeStaff(writer, SYSTEM_ACTOR, u.id, { type: 'USER_DETAILS_CORRECTED', changes: { name: u.name, email: u.email } }, { at });
      }
    }
    return { agencies: DEMO_AGENCIES.length, users: DEMO_USERS.length, usersCreated: fresh.length };
  } finally {
    await own?.close();
  }
}
