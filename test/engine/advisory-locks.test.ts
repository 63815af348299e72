/**
 * PostgreSQL advisory locks are per schema: a writer holding the event log exclusively in
 * one schema (a measures rebuild, the cohort seeder) holds back the engine units of its own
 * schema and of no other, and every purpose has a key of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ADVISORY_LOCKS } from '../../src/db/advisory-locks.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { lockEventLog } from '../../src/engine/event-log.ts';
import { addAgency, addPerson, openJourney, testClock } from '../metrics/cohort-builder.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

/** Resolves with 'done' when `work` ends, or 'waiting' if it is still running after `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<'done' | 'waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), ms)));
  try {
    return await Promise.race([work.then(() => 'done' as const), waiting]);
  } finally {
    clearTimeout(timer);
  }
}

describe('advisory locks (postgres)', () => {
  const stores: TestStore[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const s of stores.splice(0)) await s.dispose();
  });

  it('gives every purpose its own key', () => {
    const keys = Object.values(ADVISORY_LOCKS);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('an exclusive event-log lock in one schema holds back units in that schema only', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    const [held, other] = [await createTestStore('postgres'), await createTestStore('postgres')];
    stores.push(held, other);
    const worlds = await Promise.all(
      [held, other].map(async (store) => {
        const engine = createEngine(store, { now: clock.now });
        engines.push(engine);
        const agency = await addAgency(store.db, 'treatment_provider', 'North');
        const person = await addPerson(store.db, agency);
        return { engine, agency, person };
      }),
    );
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = held.db.transaction().execute(async (trx) => {
      await lockEventLog(trx, 'postgres');
      locked();
      await released;
    });
    await lockTaken;
    try {
      const elsewhere = openJourney(worlds[1]!.engine, clock, { personId: worlds[1]!.person, agencyId: worlds[1]!.agency, referredOn: '2026-02-02' });
      expect(await within(elsewhere, 10_000)).toBe('done');
      const here = openJourney(worlds[0]!.engine, clock, { personId: worlds[0]!.person, agencyId: worlds[0]!.agency, referredOn: '2026-02-02' });
      expect(await within(here, 1_000)).toBe('waiting');
      release();
      await holder;
      expect(await within(here, 10_000)).toBe('done');
    } finally {
      release();
      await holder;
    }
  });
});
