/**
 * The day blocks (src/metrics/day-blocks.ts) and the readers built on them: on counters
 * spread over years and breakdowns, with journeys that moved on (rows back to zero), moves
 * within one block and days after the as-of day, every histogram summary, range sum and
 * total read from the blocks equals the one worked out here from the counted facts
 * themselves, on both stores; and the migration that introduces the blocks carries the
 * day counters a store already kept into them.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricDayBlocksMigration } from '../../src/db/migrations/007-metric-day-blocks.ts';
import { metricDayTotalsMigration } from '../../src/db/migrations/011-metric-day-totals.ts';
import { dropMetricCountsMigration } from '../../src/db/migrations/060-drop-metric-counts.ts';
import { readBlockTotals, readSums } from '../../src/metrics/count-reader.ts';
import { DeltaSet } from '../../src/metrics/counter-deltas.ts';
import { applyCounterDeltas } from '../../src/metrics/counter-store.ts';
import { BLOCK_DAYS, blockOf, weekBlockOf } from '../../src/metrics/day-blocks.ts';
import { dateOfDay, dayOf, weekStartOf } from '../../src/metrics/days.ts';
import { readDaySummaries } from '../../src/metrics/day-histograms.ts';
import { DIMENSIONS, dimensionPairs, type Dimension, type DimensionValues } from '../../machines/measure-dimensions.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { summariseDays } from '../../src/metrics/percentiles.ts';
import { createRandom } from '../../seeds/prng.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { createLegacyMetricCounts, hasMetricCounts } from './legacy-metric-counts.ts';
import { metricSnapshot, unsoundBlocks } from './metric-snapshot.ts';

describe('day blocks', () => {
  it('start on multiples of 32 days, before 1970 too', () => {
    expect(BLOCK_DAYS).toBe(32);
    expect([0, 31, 32, 63, 64].map(blockOf)).toEqual([0, 0, 32, 32, 64]);
    expect([-1, -32, -33].map(blockOf)).toEqual([-32, -32, -64]);
  });

  it('of weeks start on Mondays every 32 weeks from 1970-01-05 (day 4), and place a day in its week', () => {
    expect(weekBlockOf(4)).toEqual({ block: 4, offset: 0 });
    expect(weekBlockOf(10)).toEqual({ block: 4, offset: 0 });
    expect(weekBlockOf(11)).toEqual({ block: 4, offset: 1 });
    expect(weekBlockOf(4 + 223)).toEqual({ block: 4, offset: 31 });
    expect(weekBlockOf(4 + 224)).toEqual({ block: 228, offset: 0 });
    expect(weekBlockOf(3)).toEqual({ block: 4 - 224, offset: 31 });
    // 2026-11-23 is a Monday.
    const monday = dayOf('2026-11-23');
    const { block, offset } = weekBlockOf(monday + 6);
    expect(block + 7 * offset).toBe(monday);
    expect(dateOfDay(block)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Date(`${dateOfDay(block)}T00:00:00Z`).getUTCDay()).toBe(1);
  });
});

const AS_OF_DAY = 20_600; // 2026-05-28, the middle of a block

/** One counted fact: a journey's counter on a day, +1 while it holds, −1 when it moved on. */
interface Fact {
  agency: string;
  dims: DimensionValues;
  metric: string;
  k: string;
  day: number;
  n: number;
}

const valueIn = (f: Fact, dim: Dimension): string => (dimensionPairs(f.dims).find(([d]) => d === dim) as [Dimension, string])[1];

