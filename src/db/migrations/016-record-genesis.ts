/**
 * Genesis events for records written before they had streams: every agency, staff account
 * and person (with each consent given and withdrawn) gets its stream row and one event per
 * stored row, marked `genesis: true` and effective when the row says it happened; a link
 * between a referral and the journey it opened that was written as a bare `case_id` gets a
 * `JOURNEY_LINKED {caseId, genesis: true}` event on the referral's stream. All are appended
 * to the one hash chain, so `pathways audit verify` covers them, and consent expiry timers
 * are planned as the engine would. The payloads are built from the stored columns alone
 * (not from today's repositories), so this migration reads the same on any later release.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { RecordStreamType } from '../../../machines/index.ts';
import { eventHash, GENESIS_HASH } from '../../engine/hash-chain.ts';
import { planInitial, planTransition, type TransitionPlan } from '../../engine/plan-transition.ts';
import { stateLabel } from '../../engine/state-label.ts';
import type { Migration } from '../migrator.ts';

/** Why a genesis event is effective before it was recorded. */
const REASON = 'genesis: recorded before this record had a stream';

interface Genesis {
  type: string;
  payload: Record<string, unknown>;
  effectiveAt: string;
  userId: string | null;
  agencyId: string | null;
}

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

class Chain {
  constructor(
    private readonly db: Kysely<unknown>,
    private head: string,
    private readonly recordedAt: string,
  ) {}

  async append(stream: string, id: string, version: number, g: Genesis, fromState: string | null, toState: string): Promise<void> {
    const fields = {
      stream_type: stream,
      stream_id: id,
      stream_version: version,
      type: g.type,
      payload: JSON.stringify(g.payload),
      from_state: fromState,
      to_state: toState,
      user_id: g.userId,
      agency_id: g.agencyId,
      recorded_at: this.recordedAt,
      effective_at: g.effectiveAt,
      backdate_reason: REASON,
    };
    const hash = eventHash(this.head, fields as Parameters<typeof eventHash>[1]);
    await sql`insert into events (stream_type, stream_id, stream_version, type, payload, from_state, to_state, user_id, agency_id, recorded_at, effective_at, backdate_reason, prev_hash, hash)
      values (${fields.stream_type}, ${fields.stream_id}, ${fields.stream_version}, ${fields.type}, ${fields.payload}, ${fields.from_state}, ${fields.to_state}, ${fields.user_id}, ${fields.agency_id}, ${fields.recorded_at}, ${fields.effective_at}, ${fields.backdate_reason}, ${this.head}, ${hash})`.execute(this.db);
    this.head = hash;
  }

  /** Plans a record's genesis events through its statechart and writes the stream row, the events and their timers. */
  async record(stream: RecordStreamType, id: string, events: Genesis[]): Promise<void> {
    let plan: TransitionPlan | null = null;
    let version = 0;
    const timers = new Map<string, { event: unknown; dueAt: string } | null>();
    for (const g of events) {
      const from: string | null = plan ? stateLabel(plan.stateValue) : null;
      const next: TransitionPlan = plan
        ? planTransition(stream, 1, plan.snapshot, { ...g.payload, type: g.type, at: g.effectiveAt })
        : planInitial(stream, 1, g.payload, g.effectiveAt);
      if (!next.accepted) continue;
      for (const key of next.timersToCancel) timers.set(key, null);
      for (const t of next.timersToAdd) timers.set(t.key, { event: t.event, dueAt: t.dueAt });
      plan = next;
      version += 1;
      await this.append(stream, id, version, g, from, stateLabel(next.stateValue));
    }
    if (!plan) return;
    await sql`insert into record_streams (stream_type, id, machine_version, state, snapshot, version, created_at, updated_at)
      values (${stream}, ${id}, 1, ${plan.stage}, ${JSON.stringify(plan.snapshot)}, ${version}, ${this.recordedAt}, ${this.recordedAt})`.execute(this.db);
    for (const [key, t] of timers) {
      if (!t) continue;
      await sql`insert into timers (id, stream_type, stream_id, timer_key, event, due_at, created_at, status, fired_at, claimed_by, claimed_until)
        values (${randomUUID()}, ${stream}, ${id}, ${key}, ${JSON.stringify(t.event)}, ${t.dueAt}, ${this.recordedAt}, 'pending', null, null, null)`.execute(this.db);
    }
  }
}

const missing = (table: string, stream: string) =>
  sql.raw(`select t.* from ${table} t where not exists (select 1 from record_streams s where s.stream_type = '${stream}' and s.id = t.id) order by t.created_at, t.id`);

