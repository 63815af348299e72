/**
 * The 32-day blocks (src/metrics/day-blocks.ts) and the exact readers built on them: on
 * counters spread over years and breakdowns, with journeys that moved away (rows back to
 * zero) and days after the as-of day, every histogram summary and every range sum read
 * through the blocks equals the one computed from every day counter, on both stores; and
 * the migration that introduces the blocks fills them from the day counters already kept.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricBlocksMigration } from '../../src/db/migrations/006-metric-blocks.ts';
import { readSums } from '../../src/metrics/count-reader.ts';
import { DeltaSet } from '../../src/metrics/counter-deltas.ts';
import { applyCounterDeltas } from '../../src/metrics/counter-store.ts';
import { BLOCK_DAYS, blockOf, splitRange } from '../../src/metrics/day-blocks.ts';
import { readDaySummaries } from '../../src/metrics/day-histograms.ts';
import { DIMENSIONS, type DimensionValues } from '../../src/metrics/dimensions.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { summariseDays } from '../../src/metrics/percentiles.ts';
import { createRandom } from '../../seeds/prng.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { blocksFromDays, metricSnapshot } from './metric-snapshot.ts';

describe('day blocks', () => {
  it('start on multiples of 32 days, before 1970 too', () => {
    expect(BLOCK_DAYS).toBe(32);
    expect(blockOf(0)).toBe(0);
    expect(blockOf(31)).toBe(0);
    expect(blockOf(32)).toBe(32);
    expect(blockOf(-1)).toBe(-32);
    expect(blockOf(-32)).toBe(-32);
    expect(blockOf(-33)).toBe(-64);
  });

  it('cut a range into whole blocks and ragged ends', () => {
    expect(splitRange(32, 95)).toEqual({ blocks: { from: 32, to: 64 }, days: [] });
    expect(splitRange(30, 100)).toEqual({ blocks: { from: 32, to: 64 }, days: [{ from: 30, to: 31 }, { from: 96, to: 100 }] });
    expect(splitRange(33, 94)).toEqual({ days: [{ from: 33, to: 94 }] });
    expect(splitRange(40, 50)).toEqual({ days: [{ from: 40, to: 50 }] });
    expect(splitRange(undefined, 100)).toEqual({ blocks: { from: undefined, to: 64 }, days: [{ from: 96, to: 100 }] });
    expect(splitRange(undefined, 95)).toEqual({ blocks: { from: undefined, to: 64 }, days: [] });
    expect(splitRange(30, undefined)).toEqual({ blocks: { from: 32, to: undefined }, days: [{ from: 30, to: 31 }] });
    expect(splitRange(undefined, undefined)).toEqual({ blocks: { from: undefined, to: undefined }, days: [] });
    // A range inside one block, or ending before its first whole block.
    expect(splitRange(0, 30)).toEqual({ days: [{ from: 0, to: 30 }] });
    expect(splitRange(-5, 3)).toEqual({ days: [{ from: -5, to: 3 }] });
  });
});

const AS_OF_DAY = 20_600; // 2026-05-28, the middle of a block
const SEXES = ['female', 'male'];
const DISTRICTS = ['NB1', 'NB2', 'NB3', 'not_recorded'];
const STAGES = ['assessment', 'inTreatment', 'referred'];

describe.each(DIALECTS)('readers through the blocks equal the day counters (%s)', (dialect) => {
  let store: TestStore;
  let agencies: string[];

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const random = createRandom(32);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
    agencies = ['agency-a', 'agency-b', 'agency-c'];
    const deltas = new DeltaSet();
    const moves = new DeltaSet();
    for (let i = 0; i < 700; i += 1) {
      const dims: DimensionValues = {
        sex: pick(SEXES),
        age_band: pick(['18-24', '35-44']),
        ethnicity: pick(['white_british', 'asian_indian', 'not_stated']),
        postcode_district: pick(DISTRICTS),
        referral_source: pick(['self', 'gp']),
        substance: pick(['opiate', 'alcohol_only']),
      };
      const agency = pick(agencies);
      // Days over about three years, a few after the as-of day; heavier near it.
      const day = AS_OF_DAY + 40 - Math.floor(random.next() ** 2 * 1100);
      const stage = pick(STAGES);
      deltas.add(agency, dims, [{ metric: 'stage_age', k: stage, day }, { metric: 'started', k: pick(['within', 'beyond']), day }, { metric: 'flow', k: `x>${stage}`, day }], 1);
      // Moved on since: its state counters go back down (rows left at n = 0 stay in the store).
      if (random.next() < 0.2) moves.add(agency, dims, [{ metric: 'stage_age', k: stage, day }], -1);
    }
    // The day counters in two statements and the blocks in one, then the moves as a change would.
    const all = deltas.nonZero();
    await applyCounterDeltas(store.db, all.slice(0, 2000), []);
    await applyCounterDeltas(store.db, all.slice(2000), deltas.nonZeroBlocks());
    await applyCounterDeltas(store.db, moves.nonZero(), moves.nonZeroBlocks());
    const zeroRows = await metricsDb(store.db).selectFrom('metric_counts').select('n').where('n', '=', 0).execute();
    expect(zeroRows.length).toBeGreaterThan(50);
    expect((await metricSnapshot(store.db)).blocks).toEqual(await blocksFromDays(store.db));
  });
  afterAll(async () => {
    await store.dispose();
  });

  async function dayRows(metric: string, dim: string, scope: readonly string[]) {
    return metricsDb(store.db).selectFrom('metric_counts').selectAll().where('metric', '=', metric).where('dim', '=', dim).where('agency_id', 'in', scope).execute();
  }

  it('histogram summaries (count, median, 90th percentile, maximum) for every breakdown, as-of day and cut-off', async () => {
    const asOfDays = [AS_OF_DAY, blockOf(AS_OF_DAY), blockOf(AS_OF_DAY) - 1, blockOf(AS_OF_DAY) + BLOCK_DAYS - 1, AS_OF_DAY - 400, AS_OF_DAY + 100];
    let compared = 0;
    for (const dim of DIMENSIONS) {
      for (const scope of [agencies, agencies.slice(1, 2)]) {
        const rows = await dayRows('stage_age', dim, scope);
        for (const asOfDay of asOfDays) {
          for (const dayTo of [undefined, asOfDay - 22, blockOf(asOfDay - 200) - 1, blockOf(asOfDay - 200)]) {
            for (const byAgency of [false, true]) {
              const expected = new Map<string, Map<number, number>>();
              for (const r of rows) {
                if (dayTo !== undefined && Number(r.day) > dayTo) continue;
                const key = `${byAgency ? r.agency_id : ''}|${r.k}|${r.value}`;
                const h = expected.get(key) ?? new Map<number, number>();
                const age = Math.max(0, asOfDay - Number(r.day));
                h.set(age, (h.get(age) ?? 0) + Number(r.n));
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

  it('range sums for every breakdown, over ranges with and without whole blocks, open at either end', async () => {
    const b = blockOf(AS_OF_DAY);
    const ranges: Array<[number | undefined, number | undefined]> = [
      [undefined, undefined],
      [undefined, AS_OF_DAY],
      [AS_OF_DAY - 364, AS_OF_DAY],
      [AS_OF_DAY - 27, AS_OF_DAY],
      [b, b + BLOCK_DAYS - 1],
      [b - BLOCK_DAYS, b + BLOCK_DAYS],
      [b + 1, b + 2],
      [AS_OF_DAY - 600, undefined],
      [b - 5 * BLOCK_DAYS - 1, b - 1],
    ];
    for (const dim of DIMENSIONS) {
      const rows = [...(await dayRows('started', dim, agencies)), ...(await dayRows('flow', dim, agencies))];
      for (const [dayFrom, dayTo] of ranges) {
        const want = new Map<string, number>();
        for (const r of rows) {
          const day = Number(r.day);
          if ((dayFrom !== undefined && day < dayFrom) || (dayTo !== undefined && day > dayTo)) continue;
          const key = `${r.metric}|${r.value}|${r.k}`;
          want.set(key, (want.get(key) ?? 0) + Number(r.n));
        }
        const got = await readSums(metricsDb(store.db), { metrics: ['started', 'flow'], agencyIds: agencies, dim, dayFrom, dayTo });
        expect(got.map((r) => `${r.metric}|${r.value}|${r.k} ${r.n}`).sort(), `${dim} ${dayFrom}–${dayTo}`).toEqual(
          [...want.entries()].filter(([, n]) => n !== 0).map(([key, n]) => `${key} ${n}`).sort(),
        );
      }
    }
  });

  it('the migration fills the blocks from the day counters a store already keeps', async () => {
    const kept = (await metricSnapshot(store.db)).blocks;
    expect(kept.length).toBeGreaterThan(500);
    await sql`drop table metric_count_blocks`.execute(store.db);
    await metricBlocksMigration.up(store.db as never, dialect);
    expect((await metricSnapshot(store.db)).blocks).toEqual(kept);
  });
});
