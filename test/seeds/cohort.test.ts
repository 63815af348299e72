import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateValue } from 'xstate';
import { DISCHARGE_REASONS } from '../../machines/codes.ts';
import { getMachine } from '../../machines/index.ts';
import type { PathwayContext } from '../../machines/pathway-types.ts';
import { seedCohort, type CohortResult } from '../../seeds/cohort.ts';
import { OPEN_TARGETS } from '../../seeds/cohort/scenarios.ts';
import { REFERRAL_STATES } from '../../seeds/cohort/referral-story.ts';
import { seedDemo } from '../../cli/commands/seed.ts';
import type { CaseRow } from '../../src/db/schema.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { restoreSnapshot } from '../../src/engine/snapshot-codec.ts';
import { stateLabel } from '../../src/engine/state-label.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

const REFERENCE_DATE = '2026-06-30';
const REFERENCE_MIDNIGHT = `${REFERENCE_DATE}T00:00:00.000Z`;
const PEOPLE = 400;

/** Every row of the seeded tables, in a stable order, for comparing two stores. */
async function dump(store: TestStore): Promise<Record<string, unknown[]>> {
  const db = store.db;
  return {
    people: await db.selectFrom('people').selectAll().orderBy('id').execute(),
    cases: await db.selectFrom('cases').selectAll().orderBy('id').execute(),
    referrals: await db.selectFrom('referrals').selectAll().orderBy('id').execute(),
    consents: await db.selectFrom('consents').selectAll().orderBy('id').execute(),
    events: await db.selectFrom('events').selectAll().orderBy('seq').execute(),
    timers: await db.selectFrom('timers').selectAll().orderBy('id').execute(),
    // Audit entries have random ids (the demo area's set-up is audited): compared by content.
    audit: (await db.selectFrom('audit_log').selectAll().execute()).map(({ id: _id, ...rest }) => rest).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
  };
}

