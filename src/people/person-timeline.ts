/**
 * A person's stream read as a timeline: when they were recorded, each correction, and the
 * life of every consent (given, renewed, withdrawn, expired), newest last. Cut by the same
 * rules as the person: the holder sees everything; an agency the record is shared with
 * sees the details it may see (`projectPerson`) and only the consents that name it. A link
 * with another record (`PERSON_LINKED`, `PERSON_UNLINKED`) is shown only to a holder who may
 * see that other record too: nobody learns of a record through a link.
 */
import type { Kysely } from 'kysely';
import { projectPerson } from '../access/projection.ts';
import { personScope, type Scope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';

/** One entry of a person's timeline. */
export interface PersonTimelineEntry {
  seq: number;
  version: number;
  type: string;
  /** When it happened (effective time). */
  at: string;
  recordedAt: string;
  byUserId: string | null;
  byAgencyId: string | null;
  payload: Record<string, unknown>;
}

const PERSON_EVENTS = new Set(['PERSON_RECORDED', 'PERSON_DETAILS_CORRECTED']);
const LINK_EVENTS = new Set(['PERSON_LINKED', 'PERSON_UNLINKED']);

/** The person's timeline as `viewer` (whose access is `scope`) may see it. */
export async function personTimeline(db: Kysely<Database>, viewer: Viewer, personId: string, scope: Scope, today: string): Promise<PersonTimelineEntry[]> {
  const rows = await db
    .selectFrom('events')
    .select(['seq', 'stream_version', 'type', 'payload', 'effective_at', 'recorded_at', 'user_id', 'agency_id'])
    .where('stream_type', '=', 'person')
    .where('stream_id', '=', personId)
    .orderBy('stream_version')
    .execute();
  let mine: Set<string> | null = null;
  if (scope.kind !== 'holder') {
    const named = await db
      .selectFrom('consents')
      .select('id')
      .where('person_id', '=', personId)
      .where((eb) => eb.or([eb('to_agency_id', '=', viewer.agencyId), eb('to_agency_kind', '=', viewer.agencyKind)]))
      .execute();
    mine = new Set(named.map((c) => c.id));
  }
  const entries: PersonTimelineEntry[] = [];
  const seesOther = new Map<string, boolean>();
  for (const row of rows) {
    let payload = JSON.parse(row.payload) as Record<string, unknown>;
    if (LINK_EVENTS.has(row.type)) {
      const other = String(payload.otherPersonId);
      if (!seesOther.has(other)) seesOther.set(other, mine === null && (await personScope(db, viewer, other, today)) !== null);
      if (!seesOther.get(other)) continue;
    } else if (mine) {
      if (PERSON_EVENTS.has(row.type)) {
        const source = row.type === 'PERSON_RECORDED' ? payload : ((payload.changes as Record<string, unknown> | undefined) ?? {});
        const { withheld: _withheld, ...cut } = projectPerson(source, scope.categories);
        payload = row.type === 'PERSON_RECORDED' ? cut : { changes: cut };
      } else if (!mine.has(String(payload.consentId))) continue;
    }
    entries.push({
      seq: Number(row.seq),
      version: row.stream_version,
      type: row.type,
      at: row.effective_at,
      recordedAt: row.recorded_at,
      byUserId: row.user_id,
      byAgencyId: row.agency_id,
      payload,
    });
  }
  return entries;
}