describe.each(DIALECTS)('readers of the day blocks against the counted facts (%s)', (dialect) => {
  let store: TestStore;
  const agencies = ['agency-a', 'agency-b', 'agency-c'];
  const facts: Fact[] = [];

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const random = createRandom(32);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
    const first = new DeltaSet();
    const later = new DeltaSet();
    const count = (set: DeltaSet, f: Fact): void => {
      facts.push(f);
      set.add(f.agency, f.dims, [{ metric: f.metric, k: f.k, day: f.day }], f.n);
    };
    for (let i = 0; i < 700; i += 1) {
      const dims: DimensionValues = {
        sex: pick(['female', 'male']),
        age_band: pick(['18-24', '35-44']),
        ethnicity: pick(['white_british', 'asian_indian', 'not_stated']),
        postcode_district: pick(['NB1', 'NB2', 'NB3', 'not_recorded']),
        referral_source: pick(['self', 'gp']),
        substance: pick(['opiate', 'alcohol_only']),
      };
      const agency = pick(agencies);
      // Days over about three years, a few after the as-of day; heavier near it.
      const day = AS_OF_DAY + 40 - Math.floor(random.next() ** 2 * 1100);
      const stage = pick(['assessment', 'inTreatment', 'referred']);
      count(first, { agency, dims, metric: 'stage_age', k: stage, day, n: 1 });
      count(first, { agency, dims, metric: 'started', k: pick(['within', 'beyond']), day, n: 1 });
      count(first, { agency, dims, metric: 'flow', k: `x>${stage}`, day, n: 1 });
      const roll = random.next();
      // Moved on since (its row goes back down, maybe to zero), or its day moved within the block.
      if (roll < 0.2) count(later, { agency, dims, metric: 'stage_age', k: stage, day, n: -1 });
      else if (roll < 0.3 && blockOf(day + 1) === blockOf(day)) {
        count(later, { agency, dims, metric: 'stage_age', k: stage, day, n: -1 });
        count(later, { agency, dims, metric: 'stage_age', k: stage, day: day + 1, n: 1 });
      }
    }
    // The first counts in two statements of each table, then the moves as a change would write them.
    const blocks = first.nonZeroBlocks();
    await applyCounterDeltas(store.db, blocks.slice(0, 1500));
    await applyCounterDeltas(store.db, blocks.slice(1500));
    await applyCounterDeltas(store.db, later.nonZeroBlocks());
    expect(await unsoundBlocks(store.db)).toEqual([]);
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('histogram summaries (count, median, 90th percentile, maximum) for every breakdown, scope, as-of day and cut-off', async () => {
    const asOfDays = [AS_OF_DAY, blockOf(AS_OF_DAY), blockOf(AS_OF_DAY) - 1, blockOf(AS_OF_DAY) + BLOCK_DAYS - 1, AS_OF_DAY - 400, AS_OF_DAY + 100];
    let compared = 0;
    for (const dim of DIMENSIONS) {
      for (const scope of [agencies, agencies.slice(1, 2)]) {
        for (const asOfDay of asOfDays) {
          for (const dayTo of [undefined, asOfDay - 22, blockOf(asOfDay - 200) - 1, blockOf(asOfDay - 200)]) {
            for (const byAgency of [false, true]) {
              const expected = new Map<string, Map<number, number>>();
              for (const f of facts) {
                if (f.metric !== 'stage_age' || !scope.includes(f.agency) || (dayTo !== undefined && f.day > dayTo)) continue;
                const key = `${byAgency ? f.agency : ''}|${f.k}|${valueIn(f, dim)}`;
                const h = expected.get(key) ?? new Map<number, number>();
                const age = Math.max(0, asOfDay - f.day);
                h.set(age, (h.get(age) ?? 0) + f.n);
                expected.set(key, h);
              }
              const want = [...expected.entries()]
                .map(([key, h]) => [key, summariseDays(h)] as const)
                .filter(([, s]) => s.count > 0)
                .map(([key, s]) => `${key} ${JSON.stringify(s)}`)
                .sort();
              const got = (await readDaySummaries(metricsDb(store.db), { metric: 'stage_age', agencyIds: scope, dim, asOfDay, dayTo, byAgency }))
                .map((r) => `${byAgency ? r.agencyId : ''}|${r.k}|${r.value} ${JSON.stringify({ count: r.count, medianDays: r.medianDays, p90Days: r.p90Days, maxDays: r.maxDays })}`)
                .sort();
              expect(got, `${dim} as of ${asOfDay} to ${dayTo} byAgency ${byAgency}`).toEqual(want);
              compared += want.length;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it('range sums for every breakdown, over ranges inside one block, across blocks and open at either end', async () => {
    const b = blockOf(AS_OF_DAY);
    const ranges: Array<[number | undefined, number | undefined]> = [
      [undefined, undefined],
      [undefined, AS_OF_DAY],
      [AS_OF_DAY - 364, AS_OF_DAY],
      [AS_OF_DAY - 27, AS_OF_DAY],
      [b, b + BLOCK_DAYS - 1],
      [b - BLOCK_DAYS, b + BLOCK_DAYS],
      [b + 1, b + 2],
      [b + 3, b + 3],
      [AS_OF_DAY - 600, undefined],
      [b - 5 * BLOCK_DAYS - 1, b - 1],
      [b - 1, b],
      // Ends before it starts (outcomes ask so for a period that closed long before the
      // as-of day): within one block and across blocks, nothing.
      [b + 5, b + 2],
      [b + BLOCK_DAYS + 3, b - 3],
    ];
    for (const dim of DIMENSIONS) {
      for (const [dayFrom, dayTo] of ranges) {
        const want = new Map<string, number>();
        for (const f of facts) {
          if (f.metric === 'flow' && dim !== 'all') continue; // kept per week when broken down
          if ((dayFrom !== undefined && f.day < dayFrom) || (dayTo !== undefined && f.day > dayTo)) continue;
          const key = `${f.metric}|${valueIn(f, dim)}|${f.k}`;
          want.set(key, (want.get(key) ?? 0) + f.n);
        }
        const metrics = dim === 'all' ? ['started', 'stage_age', 'flow'] : ['started', 'stage_age'];
        const got = await readSums(metricsDb(store.db), { metrics, agencyIds: agencies, dim, dayFrom, dayTo });
        expect(got.map((r) => `${r.metric}|${r.value}|${r.k} ${r.n}`).sort(), `${dim} ${dayFrom}–${dayTo}`).toEqual(
          [...want.entries()].filter(([, n]) => n !== 0).map(([key, n]) => `${key} ${n}`).sort(),
        );
      }
    }
  });

  it('refuses to sum a metric that has no day blocks, naming it', async () => {
    await expect(readSums(metricsDb(store.db), { metrics: ['started', 'caseload'], agencyIds: agencies, dim: 'all' })).rejects.toThrow(/no day blocks are kept for caseload/);
  });

  it('totals over every day, by agency or summed', async () => {
    for (const dim of DIMENSIONS) {
      for (const byAgency of [false, true]) {
        const want = new Map<string, number>();
        for (const f of facts) {
          if (f.metric !== 'stage_age') continue;
          const key = `${byAgency ? f.agency : ''}|${f.k}|${valueIn(f, dim)}`;
          want.set(key, (want.get(key) ?? 0) + f.n);
        }
        const got = await readBlockTotals(metricsDb(store.db), { metric: 'stage_age', agencyIds: agencies, dim, byAgency });
        expect(got.map((r) => `${r.agencyId ?? ''}|${r.k}|${r.value} ${r.n}`).sort()).toEqual(
          [...want.entries()].filter(([, n]) => n !== 0).map(([key, n]) => `${key} ${n}`).sort(),
        );
      }
    }
  });

  it('the migrations carry the day counters a store kept into day blocks (007), then the undivided ones into day totals and the flows into day and week blocks (011), leaving metric_counts empty to drop (060)', async () => {
    const kept = await metricSnapshot(store.db);
    expect(kept.blocks.length).toBeGreaterThan(500);
    expect(kept.blocks.filter((b) => b.includes('"flow_weeks"')).length).toBeGreaterThan(100);
    // The store as it was before: every counter a day row of metric_counts (flows broken
    // down a row per ISO week), with work in progress and referral states beside them.
    const legacy = new Map<string, { metric: string; agency_id: string; dim: string; day: number; k: string; value: string; n: number }>();
    const put = (metric: string, agency: string, dim: string, day: number, k: string, value: string, n: number): void => {
      const key = [metric, agency, dim, day, k, value].join('|');
      const row = legacy.get(key) ?? { metric, agency_id: agency, dim, day, k, value, n: 0 };
      row.n += n;
      legacy.set(key, row);
    };
    for (const f of facts) {
      if (f.metric === 'flow') {
        for (const [dim, value] of dimensionPairs(f.dims)) put('flow', f.agency, dim, dim === 'all' ? f.day : weekStartOf(f.day), f.k, value, f.n);
        continue;
      }
      for (const [dim, value] of dimensionPairs(f.dims)) {
        put(f.metric, f.agency, dim, f.day, f.k, value, f.n);
        if (f.metric === 'stage_age') put('wip', f.agency, dim, 0, f.k, value, f.n);
      }
    }
    put('ref_state', 'agency-a', 'all', 0, 'requested', 'all', 3);
    const m = metricsDb(store.db);
    const old = await createLegacyMetricCounts(store.db, dialect);
    const rows = [...legacy.values()];
    for (let i = 0; i < rows.length; i += 500) await old.insertInto('metric_counts').values(rows.slice(i, i + 500)).execute();
    await sql`drop table metric_day_blocks`.execute(store.db);

    // And as before 011: the undivided rows among the breakdowns, no table of totals.
    await sql`drop table metric_day_totals`.execute(store.db);
    await sql`drop index metric_deadlines_since`.execute(store.db);

    await metricDayBlocksMigration.up(store.db as never, dialect);
    await metricDayTotalsMigration.up(store.db as never, dialect);
    const after = await metricSnapshot(store.db);
    expect(await m.selectFrom('metric_day_blocks').select('dim').where('dim', '=', 'all').execute()).toEqual([]);
    expect(after.blocks).toEqual(kept.blocks);
    // Every counter left metric_counts for the blocks, so dropping it loses nothing.
    expect(await old.selectFrom('metric_counts').selectAll().execute()).toEqual([]);
    await dropMetricCountsMigration.up(store.db as never, dialect);
    expect(await hasMetricCounts(store.db)).toBe(false);
    expect(await metricSnapshot(store.db)).toEqual(after);
  });
});
