/**
 * Linking two agencies' records of the same person (issue "The person at the centre", item
 * 4): `PERSON_LINKED` on both persons' streams, in one engine unit with the audit entry;
 * `PERSON_UNLINKED` on both undoes it. Both records and both histories stay; what changes is
 * the pair in `person_links` and, worked out from the pairs, `people.linked_to`: each
 * connected group (a chain A–B, B–C is one group) takes its earliest recorded member as
 * representative, and `coalesce(linked_to, id)` is the person the measures count.
 *
 * Only someone who may see both records links or unlinks them, and a list of links shows
 * only the records the viewer may see: nobody learns of a record through a link.
 */
import type { Kysely } from 'kysely';
import { personScope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import { recordAudit } from '../audit/audit-repository.ts';
import type { Database } from '../db/schema.ts';
import type { Engine, EngineTransaction } from '../engine/engine-types.ts';
import { PathwaysError, validationError } from '../errors.ts';
import { personKeyOf, recountPeople } from '../metrics/person-facts.ts';
import { identifiersOf } from './identifier-repository.ts';
import { personStream } from './person-commands.ts';
import type { PersonFound } from './person-search.ts';

/** When and what a link is done. */
interface LinkOptions {
  today: string;
  at: string;
}

/** One record a person's record is linked with, as the viewer may see it. */
export interface LinkedRecord extends PersonFound {
  reason: string;
  referralId: string | null;
  linkedAt: string;
  linkedBy: string | null;
}

const pair = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);
const hidden = (): PathwaysError => new PathwaysError('not_found', 'The person was not found, or you may not see it.');

async function requireBoth(trx: Kysely<Database>, viewer: Viewer, personId: string, otherId: string, today: string): Promise<void> {
  if (personId === otherId) throw validationError('A record is not linked with itself: name the other record.', [{ path: 'otherPersonId', message: 'must differ from the person' }]);
  // Either one hidden answers the same 404, so the answer says nothing of the other record.
  if (!(await personScope(trx, viewer, personId, today)) || !(await personScope(trx, viewer, otherId, today))) throw hidden();
}

async function linkRow(trx: Kysely<Database>, personId: string, otherId: string) {
  const [a, b] = pair(personId, otherId);
  return trx.selectFrom('person_links').selectAll().where('person_a', '=', a).where('person_b', '=', b).executeTakeFirst();
}

/** Applies `event` to both persons' streams (each at its current version). */
async function onBothStreams(tx: EngineTransaction, viewer: Viewer, personId: string, otherId: string, event: Record<string, unknown> & { type: string }): Promise<void> {
  const actor = { userId: viewer.userId, agencyId: viewer.agencyId };
  for (const [self, other] of [
    [personId, otherId],
    [otherId, personId],
  ] as const) {
    const stream = await personStream(tx, self);
    await tx.apply({ stream: 'person', id: self, event: { ...event, otherPersonId: other }, expectedVersion: stream.version, actor, row: stream });
  }
}

/**
 * Links two records of the same person inside the running unit `tx`: `PERSON_LINKED` on
 * both streams and one audit entry. 404 unless the viewer may see both; 409 when already linked.
 */
export async function linkInUnit(
  tx: EngineTransaction,
  viewer: Viewer,
  personId: string,
  otherId: string,
  reason: string,
  options: LinkOptions & { referralId?: string },
): Promise<void> {
  await requireBoth(tx.trx, viewer, personId, otherId, options.today);
  if (await linkRow(tx.trx, personId, otherId)) throw new PathwaysError('conflict', 'These two records are already linked.');
  const before = [await personKeyOf(tx.trx, personId), await personKeyOf(tx.trx, otherId)];
  await onBothStreams(tx, viewer, personId, otherId, { type: 'PERSON_LINKED', reason, ...(options.referralId ? { referralId: options.referralId } : {}) });
  // The measures that count people follow the group: recount the people before and after.
  await recountPeople(tx.trx, [...before, await personKeyOf(tx.trx, personId)]);
  await recordAudit(tx.trx, {
    at: options.at,
    userId: viewer.userId,
    agencyId: viewer.agencyId,
    action: 'link',
    personId,
    entityType: 'person',
    entityId: otherId,
    purpose: reason,
    detail: { otherPersonId: otherId, ...(options.referralId ? { referralId: options.referralId } : {}) },
  });
}

/** Links two records of the same person (see `linkInUnit`), one engine unit. */
export async function linkPeople(engine: Engine, viewer: Viewer, personId: string, otherId: string, reason: string, options: LinkOptions): Promise<void> {
  await engine.transaction((tx) => linkInUnit(tx, viewer, personId, otherId, reason, options));
}

