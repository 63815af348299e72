/**
 * The incremental path against a rebuild: a seeded random walk of journeys and referrals
 * (every event the statecharts allow, refused ones included, timers swept as the clock
 * moves on, some facts recorded late with an earlier effective time) must leave exactly the
 * counters, clock rows and history a rebuild from the event log computes.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricDayTotalsMigration } from '../../src/db/migrations/011-metric-day-totals.ts';
import { metricCaseHistoryMigration } from '../../src/db/migrations/070-metric-case-history.ts';
import { dropMetricCountsMigration } from '../../src/db/migrations/060-drop-metric-counts.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { DAY_COLUMNS } from '../../src/metrics/day-blocks.ts';
import { localDateOf, localDayOf, startOfLocalDay } from '../../machines/calendar-days.ts';
import { deadlines } from '../../src/metrics/measures/deadlines.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { recountPeople } from '../../src/metrics/person-facts.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createRandom } from '../../seeds/prng.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, openJourney, sendReferral, testClock, walkPayload, type StreamDriver, type TestClock } from './cohort-builder.ts';
import { createLegacyMetricCounts } from './legacy-metric-counts.ts';
import { metricSnapshot, unsoundBlocks } from './metric-snapshot.ts';

describe.each(DIALECTS)('incremental measures equal a rebuild (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let clock: TestClock;
  let agencies: string[] = [];

  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await engine.close();
    await store.dispose();
  });

  it('after a random sequence of events and timers', async () => {
    const random = createRandom(20261206);
    const lateness = createRandom(70);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
    // A second stream of draws for what this walk added later (people coming back, substance
    // groups), so the first walks the same events as before.
    const random2 = createRandom(65);
    const pick2 = <T>(xs: readonly T[]): T => xs[Math.floor(random2.next() * xs.length)] as T;
    clock = testClock('2026-01-01T12:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'probation', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    let day = Date.parse('2026-01-01T12:00:00.000Z');
    const today = () => new Date(day).toISOString().slice(0, 10);
    const streams: StreamDriver[] = [];
    const people: string[] = [];
    let applied = 0;
    let refused = 0;

    for (let step = 0; step < 800; step += 1) {
      day += Math.floor(random.next() * 3) * 86_400_000;
      clock.set(new Date(day).toISOString());
      const roll = random.next();
      const open = streams.filter((x) => x.allowed.length > 0);
      if (open.length < 8 || (roll < 0.04 && streams.length < 60)) {
        const agencyId = pick(agencies);
        // Now and then the same person again (a second journey, here or elsewhere): the
        // person-level measures draw on all of a person's journeys.
        const again = people.length > 0 && random2.next() < 0.3;
        const fields = { sex: pick(['female', 'male']), dateOfBirth: pick(['1960-02-01', '1990-07-07', '2007-01-01']), postcodeDistrict: pick(['NB1', 'NB2', null]) };
        const personId = again ? pick2(people) : await addPerson(store.db, agencyId, { ...fields, substanceGroup: pick2(['opiate', 'alcohol_only', '']) });
        if (!again) people.push(personId);
        if (random.next() < 0.75) {
          streams.push(await openJourney(engine, clock, { personId, agencyId, referredOn: today(), referralSource: pick(['self', 'gp', 'probation']) }));
        } else {
          const toAgencyId = pick(agencies.filter((a) => a !== agencyId));
          streams.push(
            await sendReferral(engine, clock, { personId, fromAgencyId: agencyId, toAgencyId, kind: pick(['treatment', 'housing']), at: new Date(day).toISOString(), urgency: pick(['routine', 'urgent']) }),
          );
        }
        continue;
      }
      if (roll < 0.1) {
        await engine.sweepDueTimers({ now: new Date(day) });
        continue;
      }
      const s = pick(open);
      const choices = s.allowed.filter((t) => walkPayload(t, today(), pick, pick2) !== null);
      if (choices.length === 0) continue;
      let type = pick(choices);
      // Closing is one of many choices in most states; make it rarer so journeys go the distance.
      if (type === 'DISCHARGED' && random.next() < 0.7) type = pick(choices);
      const payload = walkPayload(type, today(), pick, pick2) ?? {};
      try {
        // A timer may have moved the stream on since we last looked.
        const table = s.stream === 'case' ? 'cases' : 'referrals';
        s.version = (await store.db.selectFrom(table).select('version').where('id', '=', s.id).executeTakeFirstOrThrow()).version;
        // Some facts are recorded late, dated up to ten days back (before earlier-recorded ones, at times).
        const late = lateness.next() < 0.2 ? new Date(day - Math.floor(lateness.next() * 10) * 86_400_000 - 3_600_000).toISOString() : undefined;
        await s.on(new Date(day).toISOString(), { type, ...payload }, late);
        applied += 1;
      } catch (err) {
        refused += 1;
        const allowed = (err as { details?: { allowedEvents?: string[] } }).details?.allowedEvents;
        if (allowed) s.allowed = allowed;
      }
    }
    await engine.sweepDueTimers({ now: new Date(day + 400 * 86_400_000) });

    expect(applied).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(0);
    const types = new Set((await store.db.selectFrom('events').select('type').distinct().execute()).map((r) => r.type));
    for (const t of ['INTERVENTION_STARTED', 'DISCHARGED', 'RELAPSE_REPORTED', 'RELEASED_FROM_CUSTODY', 'REVIEW_COMPLETED', 'FIRST_CONTACT_MADE', 'ACKNOWLEDGE_DEADLINE_PASSED', 'WAITING_TIME_BREACHED']) {
      expect(types, `the walk reached ${t}`).toContain(t);
    }
    const incremental = await metricSnapshot(store.db);
    expect(incremental.blocks.filter((b) => b.includes(`"flow_weeks"`)).length).toBeGreaterThan(100);
    // The 32-day blocks kept with each change: every total is the sum of its days, none below zero.
    expect(incremental.blocks.length).toBeGreaterThan(100);
    expect(await unsoundBlocks(store.db)).toEqual([]);
    // Some people came back: the person-level rows hold returns within 6 months.
    expect(incremental.personEpisodes.some((r) => /"returned_day",\d/.test(r))).toBe(true);
    // Pages of 3 events: most streams span several pages.
    await rebuildMetrics(store, { pageSize: 3 });
    expect(await metricSnapshot(store.db)).toEqual(incremental);

    // Late facts reached the history: some journey has an event dated before one recorded earlier.
    const events = await store.db.selectFrom('events').select(['stream_id', 'stream_version', 'effective_at']).where('stream_type', '=', 'case').orderBy('stream_id').orderBy('stream_version').execute();
    expect(events.some((e, i) => i > 0 && events[i - 1]!.stream_id === e.stream_id && localDayOf(e.effective_at) < localDayOf(events[i - 1]!.effective_at))).toBe(true);
    expect(incremental.history.length).toBeGreaterThan(100);
    // Migration 070 on a store built before it: its backfill replays the log to the same history.
    await sql`drop table metric_case_history`.execute(store.db);
    await metricCaseHistoryMigration.up(store.db as unknown as Kysely<unknown>, dialect);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
    // Two records of one person linked (as the people service does, in its unit): recounting
    // both keys leaves what a rebuild computes, and the linked person counts once.
    const [a, b] = people;
    if (!a || !b) throw new Error('the walk registered people');
    await store.db.transaction().execute(async (trx) => {
      await trx.updateTable('people').set({ linked_to: a }).where('id', '=', b).execute();
      await recountPeople(trx, [a, b]);
    });
    const linked = await metricSnapshot(store.db);
    expect(linked.personEpisodes.some((r) => r.includes(`"person_key","${b}"`))).toBe(false);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(linked);
  }, 300_000);

  it('migration 011 carries the undivided rows into day totals and counts the running referral deadlines as a rebuild does', async () => {
    // Referrals sent hours apart over a few days, some acknowledged or contacted since, and
    // no timer swept: deadlines still running, some past.
    const random = createRandom(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
    let at = Date.parse('2027-06-01T08:00:00.000Z');
    for (let i = 0; i < 40; i += 1) {
      at += Math.floor(random.next() * 20) * 3_600_000;
      const fromAgencyId = pick(agencies);
      const personId = await addPerson(store.db, fromAgencyId, { sex: pick(['female', 'male']) });
      const toAgencyId = pick(agencies.filter((a) => a !== fromAgencyId));
      const r = await sendReferral(engine, clock, { personId, fromAgencyId, toAgencyId, kind: pick(['treatment', 'housing']), at: new Date(at).toISOString(), urgency: pick(['routine', 'urgent']) });
      const roll = random.next();
      if (roll < 0.3) await r.on(new Date(at + 3_600_000).toISOString(), { type: 'REFERRAL_RECEIVED' });
      else if (roll < 0.4) {
        await r.on(new Date(at + 3_600_000).toISOString(), { type: 'REFERRAL_RECEIVED' });
        await r.on(new Date(at + 7_200_000).toISOString(), { type: 'REFERRAL_ACCEPTED' });
        await r.on(new Date(at + 7_200_000).toISOString(), { type: 'FIRST_CONTACT_MADE', contactOn: new Date(at).toISOString().slice(0, 10) });
      }
    }
    const incremental = await metricSnapshot(store.db);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
    // Migration 011 ran on stores of a release that counted UTC days: rebuild as that release did.
    await rebuildMetrics(store, { timeZone: 'UTC' });
    const kept = await metricSnapshot(store.db);

    const m = metricsDb(store.db);
    expect((await m.selectFrom('metric_day_totals').select('k').where('metric', '=', 'ref_due').distinct().execute()).map((r) => r.k).sort()).toEqual(['acknowledge', 'first_contact']);
    // Back to the store as migration 010 left it: undivided rows among the breakdowns, flows
    // in metric_counts, no running-deadline counters, no table of totals.
    const days = sql.join(DAY_COLUMNS.map((c) => sql.ref(c)));
    const old = await createLegacyMetricCounts(store.db, dialect);
    // Flows a row per day (undivided) or per ISO week (broken down) of metric_counts.
    for (const [i, c] of DAY_COLUMNS.entries()) {
      await sql`insert into metric_counts (metric, agency_id, dim, day, k, value, n)
        select 'flow', agency_id, 'all', block + ${i}, k, 'all', ${sql.ref(c)} from metric_day_totals where metric = 'flow' and ${sql.ref(c)} <> 0`.execute(store.db);
      await sql`insert into metric_counts (metric, agency_id, dim, day, k, value, n)
        select 'flow', agency_id, dim, block + ${7 * i}, k, value, ${sql.ref(c)} from metric_day_blocks where metric = 'flow_weeks' and ${sql.ref(c)} <> 0`.execute(store.db);
    }
    await sql`delete from metric_day_blocks where metric = 'flow_weeks'`.execute(store.db);
    await sql`insert into metric_day_blocks (metric, agency_id, k, block, dim, value, n, ${days})
      select metric, agency_id, k, block, 'all', 'all', n, ${days} from metric_day_totals where metric not in ('ref_due', 'flow')`.execute(store.db);
    await sql`drop table metric_day_totals`.execute(store.db);
    await sql`drop index metric_deadlines_since`.execute(store.db);

    await metricDayTotalsMigration.up(store.db as never, dialect);
    expect(await metricSnapshot(store.db)).toEqual(kept);
    expect(await m.selectFrom('metric_day_blocks').select('dim').where('dim', '=', 'all').execute()).toEqual([]);
    expect(await old.selectFrom('metric_counts').select('metric').execute()).toEqual([]);
    await dropMetricCountsMigration.up(store.db as never, dialect);
    // Back to the service's calendar days for what follows.
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
  }, 120_000);

  it('overdue referrals, from the running-deadline day blocks, equal a count of the running deadlines at any as-of time', async () => {
    const m = metricsDb(store.db);
    const running = await m.selectFrom('metric_deadlines').selectAll().execute();
    const agencyIds = agencies;
    expect(running.length).toBeGreaterThan(5);
    // Every due time itself (overdue from then), a moment after it, and its day's midnight.
    const moments = new Set<string>();
    for (const r of running.slice(0, 40)) {
      moments.add(r.due_at);
      moments.add(new Date(Date.parse(r.due_at) + 1).toISOString());
      moments.add(`${r.due_at.slice(0, 10)}T00:00:00.000Z`);
      // Local midnight (Europe/London) of its day, and the moment before it.
      const midnight = startOfLocalDay(localDateOf(r.due_at));
      moments.add(new Date(midnight).toISOString());
      moments.add(new Date(midnight - 1).toISOString());
    }
    let overdueSeen = 0;
    for (const asOf of moments) {
      const day = localDayOf(asOf);
      const got = await deadlines(m, { agencyIds, dim: 'all', asOf, fromDay: day - 364, toDay: day });
      for (const [deadline, figure] of [
        ['acknowledge', got.referralsNotAcknowledged],
        ['first_contact', got.referralsNotContacted],
      ] as const) {
        const want = new Map<string, { count: number; oldest: string }>();
        for (const r of running) {
          // Overdue from the due instant itself, as the sweeper delivers the timer due then.
          if (r.deadline !== deadline || !(r.due_at <= asOf)) continue;
          const w = want.get(r.agency_id) ?? { count: 0, oldest: r.since_at };
          w.count += 1;
          if (r.since_at < w.oldest) w.oldest = r.since_at;
          want.set(r.agency_id, w);
        }
        const expected = [...want.entries()]
          .map(([agencyId, w]) => ({ agencyId, count: w.count, oldestAgeDays: day - localDayOf(w.oldest) }))
          .sort((a, b) => a.agencyId.localeCompare(b.agencyId));
        expect(figure.byAgency, `${deadline} as of ${asOf}`).toEqual(expected);
        expect(figure.total).toBe(expected.reduce((s, r) => s + r.count, 0));
        overdueSeen += figure.total;
      }
    }
    expect(overdueSeen).toBeGreaterThan(0);
  });
});