export const recordGenesisMigration: Migration = {
  name: '016-record-genesis',
  async up(db: Kysely<unknown>) {
    await writeRecordGenesis(db);
  },
};

/**
 * Appends genesis events for every agency, user and person without a stream, and for every
 * bare referral link. Idempotent. Besides this migration, the cohort generator calls it
 * after writing people as rows, so a seeded person has their stream from the start.
 */
export async function writeRecordGenesis(db: Kysely<unknown>): Promise<void> {
  const last = (await sql<{ hash: string }>`select hash from events order by seq desc limit 1`.execute(db)).rows[0];
  const chain = new Chain(db, last?.hash ?? GENESIS_HASH, new Date().toISOString());

  for (const a of (await missing('agencies', 'agency').execute(db)).rows as Row[]) {
    await chain.record('agency', String(a.id), [
      { type: 'AGENCY_CREATED', payload: { name: a.name, kind: a.kind, area: a.area, genesis: true }, effectiveAt: String(a.created_at), userId: null, agencyId: null },
    ]);
  }
  for (const u of (await missing('users', 'user').execute(db)).rows as Row[]) {
    const events: Genesis[] = [
      { type: 'USER_CREATED', payload: { email: u.email, name: u.name, role: u.role, agencyId: u.agency_id, genesis: true }, effectiveAt: String(u.created_at), userId: null, agencyId: null },
    ];
    const disabledAt = str(u.disabled_at);
    if (disabledAt) events.push({ type: 'USER_DEACTIVATED', payload: { genesis: true }, effectiveAt: disabledAt, userId: null, agencyId: null });
    await chain.record('user', String(u.id), events);
  }

  const consents = new Map<string, Row[]>();
  for (const c of (await sql<Row>`select * from consents order by recorded_at, id`.execute(db)).rows) {
    const list = consents.get(String(c.person_id)) ?? [];
    list.push(c);
    consents.set(String(c.person_id), list);
  }
  for (const p of (await missing('people', 'person').execute(db)).rows as Row[]) {
    const details = JSON.parse(str(p.details) ?? '{}') as Record<string, unknown>;
    const events: Genesis[] = [
      {
        type: 'PERSON_RECORDED',
        payload: {
          givenName: p.given_name,
          familyName: p.family_name,
          dateOfBirth: p.date_of_birth,
          sex: p.sex,
          ethnicity: p.ethnicity,
          postcodeDistrict: p.postcode_district,
          ...details,
          createdByAgencyId: p.created_by_agency_id,
          genesis: true,
        },
        effectiveAt: String(p.created_at),
        userId: null,
        agencyId: str(p.created_by_agency_id),
      },
    ];
    const mine = consents.get(String(p.id)) ?? [];
    for (const c of mine) {
      events.push({
        type: 'CONSENT_GIVEN',
        payload: {
          consentId: c.id,
          toAgencyId: c.to_agency_id,
          toAgencyKind: c.to_agency_kind,
          categories: JSON.parse(String(c.categories)) as unknown,
          purpose: c.purpose,
          givenOn: c.given_on,
          validUntil: c.valid_until,
          genesis: true,
        },
        effectiveAt: String(c.recorded_at),
        userId: str(c.recorded_by),
        agencyId: null,
      });
    }
    for (const c of mine.filter((x) => x.withdrawn_at).sort((a, b) => (String(a.withdrawn_at) < String(b.withdrawn_at) ? -1 : 1))) {
      events.push({ type: 'CONSENT_WITHDRAWN', payload: { consentId: c.id, reason: c.withdrawal_reason, genesis: true }, effectiveAt: String(c.withdrawn_at), userId: str(c.withdrawn_by), agencyId: null });
    }
    await chain.record('person', String(p.id), events);
  }

  // Links written as a bare case_id: the referral's log never named the journey.
  const linked = (await sql<{ id: string; case_id: string; version: number; state: string; updated_at: string; to_agency_id: string }>`
    select r.id, r.case_id, r.version, r.state, r.updated_at, r.to_agency_id from referrals r
    where r.case_id is not null
      and not exists (select 1 from events e where e.stream_type = 'referral' and e.stream_id = r.id and e.payload like ${'%"caseId":"%'} and e.payload not like ${'%"caseId":null%'})
    order by r.created_at, r.id`.execute(db)).rows;
  for (const r of linked) {
    const version = Number(r.version) + 1;
    await chain.append('referral', r.id, version, { type: 'JOURNEY_LINKED', payload: { caseId: r.case_id, genesis: true }, effectiveAt: r.updated_at, userId: null, agencyId: r.to_agency_id }, r.state, r.state);
    await sql`update referrals set version = ${version} where id = ${r.id}`.execute(db);
  }
}