/** Undoes a link: `PERSON_UNLINKED` on both streams, the group worked out again, audited. */
export async function unlinkPeople(engine: Engine, viewer: Viewer, personId: string, otherId: string, reason: string | null, options: LinkOptions): Promise<void> {
  await engine.transaction(async (tx) => {
    await requireBoth(tx.trx, viewer, personId, otherId, options.today);
    if (!(await linkRow(tx.trx, personId, otherId))) throw new PathwaysError('not_found', 'These two records are not linked.');
    const before = await personKeyOf(tx.trx, personId);
    await onBothStreams(tx, viewer, personId, otherId, { type: 'PERSON_UNLINKED', reason });
    await recountPeople(tx.trx, [before, await personKeyOf(tx.trx, personId), await personKeyOf(tx.trx, otherId)]);
    await recordAudit(tx.trx, {
      at: options.at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: 'unlink',
      personId,
      entityType: 'person',
      entityId: otherId,
      purpose: reason,
      detail: { otherPersonId: otherId },
    });
  });
}

/** The records `personId` is linked with directly that the viewer may see, oldest link first. */
export async function linkedRecords(db: Kysely<Database>, viewer: Viewer, personId: string, today: string): Promise<LinkedRecord[]> {
  const rows = await db
    .selectFrom('person_links')
    .selectAll()
    .where((eb) => eb.or([eb('person_a', '=', personId), eb('person_b', '=', personId)]))
    .orderBy('linked_at')
    .execute();
  const out: LinkedRecord[] = [];
  for (const link of rows) {
    const otherId = link.person_a === personId ? link.person_b : link.person_a;
    const scope = await personScope(db, viewer, otherId, today);
    const row = scope ? await db.selectFrom('people').selectAll().where('id', '=', otherId).executeTakeFirst() : undefined;
    if (!scope || !row) continue;
    out.push({ row, scope, identifiers: await identifiersOf(db, otherId), reason: link.reason, referralId: link.referral_id, linkedAt: link.linked_at, linkedBy: link.linked_by });
  }
  return out;
}

/**
 * Writes the pair a `PERSON_LINKED` names (idempotent: the second stream's event finds it)
 * or removes it for `PERSON_UNLINKED`, then works out `linked_to` for the groups of both
 * records. Called by the person projection, in the transaction that logs the event.
 */
export async function projectLink(
  trx: Kysely<Database>,
  change: { id: string; type: string; payload: Record<string, unknown>; effectiveAt: string; actor: { userId: string | null } },
): Promise<void> {
  const otherId = String(change.payload.otherPersonId);
  const [a, b] = pair(change.id, otherId);
  if (change.type === 'PERSON_LINKED') {
    await trx
      .insertInto('person_links')
      .values({
        person_a: a,
        person_b: b,
        reason: typeof change.payload.reason === 'string' ? change.payload.reason : '',
        referral_id: typeof change.payload.referralId === 'string' ? change.payload.referralId : null,
        linked_at: change.effectiveAt,
        linked_by: change.actor.userId,
      })
      .onConflict((oc) => oc.columns(['person_a', 'person_b']).doNothing())
      .execute();
  } else {
    await trx.deleteFrom('person_links').where('person_a', '=', a).where('person_b', '=', b).execute();
  }
  await regroup(trx, [change.id, otherId]);
}

/** Every record linked to `start` through any chain of links, `start` included. */
async function groupOf(trx: Kysely<Database>, start: string): Promise<Set<string>> {
  const group = new Set([start]);
  let frontier = [start];
  while (frontier.length > 0) {
    const edges = await trx
      .selectFrom('person_links')
      .select(['person_a', 'person_b'])
      .where((eb) => eb.or([eb('person_a', 'in', frontier), eb('person_b', 'in', frontier)]))
      .execute();
    frontier = [];
    for (const e of edges) {
      for (const id of [e.person_a, e.person_b]) {
        if (!group.has(id)) {
          group.add(id);
          frontier.push(id);
        }
      }
    }
  }
  return group;
}

/** Sets `linked_to` for the groups of `ids`: the earliest recorded member stands for each. */
async function regroup(trx: Kysely<Database>, ids: readonly string[]): Promise<void> {
  const done = new Set<string>();
  for (const id of ids) {
    if (done.has(id)) continue;
    const group = [...(await groupOf(trx, id))];
    for (const member of group) done.add(member);
    const members = await trx.selectFrom('people').select(['id', 'created_at']).where('id', 'in', group).orderBy('created_at').orderBy('id').execute();
    const representative = members[0]?.id;
    if (!representative) continue;
    await trx.updateTable('people').set({ linked_to: null }).where('id', '=', representative).execute();
    if (group.length > 1) await trx.updateTable('people').set({ linked_to: representative }).where('id', 'in', group.filter((m) => m !== representative)).execute();
  }
}
