/**
 * Flow rows read from counters of several agencies: added up across agencies, bucketed by
 * week when broken down, and in the order localeCompare gives (period, from, to, group),
 * with names of mixed case where the code-point order would differ; on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaSet } from '../../src/metrics/counter-deltas.ts';
import { applyCounterDeltas } from '../../src/metrics/counter-store.ts';
import { dateOfDay, weekStartOf } from '../../src/metrics/days.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { flow } from '../../src/metrics/measures/flow.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { createRandom } from '../../seeds/prng.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

describe.each(DIALECTS)('flow rows (%s)', (dialect) => {
  let store: TestStore;
  const moves: Array<{ agency: string; district: string; move: string; day: number }> = [];
  const DAY = 20_600;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const random = createRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
    const deltas = new DeltaSet();
    // About two years of moves, so a year's weeks cross 32-week blocks.
    for (let i = 0; i < 1500; i += 1) {
      const m = { agency: pick(['a', 'b', 'c']), district: pick(['NB1', 'nb2', 'Zed', 'alpha', 'NB10']), move: pick(['>referred', 'referred>screening', 'screening>Assessment', 'assessment>closed']), day: DAY - Math.floor(random.next() * 700) };
      moves.push(m);
      const dims: DimensionValues = { sex: 'x', age_band: 'x', ethnicity: 'x', postcode_district: m.district, referral_source: 'x', substance: 'x' };
      deltas.add(m.agency, dims, [{ metric: 'flow', k: m.move, day: m.day }], 1);
    }
    await applyCounterDeltas(store.db, deltas.nonZeroBlocks());
  });
  afterAll(async () => {
    await store.dispose();
  });

  const expected = (bucketOf: (day: number) => number, groupOf: (m: (typeof moves)[number]) => string, fromDay: number, toDay = DAY, agencies = ['a', 'b', 'c']) => {
    const sums = new Map<string, number>();
    for (const m of moves) {
      if (m.day < fromDay || m.day > toDay || !agencies.includes(m.agency)) continue;
      const key = `${dateOfDay(bucketOf(m.day))}|${m.move}|${groupOf(m)}`;
      sums.set(key, (sums.get(key) ?? 0) + 1);
    }
    return [...sums.entries()]
      .map(([key, count]) => {
        const [period = '', move = '', group = ''] = key.split('|');
        const [from = '', to = ''] = move.split('>');
        return { period, from, to, group, count };
      })
      .sort((a, b) => a.period.localeCompare(b.period) || a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.group.localeCompare(b.group));
  };

  it('per day, undivided', async () => {
    const got = await flow(metricsDb(store.db), { agencyIds: ['a', 'b', 'c'], dim: 'all', asOf: dateOfDay(DAY), fromDay: DAY - 27, toDay: DAY }, 'day');
    expect(got.flow.granularity).toBe('day');
    expect(got.flow.rows).toEqual(expected((d) => d, () => 'all', DAY - 27));
  });

  it('per week, undivided, over a year, and per day over a period ending before the as-of day', async () => {
    const got = await flow(metricsDb(store.db), { agencyIds: ['a', 'b', 'c'], dim: 'all', asOf: dateOfDay(DAY), fromDay: DAY - 364, toDay: DAY }, 'week');
    expect(got.flow.granularity).toBe('week');
    expect(got.flow.rows).toEqual(expected(weekStartOf, () => 'all', weekStartOf(DAY - 364)));
    const past = await flow(metricsDb(store.db), { agencyIds: ['b'], dim: 'all', asOf: dateOfDay(DAY), fromDay: DAY - 300, toDay: DAY - 200 }, 'day');
    expect(past.flow.rows).toEqual(expected((d) => d, () => 'all', DAY - 300, DAY - 200, ['b']));
    // Ending on a Friday: its week holds only the days to that Friday.
    expect((DAY - 40 + 3) % 7).toBe(4);
    const friday = await flow(metricsDb(store.db), { agencyIds: ['a', 'b', 'c'], dim: 'all', asOf: dateOfDay(DAY), fromDay: DAY - 364, toDay: DAY - 40 }, 'week');
    expect(friday.flow.rows).toEqual(expected(weekStartOf, () => 'all', weekStartOf(DAY - 364), DAY - 40));
    // A period that ends before it starts holds nothing.
    expect((await flow(metricsDb(store.db), { agencyIds: ['a'], dim: 'sex', asOf: dateOfDay(DAY), fromDay: DAY - 20, toDay: DAY - 40 }, 'week')).flow.rows).toEqual([]);
  });

  it('per week, broken down, over a year of one agency and over ten years', async () => {
    const year = await flow(metricsDb(store.db), { agencyIds: ['c'], dim: 'postcode_district', asOf: dateOfDay(DAY), fromDay: DAY - 364, toDay: DAY }, 'day');
    expect(year.flow.rows).toEqual(expected(weekStartOf, (m) => m.district, weekStartOf(DAY - 364), DAY, ['c']));
    const all = await flow(metricsDb(store.db), { agencyIds: ['a', 'b', 'c'], dim: 'postcode_district', asOf: dateOfDay(DAY), fromDay: DAY - 3650, toDay: DAY }, 'week');
    expect(all.flow.rows).toEqual(expected(weekStartOf, (m) => m.district, weekStartOf(DAY - 3650)));
    expect(all.flow.rows.reduce((s, r) => s + r.count, 0)).toBe(moves.length);
  });

  it('per week, broken down by postcode district', async () => {
    const got = await flow(metricsDb(store.db), { agencyIds: ['a', 'b', 'c'], dim: 'postcode_district', asOf: dateOfDay(DAY), fromDay: DAY - 59, toDay: DAY }, 'day');
    expect(got.flow.granularity).toBe('week');
    const rows = expected(weekStartOf, (m) => m.district, weekStartOf(DAY - 59));
    expect(rows.map((r) => r.group)).toContain('Zed');
    expect(got.flow.rows).toEqual(rows);
  });
});
