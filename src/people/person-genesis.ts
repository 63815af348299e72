/**
 * Genesis events: the events that stand for a person and consent rows written before the
 * person stream existed (by an older release, or by a bulk loader that writes rows). Each
 * row gets one event, marked `genesis: true`, whose projection writes nothing (the row is
 * already there). The same list serves migration 016 and a stream opened on first write.
 */
import type { ConsentTable, PersonTable } from '../db/schema.ts';
import { personRecord } from './person-repository.ts';

/** One genesis event: its type, payload and the time it stands for. */
export interface GenesisEvent {
  type: string;
  payload: Record<string, unknown>;
  effectiveAt: string;
  actor: { userId: string | null; agencyId: string | null };
}

/** Why a genesis event's effective time is earlier than its recording. */
export const GENESIS_REASON = 'genesis: recorded before this record had a stream';

/** The genesis events of one person and their consents, in the order they happened. */
export function personGenesis(row: PersonTable, consents: readonly ConsentTable[]): GenesisEvent[] {
  const { id: _id, createdAt: _at, ...record } = personRecord(row);
  const events: GenesisEvent[] = [
    { type: 'PERSON_RECORDED', payload: { ...record, genesis: true }, effectiveAt: row.created_at, actor: { userId: null, agencyId: row.created_by_agency_id } },
  ];
  const ordered = [...consents].sort((a, b) => (a.recorded_at < b.recorded_at ? -1 : a.recorded_at > b.recorded_at ? 1 : a.id < b.id ? -1 : 1));
  for (const c of ordered) {
    events.push({
      type: 'CONSENT_GIVEN',
      payload: {
        consentId: c.id,
        toAgencyId: c.to_agency_id,
        toAgencyKind: c.to_agency_kind,
        categories: JSON.parse(c.categories) as unknown,
        purpose: c.purpose,
        givenOn: c.given_on,
        validUntil: c.valid_until,
        genesis: true,
      },
      effectiveAt: c.recorded_at,
      actor: { userId: c.recorded_by, agencyId: null },
    });
  }
  // Withdrawals after every grant, in time order: a stream's events run forward in time.
  for (const c of [...ordered].filter((x) => x.withdrawn_at !== null).sort((a, b) => (a.withdrawn_at! < b.withdrawn_at! ? -1 : 1))) {
    events.push({
      type: 'CONSENT_WITHDRAWN',
      payload: { consentId: c.id, reason: c.withdrawal_reason, genesis: true },
      effectiveAt: c.withdrawn_at!,
      actor: { userId: c.withdrawn_by, agencyId: null },
    });
  }
  return events;
}