describe.each(DIALECTS)('the synthetic cohort on %s', (dialect) => {
  let store: TestStore;
  let result: CohortResult;
  let opening: string;
  let openedBefore: string;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const area = await seedDemo(store, { people: 0 });
    expect(area.cohort).toBeNull();
    // An event logged before the seed: the cohort must continue its chain, not restart it.
    const engine = createEngine(store);
    const person = { id: '0c000000-0000-4000-8000-000000000001', given_name: 'Before', family_name: 'Seed', date_of_birth: '1980-01-01', sex: 'female', ethnicity: null, postcode_district: 'NB1', details: '{}', created_by_agency_id: '0a000000-0000-4000-8000-000000000001', created_at: '2026-01-01T00:00:00.000Z' };
    await store.db.insertInto('people').values(person).execute();
    const opened = await engine.openCase({ personId: person.id, leadAgencyId: person.created_by_agency_id, referralSource: 'self', referredOn: '2026-06-01', actor: { userId: null, agencyId: null } });
    openedBefore = opened.row.id;
    // Closing chains what the engine wrote (PostgreSQL seals after commit).
    await engine.close();
    opening = (await store.db.selectFrom('events').select('hash').where('seq', '=', opened.event.seq).executeTakeFirstOrThrow()).hash!;
    result = await seedCohort(store, { people: PEOPLE, referenceDate: REFERENCE_DATE, seed: 7 });
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('covers every stage, every discharge reason, sustained recovery and every referral state', () => {
    expect(result.people).toBe(PEOPLE);
    expect(result.offTarget).toBe(0);
    for (const stage of [...OPEN_TARGETS, 'closed']) expect(result.journeysByState[stage], stage).toBeGreaterThan(0);
    const reasons = Object.keys(result.closedByReason).map((k) => k.replace(' (sustained)', ''));
    for (const reason of DISCHARGE_REASONS) expect(reasons, reason).toContain(reason);
    expect(Object.keys(result.closedByReason).some((k) => k.endsWith('(sustained)'))).toBe(true);
    for (const state of REFERRAL_STATES) expect(result.referralsByState[state], state).toBeGreaterThan(0);
  });

  it('continues the hash chain from the event logged before it, and the chain verifies', async () => {
    // The demo area's set-up events come first, then the event logged before the seed.
    const before = await store.db.selectFrom('events').select('seq').where('hash', '=', opening).executeTakeFirstOrThrow();
    const [first, second] = await store.db.selectFrom('events').select(['seq', 'prev_hash', 'hash']).where('seq', '>=', before.seq).orderBy('seq').limit(2).execute();
    expect(first!.hash).toBe(opening);
    expect(second!.prev_hash).toBe(opening);
    const report = await verifyChain(store.db);
    const earlier = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('seq', '<', before.seq).executeTakeFirstOrThrow();
    expect(report).toMatchObject({ ok: true, rowsChecked: result.events + 1 + Number(earlier.n) });
  });

  it('stores snapshots the machines restore, consistent with the rows and the event log', async () => {
    const cases = await store.db.selectFrom('cases').selectAll().execute();
    const referrals = await store.db.selectFrom('referrals').selectAll().execute();
    const versions = new Map(
      (await store.db.selectFrom('events').select(['stream_id', 'stream_version', 'to_state']).orderBy('seq').execute()).map((e) => [e.stream_id, e]),
    );
    for (const row of cases) {
      const snapshot = restoreSnapshot(getMachine('case', row.machine_version), row.snapshot);
      expect(stateLabel(snapshot.value as StateValue)).toBe(stateLabel(JSON.parse(row.state_value) as StateValue));
      expect(row.stage).toBe(stateLabel(snapshot.value as StateValue).split('.')[0]);
      const last = versions.get(row.id)!;
      expect(last.stream_version).toBe(row.version);
      expect(last.to_state).toBe(stateLabel(snapshot.value as StateValue));
      expect(row.referred_on <= REFERENCE_DATE && row.opened_at < REFERENCE_MIDNIGHT).toBe(true);
      expect(row.closed_at === null).toBe(snapshot.status === 'active');
    }
    for (const row of referrals) {
      const snapshot = restoreSnapshot(getMachine('referral', row.machine_version), row.snapshot);
      expect(snapshot.value).toBe(row.state);
      expect(versions.get(row.id)!.stream_version).toBe(row.version);
    }
    // Everything due before the reference date has been delivered; what is pending is later.
    const overdue = await store.db
      .selectFrom('timers')
      .select('id')
      .where('status', '=', 'pending')
      .where('due_at', '<=', REFERENCE_MIDNIGHT)
      .where('stream_id', '!=', openedBefore)
      .execute();
    expect(overdue).toEqual([]);
    const latest = await store.db.selectFrom('events').select('effective_at').where('seq', '>', 1).orderBy('effective_at', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(latest.effective_at < REFERENCE_MIDNIGHT).toBe(true);
  });

  it('has the shape the measures need: substance mix, waiting-time breaches, releases with and without engagement, re-presentations, deaths', async () => {
    const people = await store.db.selectFrom('people').select('details').execute();
    const groups = people.map((p) => (JSON.parse(p.details) as { substanceGroup?: string }).substanceGroup);
    const share = (g: string): number => groups.filter((x) => x === g).length / groups.length;
    expect(share('opiate')).toBeGreaterThan(0.34);
    expect(share('opiate')).toBeLessThan(0.5);
    expect(share('alcohol_only')).toBeGreaterThan(0.23);
    expect(share('alcohol_only')).toBeLessThan(0.37);

    const contexts = (await store.db.selectFrom('cases').select('snapshot').execute()).map((r) => (JSON.parse(r.snapshot) as { context: PathwayContext }).context);
    const started = contexts.filter((c) => c.treatmentStartedOn !== null && c.reenteredOn === null);
    const waited = started.map((c) => (Date.parse(c.treatmentStartedOn!) - Date.parse(c.referredOn)) / 86_400_000);
    const within = waited.filter((d) => d <= 21).length / waited.length;
    expect(within).toBeGreaterThan(0.8);
    expect(within).toBeLessThan(1);
    expect(contexts.some((c) => c.waitingTimeBreached)).toBe(true);
    const releases = contexts.filter((c) => c.continuity !== null).map((c) => c.continuity!);
    expect(releases.some((r) => r.engagedOn !== null && (Date.parse(r.engagedOn) - Date.parse(r.releasedOn)) / 86_400_000 <= 21)).toBe(true);
    expect(releases.some((r) => r.breached)).toBe(true);
    expect(contexts.some((c) => c.representations > 0)).toBe(true);
    expect(contexts.some((c) => c.closure?.reason === 'died')).toBe(true);
    const perPerson = await store.db.selectFrom('cases').select((eb) => ['person_id', eb.fn.countAll<number>().as('n')]).groupBy('person_id').execute();
    expect(perPerson.some((r) => Number(r.n) > 1)).toBe(true);
  });

  it('records a consent or a flagged safeguarding override for every referral', async () => {
    const referrals = await store.db.selectFrom('referrals').select(['id', 'person_id', 'to_agency_id', 'safeguarding_override']).execute();
    const consents = await store.db.selectFrom('consents').select(['person_id', 'to_agency_id']).execute();
    const given = new Set(consents.map((c) => `${c.person_id}>${c.to_agency_id}`));
    const overrides = new Set((await store.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'override').where('flagged', '=', 1).execute()).map((a) => a.entity_id));
    for (const r of referrals) {
      if (r.safeguarding_override) expect(overrides.has(r.id)).toBe(true);
      else expect(given.has(`${r.person_id}>${r.to_agency_id}`), r.id).toBe(true);
    }
  });

  it('leaves journeys and referrals the engine carries on with, and timers the sweeper delivers', async () => {
    const engine = createEngine(store);
    try {
      const inStage = async (stage: string): Promise<CaseRow> =>
        store.db.selectFrom('cases').selectAll().where('stage', '=', stage).orderBy('id').limit(1).executeTakeFirstOrThrow();
      const actor = { userId: null, agencyId: null };
      const moves: Array<[string, Record<string, unknown> & { type: string }]> = [
        ['referred', { type: 'SCREENING_STARTED' }],
        ['screening', { type: 'SCREENING_COMPLETED', outcome: 'assess' }],
        ['assessment', { type: 'ASSESSMENT_COMPLETED', domains: { housingNeed: 'none' } }],
        ['rapidReentry', { type: 'REENTRY_CONFIRMED' }],
        ['inCustody', { type: 'RELEASED_FROM_CUSTODY' }],
        ['recoveryCheckups', { type: 'CHECKUP_COMPLETED' }],
        ['inTreatment', { type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: new Date().toISOString().slice(0, 10) }],
      ];
      for (const [stage, event] of moves) {
        const row = await inStage(stage);
        const applied = await engine.apply({ stream: 'case', id: row.id, event, expectedVersion: row.version, actor });
        expect(applied.row.version, stage).toBe(row.version + 1);
      }
      const referral = await store.db.selectFrom('referrals').selectAll().where('state', '=', 'requested').orderBy('id').limit(1).executeTakeFirstOrThrow();
      await engine.apply({ stream: 'referral', id: referral.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: referral.version, actor });

      // Deliver every pending timer, as if a year passed: none may fail.
      const pending = await store.db.selectFrom('timers').select('id').where('status', '=', 'pending').execute();
      let delivered = 0;
      for (;;) {
        const sweep = await engine.sweepDueTimers({ now: new Date(Date.now() + 400 * 86_400_000), limit: 500 });
        delivered += sweep.fired + sweep.noop;
        if (sweep.claimed === 0) break;
      }
      expect(delivered).toBeGreaterThanOrEqual(pending.length);
      expect(await store.db.selectFrom('timers').select('id').where('status', '=', 'pending').where('due_at', '<=', new Date(Date.now() + 399 * 86_400_000).toISOString()).execute()).toEqual([]);
      expect((await verifyChain(store.db)).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('rebuilt the measures, and does not write the same seed twice', async () => {
    const counters = await store.db.selectFrom('metric_day_totals' as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number((counters).n)).toBeGreaterThan(0);
    const before = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const again = await seedCohort(store, { people: PEOPLE, referenceDate: REFERENCE_DATE, seed: 7 });
    expect(again.alreadySeeded).toBe(true);
    const after = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('gives identical rows for the same seed, whether generated here or on worker threads', async () => {
    const a = await createTestStore(dialect);
    const b = await createTestStore(dialect);
    try {
      await seedDemo(a, { people: 120, seed: 99, referenceDate: REFERENCE_DATE, workers: 0 });
      await seedDemo(b, { people: 120, seed: 99, referenceDate: REFERENCE_DATE, workers: 2, batchSize: 35 });
      const [da, db] = [await dump(a), await dump(b)];
      expect(da.events!.length).toBeGreaterThan(1000);
      expect(db).toEqual(da);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
