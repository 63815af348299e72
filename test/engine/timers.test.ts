import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/database.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';
import { dueTimers, dueTimersAfter } from '../../src/journeys/journey-view.ts';

const T0 = new Date('2026-03-02T12:00:00.000Z');
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

describe.each(DIALECTS)('durable timers on %s', (dialect) => {
  let store: TestStore;
  let world: EngineWorld;
  const extra: Array<{ engine: Engine; store?: Store }> = [];

  beforeEach(async () => {
    store = await createTestStore(dialect);
    world = await createEngineWorld(store.db);
  });
  afterEach(async () => {
    for (const { engine, store: s } of extra.splice(0)) {
      await engine.close();
      await s?.close();
    }
    await store.dispose();
  });

  function engineAt(clock: () => Date, on: Store = store, own = false): Engine {
    const engine = createEngine(on, { now: clock, workerId: `w-${randomUUID().slice(0, 6)}` });
    extra.push({ engine, ...(own ? { store: on } : {}) });
    return engine;
  }

  const sendReferral = (engine: Engine) =>
    engine.openReferral({
      personId: world.personId,
      fromAgencyId: world.probation.agencyId,
      fromUserId: world.probation.userId,
      toAgencyId: world.provider.agencyId,
      kind: 'treatment',
      reason: 'Opiate use',
      urgency: 'routine',
      actor: world.officer,
    });

  async function timerEvents() {
    return store.db
      .selectFrom('events')
      .select(['stream_id', 'type', 'effective_at', 'recorded_at', 'user_id', 'agency_id', 'stream_version'])
      .where('type', 'in', ['ACKNOWLEDGE_DEADLINE_PASSED', 'FIRST_CONTACT_DEADLINE_PASSED', 'WAITING_TIME_BREACHED'])
      .orderBy('seq')
      .execute();
  }

  it('catches up after downtime: each timer due while the engine was stopped fires exactly once', async () => {
    const before = engineAt(() => T0);
    const referral = (await sendReferral(before)).row;
    const journey = (
      await before.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-01', actor: world.keyworker })
    ).row;
    await before.close();

    // The server was down for a month; all three deadlines passed meanwhile.
    let clock = days(30);
    const after = engineAt(() => clock);
    expect(await after.sweepDueTimers()).toEqual({ claimed: 3, fired: 3, noop: 0, skipped: 0 });
    expect(await after.sweepDueTimers()).toEqual({ claimed: 0, fired: 0, noop: 0, skipped: 0 });
    clock = days(400);
    expect(await after.sweepDueTimers()).toEqual({ claimed: 0, fired: 0, noop: 0, skipped: 0 });

    // In due order on each stream (its versions); PostgreSQL delivers different streams in parallel.
    const events = (await timerEvents()).sort((a, b) => a.effective_at.localeCompare(b.effective_at));
    expect(events).toEqual([
      { stream_id: referral.id, type: 'ACKNOWLEDGE_DEADLINE_PASSED', effective_at: '2026-03-04T12:00:00.000Z', recorded_at: days(30).toISOString(), user_id: null, agency_id: null, stream_version: 2 },
      { stream_id: journey.id, type: 'WAITING_TIME_BREACHED', effective_at: '2026-03-23T00:00:00.000Z', recorded_at: days(30).toISOString(), user_id: null, agency_id: null, stream_version: 2 },
      { stream_id: referral.id, type: 'FIRST_CONTACT_DEADLINE_PASSED', effective_at: '2026-03-24T00:00:00.000Z', recorded_at: days(30).toISOString(), user_id: null, agency_id: null, stream_version: 3 },
    ]);
    const timers = await store.db.selectFrom('timers').select(['status', 'fired_at']).execute();
    expect(timers.every((t) => t.status === 'fired' && t.fired_at === days(30).toISOString())).toBe(true);
    const stored = await store.db.selectFrom('referrals').selectAll().where('id', '=', referral.id).executeTakeFirstOrThrow();
    expect((JSON.parse(stored.snapshot) as { context: unknown }).context).toMatchObject({ acknowledgeOverdue: true, firstContactOverdue: true });
    expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 5 });
  });

  it('fires only what has fallen due, in due order', async () => {
    let clock = T0;
    const engine = engineAt(() => clock);
    await sendReferral(engine);
    clock = days(3);
    expect(await engine.sweepDueTimers()).toMatchObject({ claimed: 1, fired: 1 });
    expect((await timerEvents()).map((e) => e.type)).toEqual(['ACKNOWLEDGE_DEADLINE_PASSED']);
    expect(await engine.sweepDueTimers({ now: days(22) })).toMatchObject({ claimed: 1, fired: 1 });
  });

  it('a timer the machine cancelled never fires', async () => {
    let clock = T0;
    const engine = engineAt(() => clock);
    const { row } = await sendReferral(engine);
    await engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
    clock = days(3);
    expect(await engine.sweepDueTimers()).toEqual({ claimed: 0, fired: 0, noop: 0, skipped: 0 });
    const timers = await store.db.selectFrom('timers').select(['timer_key', 'status']).orderBy('timer_key').execute();
    expect(timers).toEqual([
      { timer_key: 'acknowledge-deadline', status: 'cancelled' },
      { timer_key: 'first-contact-deadline', status: 'pending' },
    ]);
  });

  it('a timer for a state already left is a harmless no-op', async () => {
    let clock = T0;
    const engine = engineAt(() => clock);
    const { row } = await sendReferral(engine);
    await engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_CANCELLED', reason: 'Moved away' }, expectedVersion: 1, actor: world.officer });
    // A timer left behind (say, by an older machine version that did not cancel it).
    await store.db
      .insertInto('timers')
      .values({
        id: randomUUID(),
        stream_type: 'referral',
        stream_id: row.id,
        timer_key: 'acknowledge-deadline',
        event: JSON.stringify({ type: 'ACKNOWLEDGE_DEADLINE_PASSED' }),
        due_at: days(2).toISOString(),
        created_at: T0.toISOString(),
        status: 'pending',
        fired_at: null,
        claimed_by: null,
        claimed_until: null,
      })
      .execute();
    clock = days(5);
    expect(await engine.sweepDueTimers()).toEqual({ claimed: 1, fired: 0, noop: 1, skipped: 0 });
    expect(await engine.sweepDueTimers()).toEqual({ claimed: 0, fired: 0, noop: 0, skipped: 0 });
    const stored = await store.db.selectFrom('referrals').select(['version', 'state']).where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ version: 2, state: 'cancelled' });
    expect(await timerEvents()).toEqual([]);
    const leftover = await store.db.selectFrom('timers').select(['status', 'fired_at']).where('timer_key', '=', 'acknowledge-deadline').where('status', '=', 'noop').execute();
    expect(leftover).toEqual([{ status: 'noop', fired_at: days(5).toISOString() }]);
  });

  async function raceSweepers(a: Engine, b: Engine, referrals: number): Promise<void> {
    const results = await Promise.all([
      a.sweepDueTimers({ limit: 7 }),
      b.sweepDueTimers({ limit: 7 }),
      a.sweepDueTimers(),
      b.sweepDueTimers(),
      a.sweepDueTimers(),
      b.sweepDueTimers(),
    ]);
    const fired = results.reduce((n, r) => n + r.fired, 0);
    expect(fired).toBe(referrals * 2);
    const events = await timerEvents();
    expect(events).toHaveLength(referrals * 2);
    expect(new Set(events.map((e) => `${e.stream_id}/${e.type}`)).size).toBe(referrals * 2);
    const pending = await store.db.selectFrom('timers').select('id').where('status', '!=', 'fired').execute();
    expect(pending).toEqual([]);
    expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: referrals * 3 });
  }

  it('two engines on the same store never double-fire', async () => {
    const opener = engineAt(() => T0);
    for (let i = 0; i < 12; i += 1) await sendReferral(opener);
    const a = engineAt(() => days(30));
    const b = engineAt(() => days(30));
    await raceSweepers(a, b, 12);
  });

  it('two engines on separate connections never double-fire', async () => {
    const opener = engineAt(() => T0);
    for (let i = 0; i < 12; i += 1) await sendReferral(opener);
    const a = engineAt(() => days(30), await openStore(store.url), true);
    const b = engineAt(() => days(30), await openStore(store.url), true);
    await raceSweepers(a, b, 12);
  });

  it('the sweeper loop catches up on start and stops cleanly', async () => {
    const opener = engineAt(() => T0);
    for (let i = 0; i < 3; i += 1) await sendReferral(opener);
    const engine = engineAt(() => days(30));
    engine.startSweeper(10);
    engine.startSweeper(10); // a second start is ignored
    const deadline = Date.now() + 10_000;
    while ((await timerEvents()).length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await engine.stop();
    expect(await timerEvents()).toHaveLength(6);
    // Nothing more happens after stop, and nothing was fired twice.
    await new Promise((r) => setTimeout(r, 50));
    expect(await timerEvents()).toHaveLength(6);
  });

  it("an event's answer carries the stream's pending timers as a read after it finds them (PostgreSQL reads them with the write)", async () => {
    const engine = engineAt(() => T0);
    const referral = (await sendReferral(engine)).row;
    const journey = (
      await engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-01', actor: world.keyworker })
    ).row;
    const steps: Array<{ stream: 'case' | 'referral'; id: string; event: Record<string, unknown> & { type: string }; actor: typeof world.keyworker }> = [
      { stream: 'referral', id: referral.id, event: { type: 'REFERRAL_RECEIVED' }, actor: world.keyworker },
      { stream: 'case', id: journey.id, event: { type: 'SCREENING_STARTED' }, actor: world.keyworker },
      { stream: 'case', id: journey.id, event: { type: 'SCREENING_COMPLETED', outcome: 'assess' }, actor: world.keyworker },
      { stream: 'case', id: journey.id, event: { type: 'ASSESSMENT_COMPLETED', domains: { substanceUse: 'Opiates daily', housingNeed: 'none' } }, actor: world.keyworker },
      { stream: 'case', id: journey.id, event: { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' }] }, actor: world.keyworker },
      { stream: 'case', id: journey.id, event: { type: 'INTERVENTION_OFFERED', interventionId: 'psy-1' }, actor: world.keyworker },
      { stream: 'case', id: journey.id, event: { type: 'INTERVENTION_STARTED', interventionId: 'psy-1' }, actor: world.keyworker },
    ];
    const versions = new Map([[referral.id, 1], [journey.id, 1]]);
    const seen = new Set<string>();
    for (const step of steps) {
      const before = JSON.stringify(await dueTimers(store.db, step.stream, step.id));
      const shown = await engine.transaction(async (tx) => {
        const applied = await tx.apply({ stream: step.stream, id: step.id, event: step.event, expectedVersion: versions.get(step.id)!, actor: step.actor });
        versions.set(step.id, applied.row.version);
        // Read with the write on PostgreSQL; SQLite leaves it to the caller.
        expect(applied.pendingTimers === undefined).toBe(dialect === 'sqlite');
        return dueTimersAfter(tx.sql, step.stream, applied);
      });
      const after = await dueTimers(store.db, step.stream, step.id);
      expect(shown).toEqual(after);
      seen.add(JSON.stringify(after) === before ? 'kept' : 'changed');
    }
    // The walk both keeps and changes a stream's timers (a cancel, a new deadline).
    expect([...seen].sort()).toEqual(['changed', 'kept']);
  });
});

// Leases exist only on PostgreSQL (SQLite has one writer and claims inside it).
describe('timer claims on postgres', () => {
  let store: TestStore;
  let world: EngineWorld;
  const engines: Engine[] = [];
  beforeEach(async () => {
    store = await createTestStore('postgres');
    world = await createEngineWorld(store.db);
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    await store.dispose();
  });
  const engineAt = (clock: () => Date): Engine => {
    const e = createEngine(store, { now: clock });
    engines.push(e);
    return e;
  };
  const sendReferral = (engine: Engine) =>
    engine.openReferral({
      personId: world.personId,
      fromAgencyId: world.probation.agencyId,
      fromUserId: world.probation.userId,
      toAgencyId: world.provider.agencyId,
      kind: 'treatment',
      reason: 'Opiate use',
      urgency: 'routine',
      actor: world.officer,
    });
  const timerEvents = () => store.db.selectFrom('events').select('type').where('stream_version', '>', 1).orderBy('seq').execute();

  it('a timer leased by another sweeper is left alone until the lease ends', async () => {
    const opener = engineAt(() => T0);
    const { row } = await sendReferral(opener);
    await store.db
      .updateTable('timers')
      .set({ claimed_by: 'crashed-worker', claimed_until: days(30).toISOString() })
      .where('stream_id', '=', row.id)
      .where('timer_key', '=', 'acknowledge-deadline')
      .execute();
    const engine = engineAt(() => days(29));
    expect(await engine.sweepDueTimers()).toMatchObject({ claimed: 1, fired: 1 });
    expect((await timerEvents()).map((e) => e.type)).toEqual(['FIRST_CONTACT_DEADLINE_PASSED']);
    expect(await engine.sweepDueTimers({ now: days(31) })).toMatchObject({ claimed: 1, fired: 1 });
  });
});
