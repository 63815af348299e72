/**
 * A database made by the release before record streams (migrations up to 013, rows
 * written as that release wrote them: agencies, staff, people, consents, a referral whose
 * journey link was a bare `case_id`) migrates: every row gets its genesis event on the one
 * hash chain, which still verifies, and people, consents, agencies and users read the
 * same through the API — and take new events on top.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import request from 'supertest';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { migrate, MIGRATIONS } from '../../src/db/migrator.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { eventHash, GENESIS_HASH, verifyChain } from '../../src/engine/hash-chain.ts';
import { planInitial } from '../../src/engine/plan-transition.ts';
import { createClock } from '../support/api.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

process.env.PATHWAYS_SCRYPT_COST ??= '1024';

const AT = '2026-01-05T09:00:00.000Z';
const ids = {
  provider: '10000000-0000-4000-8000-000000000001',
  probation: '10000000-0000-4000-8000-000000000002',
  admin: '20000000-0000-4000-8000-000000000001',
  keyworker: '20000000-0000-4000-8000-000000000002',
  gone: '20000000-0000-4000-8000-000000000003',
  person: '30000000-0000-4000-8000-000000000001',
  active: '40000000-0000-4000-8000-000000000001',
  withdrawn: '40000000-0000-4000-8000-000000000002',
  journey: '50000000-0000-4000-8000-000000000001',
  referral: '60000000-0000-4000-8000-000000000001',
};

/** Runs the migrations the previous release shipped (up to 013), as its migrator did. */
async function migrateAsPreviousRelease(store: TestStore): Promise<void> {
  await store.db.schema.createTable('pathways_migrations').ifNotExists().addColumn('name', 'text', (c) => c.primaryKey()).addColumn('applied_at', 'text', (c) => c.notNull()).execute();
  const upTo = MIGRATIONS.findIndex((m) => m.name === '013-case-keyworker-index');
  for (const m of MIGRATIONS.slice(0, upTo + 1)) {
    await store.db.transaction().execute(async (trx) => {
      await m.up(trx as unknown as Kysely<unknown>, store.dialect);
      await trx.insertInto('pathways_migrations').values({ name: m.name, applied_at: AT }).execute();
    });
  }
}

/** The rows the previous release wrote, with the one event it logged for the referral. */
async function writeAsPreviousRelease(store: TestStore, password: string): Promise<void> {
  const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  await db.insertInto('agencies').values([
    { id: ids.provider, name: 'Old Provider', kind: 'treatment_provider', area: 'Oldshire', created_at: AT },
    { id: ids.probation, name: 'Old Probation', kind: 'probation', area: 'Oldshire', created_at: AT },
  ]).execute();
  const hash = await hashPassword(password);
  await db.insertInto('users').values([
    { id: ids.admin, email: 'admin@old.example', name: 'Old Admin', password_hash: hash, role: 'admin', agency_id: ids.provider, created_at: AT, disabled_at: null },
    { id: ids.keyworker, email: 'kw@old.example', name: 'Old Keyworker', password_hash: hash, role: 'keyworker', agency_id: ids.provider, created_at: AT, disabled_at: null },
    { id: ids.gone, email: 'gone@old.example', name: 'Left', password_hash: hash, role: 'referrer', agency_id: ids.probation, created_at: AT, disabled_at: '2026-01-20T12:00:00.000Z' },
  ]).execute();
  await db.insertInto('people').values({
    id: ids.person, given_name: 'Olive', family_name: 'Oldrow', date_of_birth: '1980-02-02', sex: 'female', ethnicity: 'white_british', postcode_district: 'OL1',
    details: JSON.stringify({ contact: { phone: '07700 900001' }, pregnant: false }), created_by_agency_id: ids.provider, created_at: AT,
  }).execute();
  const consent = (id: string, withdrawn: boolean) => ({
    id, person_id: ids.person, to_agency_id: ids.probation, to_agency_kind: null, categories: '["identity","contact"]', purpose: 'Supervision', given_on: '2026-01-05',
    valid_until: '2026-12-31', recorded_by: ids.keyworker, recorded_at: AT,
    withdrawn_at: withdrawn ? '2026-01-10T10:00:00.000Z' : null, withdrawn_by: withdrawn ? ids.keyworker : null, withdrawal_reason: withdrawn ? 'Asked to stop' : null,
  });
  await db.insertInto('consents').values([consent(ids.active, false), consent(ids.withdrawn, true)]).execute();
  const plan = planInitial('case', 1, { referralSource: 'probation', referredOn: '2026-01-06' }, '2026-01-06T00:00:00.000Z');
  await db.insertInto('cases').values({
    id: ids.journey, person_id: ids.person, lead_agency_id: ids.provider, keyworker_id: null, machine_version: 1, stage: 'referred', state_value: '"referred"',
    snapshot: JSON.stringify(plan.snapshot), version: 1, referral_source: 'probation', referred_on: '2026-01-06', stage_entered_at: '2026-01-06T00:00:00.000Z',
    opened_at: '2026-01-06T00:00:00.000Z', closed_at: null, updated_at: AT, overdue: 0,
  }).execute();
  const fields = {
    stream_type: 'referral' as const, stream_id: ids.referral, stream_version: 1, type: 'REFERRAL_REQUESTED',
    payload: JSON.stringify({ personId: ids.person, fromAgencyId: ids.probation, toAgencyId: ids.provider, kind: 'treatment', urgency: 'routine', reason: 'Order', caseId: null }),
    from_state: null, to_state: 'accepted', user_id: null, agency_id: ids.probation, recorded_at: AT, effective_at: AT, backdate_reason: null,
  };
  await db.insertInto('events').values({ ...fields, prev_hash: GENESIS_HASH, hash: eventHash(GENESIS_HASH, fields) }).execute();
  await db.insertInto('referrals').values({
    id: ids.referral, person_id: ids.person, case_id: ids.journey, from_agency_id: ids.probation, from_user_id: null, to_agency_id: ids.provider, kind: 'treatment', reason: 'Order',
    urgency: 'routine', machine_version: 1, state: 'accepted', snapshot: '{}', version: 1, acknowledge_by: null, first_contact_by: null, safeguarding_override: null, created_at: AT, updated_at: AT,
  }).execute();
  await db.insertInto('audit_log').values({ id: '70000000-0000-4000-8000-000000000001', at: AT, user_id: null, agency_id: ids.probation, action: 'share', person_id: ids.person, entity_type: 'referral', entity_id: ids.referral, purpose: 'Order', detail: JSON.stringify({ referralSource: 'self' }), flagged: 0 }).execute();
}

