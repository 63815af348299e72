/**
 * The `people` and `consents` rows as the projection of the person stream: each event of
 * a person's stream is applied to them in the transaction that logs it, so the tables
 * every reader uses never disagree with the hash-chained record. The person's identifiers
 * and search terms (src/people/search-index.ts) are kept here too, for the same reason.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { StreamChange } from '../engine/engine-types.ts';
import { personRowOf, personRecord, type PersonInput } from './person-repository.ts';
import { addIdentifiers, identifiersOf, replaceIdentifiers, withNhsNumber, type KeptIdentifier } from './identifier-repository.ts';
import { reindexPerson } from './search-index.ts';
import { projectLink } from './person-links.ts';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Applies one person-stream change to `people` / `consents`. */
export async function projectPersonChange(trx: Kysely<Database>, change: StreamChange): Promise<void> {
  const p = change.payload;
  // A genesis event stands for a row that was already there (person-genesis.ts).
  if (p.genesis === true) return;
  const at = change.effectiveAt;
  switch (change.type) {
    case 'PERSON_RECORDED': {
      const { createdByAgencyId, identifiers, confirmedOver: _over, ...input } = p as unknown as PersonInput & {
        createdByAgencyId?: string;
        identifiers?: KeptIdentifier[];
        confirmedOver?: string[];
      };
      const agencyId = createdByAgencyId ?? change.actor.agencyId;
      if (!agencyId) throw new Error('PERSON_RECORDED needs the registering agency (createdByAgencyId).');
      await trx.insertInto('people').values(personRowOf(change.id, input, agencyId, change.event.recorded_at)).execute();
      const given = identifiers ?? [];
      // The NHS number field comes last when it was not among the identifiers: a clash names it.
      await addIdentifiers(trx, change.id, agencyId, withNhsNumber(given, input.nhsNumber), change.event.recorded_at, (i) => (i >= given.length ? 'nhsNumber' : `identifiers.${i}.value`));
      await reindexPerson(trx, change.id);
      return;
    }
    case 'PERSON_DETAILS_CORRECTED': {
      const row = await trx.selectFrom('people').selectAll().where('id', '=', change.id).executeTakeFirstOrThrow();
      const { id: _id, createdByAgencyId: _by, createdAt: _at, ...current } = personRecord(row);
      const { identifiers, ...changes } = p.changes as Record<string, unknown> & { identifiers?: KeptIdentifier[] | null };
      const merged: Record<string, unknown> = { ...current, ...changes };
      // A null correction clears an optional field.
      for (const key of Object.keys(merged)) if (merged[key] === null) delete merged[key];
      const next = personRowOf(row.id, merged as unknown as PersonInput, row.created_by_agency_id, row.created_at);
      const { id: _i, created_by_agency_id: _c, created_at: _t, ...set } = next;
      await trx.updateTable('people').set(set).where('id', '=', change.id).execute();
      // Identifiers given replace the registering agency's set; a corrected NHS number replaces that one.
      if (identifiers !== undefined || 'nhsNumber' in changes) {
        const kept = identifiers === undefined ? (await identifiersOf(trx, change.id)).filter((i) => i.agencyId === undefined || i.agencyId === row.created_by_agency_id) : (identifiers ?? []);
        const national = kept.filter((i) => i.system !== 'nhs_number' || !('nhsNumber' in changes));
        await replaceIdentifiers(trx, change.id, row.created_by_agency_id, withNhsNumber(national, typeof changes.nhsNumber === 'string' ? changes.nhsNumber : undefined), change.event.recorded_at);
      }
      await reindexPerson(trx, change.id);
      return;
    }
    case 'CONSENT_GIVEN':
      await trx
        .insertInto('consents')
        .values({
          id: String(p.consentId),
          person_id: change.id,
          to_agency_id: str(p.toAgencyId),
          to_agency_kind: str(p.toAgencyKind),
          categories: JSON.stringify([...new Set(p.categories as string[])]),
          purpose: String(p.purpose),
          given_on: String(p.givenOn),
          valid_until: str(p.validUntil),
          recorded_by: change.actor.userId ?? 'system',
          recorded_at: change.event.recorded_at,
          withdrawn_at: null,
          withdrawn_by: null,
          withdrawal_reason: null,
        })
        .execute();
      return;
    case 'CONSENT_RENEWED':
      await trx.updateTable('consents').set({ valid_until: str(p.validUntil) }).where('id', '=', String(p.consentId)).where('person_id', '=', change.id).execute();
      return;
    case 'CONSENT_WITHDRAWN':
      await trx
        .updateTable('consents')
        .set({ withdrawn_at: at, withdrawn_by: change.actor.userId, withdrawal_reason: str(p.reason) })
        .where('id', '=', String(p.consentId))
        .where('person_id', '=', change.id)
        .execute();
      return;
    case 'PERSON_LINKED':
    case 'PERSON_UNLINKED':
      await projectLink(trx, change);
      return;
    default:
      // CONSENT_EXPIRED changes no row: a consent past its last valid day is out of force by its date.
      return;
  }
}
