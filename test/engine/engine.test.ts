import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type StreamChange } from '../../src/engine/engine.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { PathwaysError } from '../../src/errors.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';

const NOW = new Date('2026-03-02T12:00:00.000Z');

async function caught(promise: Promise<unknown>): Promise<PathwaysError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PathwaysError) return err;
    throw err;
  }
  throw new Error('expected a PathwaysError, but the call succeeded');
}

/** A treatment referral from probation to the provider, through `engine`. */
function openReferralOn(engine: Engine, world: EngineWorld, overrides: Record<string, unknown> = {}) {
  return engine.openReferral({
    personId: world.personId,
    fromAgencyId: world.probation.agencyId,
    fromUserId: world.probation.userId,
    toAgencyId: world.provider.agencyId,
    kind: 'treatment',
    reason: 'Opiate use, released last week',
    urgency: 'routine',
    actor: world.officer,
    ...overrides,
  });
}

describe.each(DIALECTS)('engine on %s', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let world: EngineWorld;
  let clock: Date;

  beforeEach(async () => {
    store = await createTestStore(dialect);
    clock = NOW;
    engine = createEngine(store, { now: () => clock });
    world = await createEngineWorld(store.db);
  });
  afterEach(async () => {
    await engine.close();
    await store.dispose();
  });

  const openCase = () =>
    engine.openCase({
      personId: world.personId,
      leadAgencyId: world.provider.agencyId,
      keyworkerId: world.provider.userId,
      referralSource: 'probation',
      referredOn: '2026-03-01',
      actor: world.keyworker,
    });

  const openReferral = (overrides: Record<string, unknown> = {}) => openReferralOn(engine, world, overrides);

  async function counts() {
    const [events, timers, cases, referrals] = await Promise.all([
      store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      store.db.selectFrom('timers').select(['status', 'timer_key', 'due_at']).orderBy('timer_key').execute(),
      store.db.selectFrom('cases').selectAll().orderBy('id').execute(),
      store.db.selectFrom('referrals').selectAll().orderBy('id').execute(),
    ]);
    return { events: Number(events.n), timers, cases, referrals };
  }

  describe('opening streams', () => {
    it('opens a journey at version 1 with CASE_OPENED and the waiting-time clock from the referral date', async () => {
      const { row, event, change, allowedEvents } = await openCase();
      expect(row).toMatchObject({ version: 1, stage: 'referred', machine_version: 1, referred_on: '2026-03-01', opened_at: '2026-03-01T00:00:00.000Z', closed_at: null });
      expect(JSON.parse(row.state_value)).toBe('referred');
      expect(event).toMatchObject({ type: 'CASE_OPENED', stream_type: 'case', stream_id: row.id, stream_version: 1, from_state: null, to_state: 'referred', user_id: world.provider.userId, agency_id: world.provider.agencyId, recorded_at: NOW.toISOString() });
      expect(change).toMatchObject({ stream: 'case', id: row.id, version: 1, type: 'CASE_OPENED', fromStage: null, toStage: 'referred', seq: event.seq });
      expect(allowedEvents).toContain('SCREENING_STARTED');
      const stored = await store.db.selectFrom('timers').selectAll().where('stream_id', '=', row.id).execute();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ timer_key: 'waiting-time', status: 'pending', due_at: '2026-03-23T00:00:00.000Z' }); // day 21 (22 March) is within: due at the midnight after it
      expect(JSON.parse(stored[0]!.event)).toMatchObject({ type: 'WAITING_TIME_BREACHED' });
    });

    it('opens a referral with its deadlines', async () => {
      const { row, event } = await openReferral();
      expect(row).toMatchObject({ state: 'requested', version: 1, acknowledge_by: '2026-03-04T12:00:00.000Z', first_contact_by: '2026-03-24T00:00:00.000Z' }); // 21 calendar days: to the end of 23 March
      expect(event).toMatchObject({ type: 'REFERRAL_REQUESTED', to_state: 'requested' });
      expect(JSON.parse(event.payload)).toMatchObject({ kind: 'treatment', toAgencyId: world.provider.agencyId });
    });

    it('refuses a referral to the sending agency itself and writes nothing', async () => {
      const err = await caught(openReferral({ toAgencyId: world.probation.agencyId }));
      expect(err.code).toBe('validation_failed');
      expect(err.message).toMatch(/toAgencyId/);
      expect(err.details.issues).toEqual([{ path: 'toAgencyId', message: 'must differ from fromAgencyId' }]);
      expect(await counts()).toMatchObject({ events: 0, timers: [], referrals: [] });
    });

    it('refuses unknown kinds, unknown people and future referral dates, naming the field', async () => {
      expect((await caught(openReferral({ kind: 'teleport' }))).details.issues).toEqual([{ path: 'kind', message: 'unknown referral kind' }]);
      expect((await caught(openReferral({ personId: 'nobody' }))).details.issues).toEqual([{ path: 'personId', message: 'unknown person' }]);
      const future = await caught(
        engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-09', actor: world.keyworker }),
      );
      expect(future.details.issues).toEqual([{ path: 'referredOn', message: 'must not be in the future' }]);
      expect((await counts()).events).toBe(0);
    });
  });

  describe('apply', () => {
    it('moves a journey, logs the event and keeps the chain', async () => {
      const opened = await openCase();
      clock = new Date('2026-03-02T13:00:00.000Z');
      const { row, event, change } = await engine.apply({
        stream: 'case',
        id: opened.row.id,
        event: { type: 'SCREENING_STARTED' },
        expectedVersion: 1,
        actor: world.keyworker,
      });
      expect(row).toMatchObject({ version: 2, stage: 'screening', stage_entered_at: '2026-03-02T13:00:00.000Z' });
      expect(event).toMatchObject({ type: 'SCREENING_STARTED', stream_version: 2, from_state: 'referred', to_state: 'screening', effective_at: '2026-03-02T13:00:00.000Z', backdate_reason: null });
      expect(event.prev_hash).toBe(opened.event.hash);
      expect(change).toMatchObject({ fromStage: 'referred', toStage: 'screening', fromState: 'referred', toState: 'screening' });
      const stored = await store.db.selectFrom('cases').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      expect(stored).toEqual(row);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 2 });
    });

    it('refuses an event the state does not accept, lists the accepted ones and writes nothing', async () => {
      const opened = await openCase();
      const before = await counts();
      const err = await caught(
        engine.apply({ stream: 'case', id: opened.row.id, event: { type: 'REVIEW_COMPLETED', top: {} }, expectedVersion: 1, actor: world.keyworker }),
      );
      expect(err.code).toBe('invalid_transition');
      expect(err.status).toBe(409);
      expect(err.message).toMatch(/REVIEW_COMPLETED is not allowed in state referred/);
      expect(err.message).toMatch(/SCREENING_STARTED/);
      expect(err.details.state).toBe('referred');
      expect(err.details.allowedEvents).toEqual(expect.arrayContaining(['SCREENING_STARTED', 'DISCHARGED']));
      expect(err.details.allowedEvents).not.toContain('WAITING_TIME_BREACHED');
      expect(await counts()).toEqual(before);
    });

    it('names the rule when a guard refuses', async () => {
      const { row } = await openReferral();
      const err = await caught(engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_REJECTED', reason: ' ' }, expectedVersion: 1, actor: world.keyworker }));
      expect(err.code).toBe('invalid_transition');
      expect(err.details.rule).toBe('hasRejectionReason');
      expect(err.message).toMatch(/rule hasRejectionReason/);
    });

    it('refuses unknown and timer-only event types as bad input', async () => {
      const { row } = await openReferral();
      const unknown = await caught(engine.apply({ stream: 'referral', id: row.id, event: { type: 'TELEPORTED' }, expectedVersion: 1, actor: world.keyworker }));
      expect(unknown.code).toBe('validation_failed');
      expect(unknown.details.issues).toEqual([expect.objectContaining({ path: 'type' })]);
      const timer = await caught(engine.apply({ stream: 'referral', id: row.id, event: { type: 'ACKNOWLEDGE_DEADLINE_PASSED' }, expectedVersion: 1, actor: world.keyworker }));
      expect(timer.code).toBe('validation_failed');
      expect(timer.message).toMatch(/timers/);
    });

    it('keeps the keyworker column in step with the journey, refusing unknown users by field', async () => {
      const { row } = await openCase();
      const bad = await caught(engine.apply({ stream: 'case', id: row.id, event: { type: 'KEYWORKER_ASSIGNED', keyworkerId: 'nobody' }, expectedVersion: 1, actor: world.keyworker }));
      expect(bad.details.issues).toEqual([{ path: 'keyworkerId', message: 'unknown user' }]);
      const moved = await engine.apply({ stream: 'case', id: row.id, event: { type: 'KEYWORKER_ASSIGNED', keyworkerId: world.probation.userId }, expectedVersion: 1, actor: world.keyworker });
      expect(moved.row.keyworker_id).toBe(world.probation.userId);
      expect(moved.change).toMatchObject({ fromStage: 'referred', toStage: 'referred', payload: { keyworkerId: world.probation.userId } });
    });

    it('answers not_found for a stream that does not exist', async () => {
      const err = await caught(engine.apply({ stream: 'case', id: 'missing', event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker }));
      expect(err.code).toBe('not_found');
    });

    it('refuses a stale expected version with the current one', async () => {
      const { row } = await openReferral();
      await engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
      const before = await counts();
      const err = await caught(engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 1, actor: world.keyworker }));
      expect(err.code).toBe('version_conflict');
      expect(err.details.currentVersion).toBe(2);
      expect(await counts()).toEqual(before);
    });

    it('two writers with the same expected version: exactly one wins', async () => {
      const { row } = await openReferral();
      const results = await Promise.allSettled([
        engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 1, actor: world.keyworker }),
        engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_REJECTED', reason: 'No capacity' }, expectedVersion: 1, actor: world.keyworker }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'version_conflict', details: { currentVersion: 2 } });
      const { events, referrals } = await counts();
      expect(events).toBe(2);
      expect(referrals[0]!.version).toBe(2);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true });
    });

    it('two writers on separate connections: exactly one wins, nothing half-written', async () => {
      const { row } = await openReferral();
      const other = await (await import('../../src/db/database.ts')).openStore(store.url);
      const otherEngine = createEngine(other, { now: () => clock });
      try {
        const results = await Promise.allSettled([
          engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 1, actor: world.keyworker }),
          otherEngine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toMatchObject({ code: 'version_conflict' });
      } finally {
        await otherEngine.close();
        await other.close();
      }
      const { events, referrals, timers } = await counts();
      expect(events).toBe(2);
      expect(referrals[0]!.version).toBe(2);
      // Either winner stops the acknowledge clock exactly once; the first-contact clock runs on.
      expect(timers.map((t) => [t.timer_key, t.status])).toEqual([
        ['acknowledge-deadline', 'cancelled'],
        ['first-contact-deadline', 'pending'],
      ]);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 2 });
    });
  });

  describe('effective time', () => {
    it('refuses a future effective time', async () => {
      const { row } = await openReferral();
      const err = await caught(
        engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker, effectiveAt: '2026-03-03T12:00:00Z' }),
      );
      expect(err.code).toBe('validation_failed');
      expect(err.details.issues).toEqual([{ path: 'effectiveAt', message: 'must not be in the future' }]);
    });

    it('needs a backdateReason more than a day back, and stores it', async () => {
      const { row } = await openReferral({ effectiveAt: '2026-02-20T09:00:00Z', backdateReason: 'Paper referral typed up late' });
      expect(row.created_at).toBe('2026-02-20T09:00:00.000Z');
      const err = await caught(
        engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker, effectiveAt: '2026-02-25T09:00:00Z' }),
      );
      expect(err.code).toBe('validation_failed');
      expect(err.message).toMatch(/backdateReason/);
      expect(err.details.issues).toEqual([expect.objectContaining({ path: 'backdateReason' })]);
      const ok = await engine.apply({
        stream: 'referral',
        id: row.id,
        event: { type: 'REFERRAL_RECEIVED' },
        expectedVersion: 1,
        actor: world.keyworker,
        effectiveAt: '2026-02-25T09:00:00Z',
        backdateReason: 'Recorded after the phone system outage',
      });
      expect(ok.event).toMatchObject({ effective_at: '2026-02-25T09:00:00.000Z', backdate_reason: 'Recorded after the phone system outage', recorded_at: NOW.toISOString() });
      // Within a day needs no reason.
      const recent = await engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 2, actor: world.keyworker, effectiveAt: '2026-03-01T15:00:00Z' });
      expect(recent.event.backdate_reason).toBeNull();
    });
  });

  describe('transactions and hooks', () => {
    it('accepts a referral and opens the journey in one commit', async () => {
      const { row: referral } = await openReferral();
      const seen: StreamChange[][] = [];
      engine.onCommit((changes) => seen.push(changes));
      const journey = await engine.transaction(async (tx) => {
        await tx.apply({ stream: 'referral', id: referral.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 1, actor: world.keyworker });
        const opened = await tx.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'probation', referredOn: '2026-03-02', actor: world.keyworker });
        await tx.trx.updateTable('referrals').set({ case_id: opened.row.id }).where('id', '=', referral.id).execute();
        return opened.row;
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.map((c) => c.type)).toEqual(['REFERRAL_ACCEPTED', 'CASE_OPENED']);
      const { cases, referrals } = await counts();
      expect(cases.map((c) => c.id)).toEqual([journey.id]);
      expect(referrals[0]).toMatchObject({ state: 'accepted', case_id: journey.id });
    });

    it('rolls the whole transaction back when any part fails', async () => {
      const { row: referral } = await openReferral();
      const before = await counts();
      const seen: StreamChange[][] = [];
      engine.onCommit((changes) => seen.push(changes));
      const err = await caught(
        engine.transaction(async (tx) => {
          await tx.apply({ stream: 'referral', id: referral.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 1, actor: world.keyworker });
          await tx.openCase({ personId: world.personId, leadAgencyId: 'no-such-agency', referralSource: 'probation', referredOn: '2026-03-02', actor: world.keyworker });
        }),
      );
      expect(err.details.issues).toEqual([{ path: 'leadAgencyId', message: 'unknown agency' }]);
      expect(await counts()).toEqual(before);
      expect(seen).toEqual([]);
    });

    it('a failed operation caught inside a transaction leaves no trace; the rest commits', async () => {
      const { row: referral } = await openReferral();
      await engine.transaction(async (tx) => {
        await expect(tx.apply({ stream: 'referral', id: referral.id, event: { type: 'REFERRAL_COMPLETED', outcome: 'x' }, expectedVersion: 1, actor: world.keyworker })).rejects.toMatchObject({
          code: 'invalid_transition',
        });
        await tx.apply({ stream: 'referral', id: referral.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
      });
      const { events, referrals } = await counts();
      expect(events).toBe(2);
      expect(referrals[0]).toMatchObject({ state: 'received', version: 2 });
    });

    it('runs in-transaction hooks with each change; a failing hook rolls the change back', async () => {
      const hooked: string[] = [];
      const off = engine.useInTransaction(async (trx, change) => {
        // The hook sees the row it is committed with.
        const row = await trx.selectFrom('referrals').select('version').where('id', '=', change.id).executeTakeFirst();
        hooked.push(`${change.type}@${row?.version}`);
        if (change.type === 'REFERRAL_RECEIVED') throw new Error('metrics unavailable');
      });
      const committed: string[] = [];
      engine.onCommit((changes) => committed.push(...changes.map((c) => c.type)));
      const { row } = await openReferral();
      await expect(engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker })).rejects.toThrow('metrics unavailable');
      expect(hooked).toEqual(['REFERRAL_REQUESTED@1', 'REFERRAL_RECEIVED@2']);
      expect(committed).toEqual(['REFERRAL_REQUESTED']);
      expect((await counts()).referrals[0]).toMatchObject({ version: 1, state: 'requested' });
      off();
      await engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
      expect(hooked).toHaveLength(2);
      expect(committed).toEqual(['REFERRAL_REQUESTED', 'REFERRAL_RECEIVED']);
    });

    it("a hook's read with the write (PostgreSQL) sees the stream as the transaction stood before each event, earlier events included", async () => {
      const seen: Array<[string, number, unknown]> = [];
      const plain: unknown[] = [];
      // Another hook without a read of its own sees none.
      const offPlain = engine.useInTransaction(async (_trx, change) => {
        plain.push(change.readWithWrite);
      });
      const off = engine.useInTransaction(
        async (_trx, change) => {
          seen.push([change.type, change.version, change.readWithWrite]);
        },
        { stream: 'case', sql: "select json_build_object('version', c.version, 'stage', c.stage) from cases c where c.id = ?" },
      );
      const { row } = await openCase();
      await engine.transaction(async (tx) => {
        await tx.apply({ stream: 'case', id: row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
        await tx.apply({ stream: 'case', id: row.id, event: { type: 'SCREENING_COMPLETED', outcome: 'assess' }, expectedVersion: 2, actor: world.keyworker });
      });
      off();
      offPlain();
      const before = (version: number, stage: string) => (dialect === 'postgres' ? { version, stage } : undefined);
      expect(seen).toEqual([
        ['CASE_OPENED', 1, undefined],
        ['SCREENING_STARTED', 2, before(1, row.stage)],
        ['SCREENING_COMPLETED', 3, before(2, 'screening')],
      ]);
      expect(plain).toEqual([undefined, undefined, undefined]);
    });

    it('runs before-commit hooks once per commit with the changes that succeeded; their writes commit with them', async () => {
      const referrals = [];
      for (let i = 0; i < 4; i += 1) referrals.push((await openReferral()).row);
      const calls: string[][] = [];
      const off = engine.useBeforeCommit(async (_trx, changes, sql) => {
        calls.push(changes.map((c) => `${c.id}:${c.version}`));
        // A write made here is part of the same commit.
        for (const c of changes) await sql.run('update referrals set reason = ? where id = ?', [`seen at ${c.version}`, c.id]);
      });
      const results = await Promise.allSettled(
        referrals.map((r, i) =>
          engine.apply({ stream: 'referral', id: r.id, event: { type: i === 2 ? 'REFERRAL_COMPLETED' : 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker }),
        ),
      );
      off();
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      const seen = calls.flat().sort();
      expect(seen).toEqual([referrals[0]!, referrals[1]!, referrals[3]!].map((r) => `${r.id}:2`).sort());
      // SQLite shares one commit among concurrent callers (group commit), so one call;
      // PostgreSQL shares them out between its writers (each batch one call).
      if (dialect === 'sqlite') expect(calls.length).toBe(1);
      else expect(calls.length).toBeLessThanOrEqual(4);
      const reasons = await store.db.selectFrom('referrals').select(['id', 'reason']).where('reason', 'like', 'seen at %').execute();
      expect(reasons.map((r) => r.id).sort()).toEqual([referrals[0]!.id, referrals[1]!.id, referrals[3]!.id].sort());
    });

    it("a before-commit hook's write sent without waiting commits with its units, and one that fails refuses them all with its own error", async () => {
      const referrals: Array<{ id: string }> = [];
      for (let i = 0; i < 6; i += 1) referrals.push((await openReferral()).row);
      const receive = (id: string) => engine.apply({ stream: 'referral', id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
      let failing = false;
      const off = engine.useBeforeCommit(async (_trx, changes, sql) => {
        for (const c of changes) await sql.send('update referrals set reason = ? where id = ?', [`committed ${c.id}`, c.id]);
        // An unknown person breaks the foreign key: the transaction ends there.
        if (failing) await sql.send('update referrals set person_id = ? where id = ?', ['no such person', changes[0]!.id]);
      });
      const first = await Promise.allSettled(referrals.slice(0, 3).map((r) => receive(r.id)));
      expect(first.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      failing = true;
      const second = await Promise.allSettled(referrals.slice(3).map((r) => receive(r.id)));
      off();
      expect(second.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const r of second) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: dialect === 'postgres' ? '23503' : 'SQLITE_CONSTRAINT_FOREIGNKEY' });
      const stored = await store.db.selectFrom('referrals').select(['id', 'version', 'reason']).execute();
      const byId = new Map(stored.map((r) => [r.id, r]));
      expect(referrals.map((r) => byId.get(r.id)!.version)).toEqual([2, 2, 2, 1, 1, 1]);
      expect(referrals.map((r) => byId.get(r.id)!.reason === `committed ${r.id}`)).toEqual([true, true, true, false, false, false]);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 9 });
    });

    it('a failing before-commit hook refuses every unit of its commit and stores none of them', async () => {
      const referrals = [];
      for (let i = 0; i < 3; i += 1) referrals.push((await openReferral()).row);
      const off = engine.useBeforeCommit(async () => {
        throw new Error('counters unavailable');
      });
      const results = await Promise.allSettled(
        referrals.map((r) => engine.apply({ stream: 'referral', id: r.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker })),
      );
      off();
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      expect((await counts()).referrals.every((r) => r.version === 1)).toBe(true);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 3 });
    });
  });

  describe('concurrent callers', () => {
    it('a failing command rolls back alone; the others commit', async () => {
      const referrals = [];
      for (let i = 0; i < 6; i += 1) referrals.push((await openReferral()).row);
      const statsBefore = engine.stats();
      const results = await Promise.allSettled(
        referrals.map((r, i) =>
          engine.apply({
            stream: 'referral',
            id: r.id,
            // The fourth is stale; the fifth is refused by the machine.
            event: { type: i === 4 ? 'REFERRAL_COMPLETED' : 'REFERRAL_ACCEPTED', outcome: 'x' },
            expectedVersion: i === 3 ? 7 : 1,
            actor: world.keyworker,
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'version_conflict' });
      expect((results[4] as PromiseRejectedResult).reason).toMatchObject({ code: 'invalid_transition' });
      const stored = await store.db.selectFrom('referrals').select(['id', 'state', 'version']).execute();
      const byId = new Map(stored.map((r) => [r.id, r]));
      expect(referrals.map((r) => byId.get(r.id)!.state)).toEqual(['accepted', 'accepted', 'accepted', 'requested', 'requested', 'accepted']);
      expect((await counts()).events).toBe(10);
      const stats = engine.stats();
      expect(stats.units - statsBefore.units).toBe(4);
      expect(stats.failed - statsBefore.failed).toBe(2);
      if (dialect === 'sqlite') expect(stats.commits - statsBefore.commits).toBe(1);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 10 });
    });

    it('a command failing after its event was appended rolls back alone and the chain stays whole', async () => {
      const referrals = [];
      for (let i = 0; i < 5; i += 1) referrals.push((await openReferral()).row);
      const doomed = referrals[2]!.id;
      engine.useInTransaction(async (_trx, change) => {
        if (change.id === doomed && change.type === 'REFERRAL_RECEIVED') throw new Error('hook refused');
      });
      const results = await Promise.allSettled(
        referrals.map((r) => engine.apply({ stream: 'referral', id: r.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker })),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((await counts()).events).toBe(9);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 9 });
      // The next writer chains onto the real head, not the rolled-back one.
      await engine.apply({ stream: 'referral', id: referrals[0]!.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 2, actor: world.keyworker });
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 10 });
    });

    it('a failed call caught inside a unit undoes only its own writes, and a unit failing after its writes only its own, among concurrent units', async () => {
      const referrals = [];
      for (let i = 0; i < 5; i += 1) referrals.push((await openReferral()).row);
      const doomed = referrals[1]!.id;
      const off = engine.useInTransaction(async (_trx, change) => {
        if (change.id === doomed && change.type === 'REFERRAL_RECEIVED') throw new Error('hook refused');
      });
      const receive = (id: string) => ({ stream: 'referral' as const, id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
      const results = await Promise.allSettled(
        referrals.map((r, i) => {
          if (i === 1) {
            // Its first call wrote the row and the event before the hook refused; the caller goes on.
            return engine.transaction(async (tx) => {
              await expect(tx.apply(receive(r.id))).rejects.toThrow('hook refused');
              return tx.apply({ stream: 'referral', id: r.id, event: { type: 'REFERRAL_ACCEPTED' }, expectedVersion: 1, actor: world.keyworker });
            });
          }
          if (i === 3) {
            return engine.transaction(async (tx) => {
              await tx.apply(receive(r.id));
              throw new Error('the caller gave up');
            });
          }
          return engine.apply(receive(r.id));
        }),
      );
      off();
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ message: 'the caller gave up' });
      const stored = await store.db.selectFrom('referrals').select(['id', 'state', 'version']).execute();
      const byId = new Map(stored.map((r) => [r.id, r]));
      expect(referrals.map((r) => `${byId.get(r.id)!.state}@${byId.get(r.id)!.version}`)).toEqual(['received@2', 'accepted@2', 'received@2', 'requested@1', 'received@2']);
      expect((await counts()).events).toBe(9);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 9 });
    });

    it('a write sent without waiting (sql.send) lands before the commit, and one that fails fails only its own unit, with its own error', async () => {
      const referrals: Array<{ id: string }> = [];
      for (let i = 0; i < 5; i += 1) referrals.push((await openReferral()).row);
      const receive = (id: string) => ({ stream: 'referral' as const, id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
      const note = (id: string) => `sent for ${id}`;
      const results = await Promise.allSettled(
        referrals.map((r, i) =>
          engine.transaction(async (tx) => {
            const applied = await tx.apply(receive(r.id));
            // Every unit sends a write nobody waits for; the third's breaks a constraint (an unknown person).
            await tx.sql.send('update referrals set reason = ? where id = ?', [note(r.id), r.id]);
            if (i === 2) await tx.sql.send('update referrals set person_id = ? where id = ?', ['no such person', r.id]);
            // Statements after a send run after it: this unit reads its own write.
            const read = await tx.sql.get<{ reason: string }>('select reason from referrals where id = ?', [r.id]);
            return { version: applied.row.version, reason: read?.reason };
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      // The failing unit hears of its own constraint, not of the transaction its failure ended.
      expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: dialect === 'postgres' ? '23503' : 'SQLITE_CONSTRAINT_FOREIGNKEY' });
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') expect(r.value).toEqual({ version: 2, reason: note(referrals[i]!.id) });
      });
      const stored = await store.db.selectFrom('referrals').select(['id', 'state', 'reason']).execute();
      const byId = new Map(stored.map((r) => [r.id, r]));
      expect(referrals.map((r) => byId.get(r.id)!.state)).toEqual(['received', 'received', 'requested', 'received', 'received']);
      expect(referrals.map((r) => byId.get(r.id)!.reason === note(r.id))).toEqual([true, true, false, true, true]);
      expect((await counts()).events).toBe(9);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 9 });
    });

    it('with group commit off, every unit commits on its own', async () => {
      const solo = createEngine(store, { now: () => clock, groupCommit: false });
      try {
        await Promise.all(Array.from({ length: 5 }, () => solo.openReferral({
          personId: world.personId,
          fromAgencyId: world.probation.agencyId,
          fromUserId: null,
          toAgencyId: world.provider.agencyId,
          kind: 'housing',
          reason: 'Eviction notice',
          urgency: 'urgent',
          actor: world.officer,
        })));
        expect(solo.stats()).toEqual({ commits: 5, units: 5, failed: 0, retried: 0, sideBySide: 0 });
      } finally {
        await solo.close();
      }
    });

    it('many concurrent callers share commits and keep one unbroken chain', async () => {
      const opened = await Promise.all(Array.from({ length: 40 }, () => openReferral()));
      await Promise.all(opened.map(({ row }) => engine.apply({ stream: 'referral', id: row.id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker })));
      const stats = engine.stats();
      expect(stats.units).toBe(80);
      if (dialect === 'sqlite') expect(stats.commits).toBeLessThanOrEqual(4);
      expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 80 });
    });
  });
});