describe.each(DIALECTS)('migrating a database of the previous release on %s', (dialect) => {
  let store: TestStore | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    await store?.dispose();
  });

  it('gives every old row a genesis event, verifies, and reads the same through the API', async () => {
    store = await createTestStore(dialect, { migrate: false });
    const password = 'an old but long passphrase 42';
    await migrateAsPreviousRelease(store);
    await writeAsPreviousRelease(store, password);
    await migrate(store);

    expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 12 });
    const logged = await store.db.selectFrom('events').select(['stream_type', 'type', 'stream_version']).orderBy('seq').execute();
    expect(logged.map((e) => `${e.stream_type}:${e.type}:${e.stream_version}`)).toEqual([
      'referral:REFERRAL_REQUESTED:1',
      'agency:AGENCY_CREATED:1',
      'agency:AGENCY_CREATED:1',
      'user:USER_CREATED:1',
      'user:USER_CREATED:1',
      'user:USER_CREATED:1',
      'user:USER_DEACTIVATED:2',
      'person:PERSON_RECORDED:1',
      'person:CONSENT_GIVEN:2',
      'person:CONSENT_GIVEN:3',
      'person:CONSENT_WITHDRAWN:4',
      'referral:JOURNEY_LINKED:2',
    ]);
    const referral = await store.db.selectFrom('referrals').select(['version', 'referral_source', 'case_id']).where('id', '=', ids.referral).executeTakeFirstOrThrow();
    expect(referral).toEqual({ version: 2, referral_source: 'self', case_id: ids.journey });
    const expiry = await store.db.selectFrom('timers').select(['timer_key', 'due_at', 'status']).where('stream_type', '=', 'person').execute();
    expect(expiry).toEqual([{ timer_key: `consent-expiry-${ids.active}`, due_at: '2027-01-01T00:00:00.000Z', status: 'pending' }]);

    const clock = createClock('2026-02-01T10:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
    const app = createApp({ store, engine, now: clock.now, webDist: null, tokenTtlMinutes: 600 });
    const login = async (email: string) => (await request(app).post('/api/v1/auth/login').send({ email, password })).body.token as string;
    const kw = await login('kw@old.example');
    const admin = await login('admin@old.example');
    const person = await request(app).get(`/api/v1/people/${ids.person}`).set('Authorization', `Bearer ${kw}`);
    expect(person.body).toMatchObject({ givenName: 'Olive', familyName: 'Oldrow', postcodeDistrict: 'OL1', contact: { phone: '07700 900001' }, pregnant: false, createdAt: AT, version: 4 });
    const consents = await request(app).get(`/api/v1/people/${ids.person}/consents`).set('Authorization', `Bearer ${kw}`);
    expect(consents.body.items.map((c: { id: string; active: boolean }) => [c.id, c.active]).sort()).toEqual([[ids.active, true], [ids.withdrawn, false]]);
    const agencies = await request(app).get('/api/v1/agencies?includeDeactivated=true').set('Authorization', `Bearer ${admin}`);
    expect(agencies.body.items.map((a: { name: string; version: number }) => [a.name, a.version])).toEqual([['Old Probation', 1], ['Old Provider', 1]]);
    const users = await request(app).get('/api/v1/users').set('Authorization', `Bearer ${admin}`);
    expect(users.body.items.map((u: { email: string; deactivatedAt: string | null }) => [u.email, u.deactivatedAt])).toEqual([
      ['admin@old.example', null],
      ['gone@old.example', '2026-01-20T12:00:00.000Z'],
      ['kw@old.example', null],
    ]);

    // New events go on top of the genesis ones, on the same chain.
    const withdrawn = await request(app).post(`/api/v1/people/${ids.person}/consents/${ids.active}/withdraw`).set('Authorization', `Bearer ${kw}`).send({});
    expect(withdrawn.status).toBe(200);
    const reactivated = await request(app).post(`/api/v1/users/${ids.gone}/events`).set('Authorization', `Bearer ${admin}`).send({ type: 'USER_REACTIVATED', expectedVersion: 2 });
    expect(reactivated.body).toMatchObject({ version: 3, deactivatedAt: null });
    expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 14 });
  });
});
