/**
 * Reconnect catch-up: everything a socket's user may see that was committed after the
 * `seq` the client last saw, read from the event log and cut exactly as live messages are.
 * Pages through the log; after `limit` events it stops and says `truncated`, and the
 * client asks again from the `seq` it was given. `upTo` (PostgreSQL: the log tail's
 * position) keeps it below events that may still commit out of `seq` order; the live
 * feed brings those.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../access/viewer.ts';
import { readsCaseRecords } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';
import type { AgencyDirectory } from './agency-directory.ts';
import { deliveriesFor } from './audience.ts';
import { recordChangeOfEvent } from './record-change.ts';

export interface CatchUpResult {
  /** The last `seq` read; the client's next cursor. */
  seq: number;
  /** Events read (whether or not the user could see them). */
  read: number;
  truncated: boolean;
}

/** Emits (through `send`) every message after `since` that `viewer` may see. */
export async function catchUp(
  db: Kysely<Database>,
  agencies: AgencyDirectory,
  timerEventTypes: ReadonlySet<string>,
  viewer: Viewer,
  since: number,
  today: string,
  limit: number,
  send: (event: string, payload: Record<string, unknown>) => void,
  upTo?: number,
): Promise<CatchUpResult> {
  let cursor = since;
  let read = 0;
  const readsCases = readsCaseRecords(viewer);
  for (;;) {
    let query = db.selectFrom('events').selectAll().where('seq', '>', cursor).orderBy('seq').limit(Math.min(500, limit - read));
    if (upTo !== undefined) query = query.where('seq', '<=', upTo);
    const page = await query.execute();
    for (const row of page) {
      if (readsCases) {
        const { deliveries } = await deliveriesFor(db, agencies, recordChangeOfEvent(row, timerEventTypes), today, (id) => id === viewer.agencyId);
        for (const d of deliveries) send(d.event, d.payload);
      }
      cursor = Number(row.seq);
    }
    read += page.length;
    if (page.length === 0 || read >= limit) {
      let next = db.selectFrom('events').select('seq').where('seq', '>', cursor).limit(1);
      if (upTo !== undefined) next = next.where('seq', '<=', upTo);
      const more = read >= limit && (await next.executeTakeFirst()) !== undefined;
      return { seq: cursor, read, truncated: more };
    }
  }
}
