/**
 * The `users` rows as the projection of the staff streams, written in the transaction that
 * logs each event. The password hash is not in any event (a secret is not a fact): the
 * account is created without one and the service that created it sets it in the same unit.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { StreamChange } from '../engine/engine-types.ts';

/** A password hash no password matches: the account cannot sign in until one is set. */
export const NO_PASSWORD = '!';

/** Applies one staff-stream change to `users` (deactivation also revokes the user's tokens). */
export async function projectStaffChange(trx: Kysely<Database>, change: StreamChange): Promise<void> {
  const p = change.payload;
  // A genesis event stands for a row that was already there (migration 016).
  if (p.genesis === true) return;
  switch (change.type) {
    case 'USER_CREATED':
      await trx
        .insertInto('users')
        .values({
          id: change.id,
          email: String(p.email),
          name: String(p.name),
          role: String(p.role),
          agency_id: String(p.agencyId),
          password_hash: NO_PASSWORD,
          created_at: change.event.recorded_at,
          disabled_at: null,
        })
        .execute();
      return;
    case 'USER_ROLE_CHANGED':
      await trx.updateTable('users').set({ role: String(p.role) }).where('id', '=', change.id).execute();
      return;
    case 'USER_DETAILS_CORRECTED': {
      const changes = p.changes as { name?: string; email?: string };
      await trx
        .updateTable('users')
        .set({ ...(changes.name !== undefined ? { name: changes.name } : {}), ...(changes.email !== undefined ? { email: changes.email } : {}) })
        .where('id', '=', change.id)
        .execute();
      return;
    }
    case 'USER_DEACTIVATED':
      await trx.updateTable('users').set({ disabled_at: change.effectiveAt }).where('id', '=', change.id).execute();
      // Sessions end with the account, not at their expiry.
      await trx.updateTable('auth_tokens').set({ revoked_at: change.event.recorded_at }).where('user_id', '=', change.id).where('revoked_at', 'is', null).execute();
      return;
    case 'USER_REACTIVATED':
      await trx.updateTable('users').set({ disabled_at: null }).where('id', '=', change.id).execute();
      return;
    default:
      return;
  }
}
