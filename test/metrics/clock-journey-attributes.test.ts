/**
 * Today's caseloads and stage breaches read the clock rows alone, each carrying its
 * journey's stage and keyworker (migration 116). Along a seeded walk of journeys through the
 * engine — keyworkers assigned and reassigned, journeys without one, every stage move the
 * statechart allows, timers, relapses and re-entries, custody and release, closures,
 * transfers to another team — every clock row carries its journey's stage and keyworker
 * now, both answers equal the straightforward queries over the journeys' rows, and add up to
 * the dashboard's figures; at the end, a rebuild writes the same clock rows.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDayOf } from '../../machines/calendar-days.ts';
import type { JourneyListFigure } from '../../machines/figure-lists.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { STANDARD_DAYS } from '../../src/metrics/case-facts.ts';
import { caseloads } from '../../src/metrics/caseloads.ts';
import { breachesByStage, journeysBehind } from '../../src/metrics/drill-down.ts';
import { REVIEW_INTERVAL_DAYS } from '../../src/metrics/measures/deadlines.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createRandom } from '../../seeds/prng.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, addUser, openJourney, testClock, top, walkPayload, type StreamDriver, type TestClock } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

const DEADLINES: Array<{ figure: JourneyListFigure; metric: string; overDays: number }> = [
  { figure: 'waitingOver21Days', metric: 'waiting', overDays: STANDARD_DAYS },
  { figure: 'reviewsOverdue', metric: 'review_basis', overDays: REVIEW_INTERVAL_DAYS },
  { figure: 'continuityOver21Days', metric: 'continuity_open', overDays: STANDARD_DAYS },
];

type Load = { agency: string; keyworker: string | null; open: number; overdue: number; waiting: number; late: number };
type Breach = { stage: string; figure: string; count: number };
const byLoad = (a: Load, b: Load) => `${a.agency}/${a.keyworker ?? ''}`.localeCompare(`${b.agency}/${b.keyworker ?? ''}`);

describe.each(DIALECTS)('caseloads and stage breaches today from the clock rows alone (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let clock: TestClock;
  let area: string[];
  const keyworkers = new Map<string, string[]>();

  beforeAll(async () => {
    store = await createTestStore(dialect);
    clock = testClock('2026-01-01T12:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    area = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'North')];
    const elsewhere = await addAgency(store.db, 'treatment_provider', 'South');
    for (const agency of [...area, elsewhere]) keyworkers.set(agency, [await addUser(store.db, agency, 'keyworker'), await addUser(store.db, agency, 'keyworker'), await addUser(store.db, agency, 'keyworker')]);
  });
  afterAll(async () => {
    await engine.close();
    await store.dispose();
  });

  /** Today's caseloads as the journeys' rows have them: every open journey, with its waiting clock. */
  async function caseloadsPlain(day: number): Promise<Load[]> {
    const r = await sql<{ agency: string; keyworker: string | null; open: number | string; overdue: number | string; waiting: number | string; late: number | string }>`
      select c.lead_agency_id as agency, c.keyworker_id as keyworker, count(*) as open, sum(c.overdue) as overdue,
        count(w.case_id) as waiting, sum(case when w.day <= ${day - STANDARD_DAYS - 1} then 1 else 0 end) as late
      from cases c left join metric_case_clocks w on w.case_id = c.id and w.metric = 'waiting'
      where c.lead_agency_id in (${sql.join(area)}) and c.closed_at is null
      group by c.lead_agency_id, c.keyworker_id`.execute(store.db);
    return r.rows
      .map((row) => ({ agency: row.agency, keyworker: row.keyworker, open: Number(row.open), overdue: Number(row.overdue ?? 0), waiting: Number(row.waiting), late: Number(row.late ?? 0) }))
      .sort(byLoad);
  }

  async function caseloadsFast(asOf: string, day: number): Promise<Load[]> {
    const loads = await caseloads(store.db, dialect, area, asOf, { asOfDay: day });
    return loads.keyworkers.map((k) => ({ agency: k.agency.id, keyworker: k.keyworker?.id ?? null, open: k.open, overdue: k.overdue, waiting: k.waiting, late: k.waitingOver21Days })).sort(byLoad);
  }

  /** Journeys past each deadline by the stage their row is in now. */
  async function breachesPlain(day: number): Promise<Breach[]> {
    const out: Breach[] = [];
    for (const d of DEADLINES) {
      const r = await sql<{ stage: string; n: number | string }>`
        select c.stage, count(*) as n from metric_case_clocks w join cases c on c.id = w.case_id
        where w.metric = ${d.metric} and w.agency_id in (${sql.join(area)}) and w.day <= ${day - d.overDays - 1}
        group by c.stage`.execute(store.db);
      out.push(...r.rows.map((row) => ({ stage: row.stage, figure: d.figure, count: Number(row.n) })));
    }
    return out.sort((a, b) => a.stage.localeCompare(b.stage) || a.figure.localeCompare(b.figure));
  }

  /** Checks every answer at the clock's time; returns how much there was to check. */
  async function check(label: string): Promise<{ waiting: number; breaches: number; unassigned: number; stages: string[] }> {
    const asOf = clock.now().toISOString();
    const day = localDayOf(asOf);
    // Each clock row carries its journey's stage and keyworker as its row has them, on an open journey.
    const off = await sql<{ case_id: string; metric: string }>`
      select w.case_id, w.metric from metric_case_clocks w join cases c on c.id = w.case_id
      where w.stage <> c.stage or coalesce(w.keyworker_id, '') <> coalesce(c.keyworker_id, '') or c.closed_at is not null`.execute(store.db);
    expect(off.rows, label).toEqual([]);
    const loads = await caseloadsFast(asOf, day);
    expect(loads, label).toEqual(await caseloadsPlain(day));
    const breaches = await breachesByStage(store.db, area, asOf, { asOfDay: day });
    expect(breaches, label).toEqual(await breachesPlain(day));
    // Both add up to the dashboard's figures (the counters).
    const figure = async (f: JourneyListFigure) => (await journeysBehind(store.db, dialect, { agencyIds: area, figure: f, asOf, asOfDay: day, limit: 0 })).total;
    expect(loads.reduce((n, l) => n + l.open, 0), label).toBe(await figure('workInProgress'));
    expect(loads.reduce((n, l) => n + l.late, 0), label).toBe(await figure('waitingOver21Days'));
    for (const d of DEADLINES) expect(breaches.filter((b) => b.figure === d.figure).reduce((n, b) => n + b.count, 0), `${label} ${d.figure}`).toBe(await figure(d.figure));
    return {
      waiting: loads.reduce((n, l) => n + l.waiting, 0),
      breaches: breaches.reduce((n, b) => n + b.count, 0),
      unassigned: loads.filter((l) => l.keyworker === null).reduce((n, l) => n + l.open, 0),
      stages: breaches.map((b) => b.stage),
    };
  }

  it('answer as the journeys\' rows do along a walk of assignments, stage moves, relapses, closures and transfers', async () => {
    const random = createRandom(119);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
    const agencies = [...keyworkers.keys()];
    const journeys: Array<{ driver: StreamDriver; agency: string; person: string }> = [];
    let day = Date.parse('2026-01-01T12:00:00.000Z');
    const today = () => new Date(day).toISOString().slice(0, 10);
    const seen = { waiting: 0, breaches: 0, unassigned: 0, reassigned: 0, transfers: 0 };
    const breachStages = new Set<string>();
    const open = async (agency: string, person: string, withKeyworker: boolean) => {
      const driver = await openJourney(engine, clock, { personId: person, agencyId: agency, referredOn: today(), ...(withKeyworker ? { keyworkerId: pick(keyworkers.get(agency)!) } : {}) });
      journeys.push({ driver, agency, person });
    };

    for (let step = 0; step < 700; step += 1) {
      day += Math.floor(random.next() * 4) * 86_400_000;
      clock.set(new Date(day).toISOString());
      const live = journeys.filter((j) => j.driver.allowed.length > 0);
      const roll = random.next();
      if (live.length < 8 || roll < 0.03) {
        const agency = pick(agencies);
        await open(agency, await addPerson(store.db, agency), random.next() < 0.6);
      } else if (roll < 0.1) {
        await engine.sweepDueTimers({ now: new Date(day) });
      } else {
        const j = pick(live);
        j.driver.version = (await store.db.selectFrom('cases').select('version').where('id', '=', j.driver.id).executeTakeFirstOrThrow()).version;
        const move = random.next();
        if (move < 0.2) {
          // Assigned, or reassigned to another keyworker of the team.
          const held = (await store.db.selectFrom('cases').select('keyworker_id').where('id', '=', j.driver.id).executeTakeFirstOrThrow()).keyworker_id;
          await j.driver.on(today(), { type: 'KEYWORKER_ASSIGNED', keyworkerId: pick(keyworkers.get(j.agency)!) });
          if (held !== null) seen.reassigned += 1;
        } else if (move < 0.25 && j.driver.allowed.includes('DISCHARGED')) {
          // A transfer: discharged here, a journey opened with another team for the same person.
          await j.driver.on(today(), { type: 'DISCHARGED', reason: 'transferred_not_in_custody', dischargedOn: today(), exitTop: top('exit', today()) });
          await open(pick(agencies.filter((a) => a !== j.agency)), j.person, random.next() < 0.5);
          seen.transfers += 1;
        } else {
          const choices = j.driver.allowed.filter((t) => walkPayload(t, today(), pick) !== null);
          if (choices.length === 0) continue;
          let type = pick(choices);
          if (type === 'DISCHARGED' && random.next() < 0.7) type = pick(choices);
          // Back from recovery now and then: a relapse, and re-entry.
          if (choices.includes('RELAPSE_REPORTED') && random.next() < 0.3) type = 'RELAPSE_REPORTED';
          try {
            await j.driver.on(today(), { type, ...(walkPayload(type, today(), pick) ?? {}) });
          } catch (err) {
            const allowed = (err as { details?: { allowedEvents?: string[] } }).details?.allowedEvents;
            if (allowed) j.driver.allowed = allowed;
          }
        }
      }
      if (step % 10 === 9) {
        const c = await check(`step ${step} (${today()})`);
        seen.waiting += c.waiting;
        seen.breaches += c.breaches;
        seen.unassigned += c.unassigned;
        for (const stage of c.stages) breachStages.add(stage);
      }
    }
    // A year on, with every timer fired: reviews and continuity of care overdue.
    day += 200 * 86_400_000;
    clock.set(new Date(day).toISOString());
    await engine.sweepDueTimers({ now: new Date(day) });
    const last = await check('a year on');
    expect(last.breaches).toBeGreaterThan(0);

    // The walk went where it had to.
    expect(seen.waiting).toBeGreaterThan(100);
    expect(seen.breaches).toBeGreaterThan(50);
    expect(seen.unassigned).toBeGreaterThan(20);
    expect(seen.reassigned).toBeGreaterThan(5);
    expect(seen.transfers).toBeGreaterThan(2);
    const types = new Set((await store.db.selectFrom('events').select('type').distinct().execute()).map((r) => r.type));
    for (const t of ['RELAPSE_REPORTED', 'RELEASED_FROM_CUSTODY', 'REVIEW_COMPLETED', 'DISCHARGED', 'WAITING_TIME_BREACHED', 'KEYWORKER_ASSIGNED']) expect(types, `the walk reached ${t}`).toContain(t);
    // Breaches were counted in several stages (a deadline clock runs on through stage moves).
    expect(breachStages.size, [...breachStages].join(' ')).toBeGreaterThan(3);

    // A rebuild from the event log writes the same clock rows, stage and keyworker included.
    const incremental = await metricSnapshot(store.db);
    await rebuildMetrics(store);
    expect((await metricSnapshot(store.db)).clocks).toEqual(incremental.clocks);
  }, 300_000);
});