// SQLite has one writer; PostgreSQL's writers side by side are what this is about.
describe('engine on postgres with two writers', () => {
  let store: TestStore;
  let world: EngineWorld;
  const clock = NOW;

  beforeEach(async () => {
    store = await createTestStore('postgres');
    world = await createEngineWorld(store.db);
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('with two writers, a second batch starts beside a running one only for a backlog of 4 or more', async () => {
    const two = createEngine(store, { now: () => clock, pgConcurrency: 2 });
    let started!: () => void;
    let open!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const gate = new Promise<void>((r) => (open = r));
    try {
      const referrals: Array<{ id: string }> = [];
      for (let i = 0; i < 5; i += 1) referrals.push((await openReferralOn(two, world)).row);
      const receive = (id: string) => ({ stream: 'referral' as const, id, event: { type: 'REFERRAL_RECEIVED' }, expectedVersion: 1, actor: world.keyworker });
      // The first batch holds its writer until the gate opens.
      const held = two.transaction(async (tx) => {
        await tx.apply(receive(referrals[0]!.id));
        started();
        await gate;
      });
      await running;
      const before = two.stats().commits;
      // Two units wait for the running batch (the writers are pumped on the next turns of the loop)…
      const waiting = [1, 2].map((i) => two.apply(receive(referrals[i]!.id)));
      for (let turn = 0; turn < 3; turn += 1) await new Promise((r) => setImmediate(r));
      // …and with two more, four are waiting: they go in one batch on the second writer while the first is still held.
      const more = [3, 4].map((i) => two.apply(receive(referrals[i]!.id)));
      await Promise.all([...waiting, ...more]);
      expect(two.stats().commits - before).toBe(1);
      open();
      await held;
      const stored = await store.db.selectFrom('referrals').select(['id', 'version']).execute();
      expect(stored.every((r) => r.version === 2)).toBe(true);
    } finally {
      open();
      await two.close();
    }
  });
});
