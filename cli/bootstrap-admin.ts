/**
 * The first administrator. On a database with no users, `serve` creates one from
 * `PATHWAYS_ADMIN_EMAIL` and `PATHWAYS_ADMIN_PASSWORD` (parsed and checked by `config.ts`),
 * in an agency of its own (every user belongs to one agency; an administrator's holds no
 * case records).
 */
import type { Store } from '../src/db/database.ts';
import { hashPassword } from '../src/auth/password.ts';
import { passwordProblem } from '../src/auth/password-policy.ts';
import { countUsers, insertAgency, insertUser } from '../src/agencies/agency-repository.ts';
import type { PathwaysConfig } from './config.ts';

/** Creates the first admin when the store has no users and one is configured; says what it did. */
export async function ensureFirstAdmin(
  store: Store,
  admin: PathwaysConfig['firstAdmin'],
  now: Date = new Date(),
): Promise<{ created: boolean; email?: string; reason?: string }> {
  if (!admin) return { created: false, reason: 'PATHWAYS_ADMIN_EMAIL / PATHWAYS_ADMIN_PASSWORD not set' };
  const { email, password, area } = admin;
  if ((await countUsers(store.db)) > 0) return { created: false, reason: 'users already exist' };
  const weak = await passwordProblem(password, { email });
  if (weak) throw new Error(`PATHWAYS_ADMIN_PASSWORD ${weak}.`);
  const passwordHash = await hashPassword(password);
  await store.db.transaction().execute(async (trx) => {
    const agency = await insertAgency(trx, { name: 'Pathways administration', kind: 'administration', area, createdAt: now.toISOString() });
    await insertUser(trx, { email, name: 'Administrator', passwordHash, role: 'admin', agencyId: agency.id, createdAt: now.toISOString() });
  });
  return { created: true, email };
}
