/**
 * The first administrator. On a database with no users, `serve` creates one from
 * `PATHWAYS_ADMIN_EMAIL` and `PATHWAYS_ADMIN_PASSWORD` (parsed and checked by `config.ts`),
 * in an agency of its own (every user belongs to one agency; an administrator's holds no
 * case records) — through the same commands as the admin routes, so both have a stream
 * (`AGENCY_CREATED`, `USER_CREATED`) from their first day.
 */
import type { Store } from '../src/db/database.ts';
import { hashPassword } from '../src/auth/password.ts';
import { passwordProblem } from '../src/auth/password-policy.ts';
import { createAgency, createStaff } from '../src/agencies/agency-commands.ts';
import { countUsers } from '../src/agencies/agency-repository.ts';
import { createEngine, SYSTEM_ACTOR, type Engine } from '../src/engine/engine.ts';
import type { PathwaysConfig } from './config.ts';

/**
 * Creates the first admin when the store has no users and one is configured; says what it
 * did. Uses `engine` when given, else an engine of its own for the one unit.
 */
export async function ensureFirstAdmin(
  store: Store,
  admin: PathwaysConfig['firstAdmin'],
  now: Date = new Date(),
  engine?: Engine,
): Promise<{ created: boolean; email?: string; reason?: string }> {
  if (!admin) return { created: false, reason: 'PATHWAYS_ADMIN_EMAIL / PATHWAYS_ADMIN_PASSWORD not set' };
  const { email, password, area } = admin;
  if ((await countUsers(store.db)) > 0) return { created: false, reason: 'users already exist' };
  const weak = await passwordProblem(password, { email });
  if (weak) throw new Error(`PATHWAYS_ADMIN_PASSWORD ${weak}.`);
  const passwordHash = await hashPassword(password);
  const own = engine ? null : createEngine(store, { now: () => now });
  const runner = engine ?? own!;
  try {
    const created = await runner.transaction(async (tx) => {
      // Checked again inside the unit that writes: no gap between the check and the write.
      const users = await tx.trx.selectFrom('users').select('id').limit(1).execute();
      if (users.length > 0) return false;
      const agency = await createAgency(tx, SYSTEM_ACTOR, { name: 'Pathways administration', kind: 'administration', area });
      await createStaff(tx, SYSTEM_ACTOR, { email, name: 'Administrator', role: 'admin', agencyId: agency.row.id, passwordHash });
      return true;
    });
    return created ? { created: true, email } : { created: false, reason: 'users already exist' };
  } finally {
    await own?.close();
  }
}
