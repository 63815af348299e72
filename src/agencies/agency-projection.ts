/**
 * The `agencies` rows as the projection of the agency streams, written in the transaction
 * that logs each event.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { StreamChange } from '../engine/engine-types.ts';

/** Applies one agency-stream change to `agencies`. */
export async function projectAgencyChange(trx: Kysely<Database>, change: StreamChange): Promise<void> {
  const p = change.payload;
  // A genesis event stands for a row that was already there (migration 016).
  if (p.genesis === true) return;
  switch (change.type) {
    case 'AGENCY_CREATED':
      await trx
        .insertInto('agencies')
        .values({ id: change.id, name: String(p.name), kind: String(p.kind), area: String(p.area), created_at: change.event.recorded_at, deactivated_at: null })
        .execute();
      return;
    case 'AGENCY_DETAILS_CORRECTED': {
      const changes = p.changes as { name?: string; area?: string };
      await trx
        .updateTable('agencies')
        .set({ ...(changes.name !== undefined ? { name: changes.name } : {}), ...(changes.area !== undefined ? { area: changes.area } : {}) })
        .where('id', '=', change.id)
        .execute();
      return;
    }
    case 'AGENCY_DEACTIVATED':
      await trx.updateTable('agencies').set({ deactivated_at: change.effectiveAt }).where('id', '=', change.id).execute();
      return;
    case 'AGENCY_REACTIVATED':
      await trx.updateTable('agencies').set({ deactivated_at: null }).where('id', '=', change.id).execute();
      return;
    default:
      return;
  }
}
