/**
 * Flow rows read from counters of several agencies: added up across agencies, bucketed by
 * week when broken down, and in the order localeCompare gives (period, from, to, group),
 * with names of mixed case where the code-point order would differ; on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaSet } from '../../src/metrics/counter-deltas.ts';
import { applyCounterDeltas } from '../../src/metrics/counter-store.ts';
import { dateOfDay, weekStartOf } from '../../src/metrics/days.ts';
import type { DimensionValues } from '../../src/metrics/dimensions.ts';
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
    for (let i = 0; i < 400; i += 1) {
      const m = { agency: pick(['a', 'b', 'c']), district: pick(['NB1', 'nb2', 'Zed', 'alpha', 'NB10']), move: pick(['>referred', 'referred>screening', 'screening>Assessment', 'assessment>closed']), day: DAY - Math.floor(random.next() * 60) };
      moves.push(m);
      const dims: DimensionValues = { sex: 'x', age_band: 'x', ethnicity: 'x', postcode_district: m.district, referral_source: 'x', substance: 'x' };
      deltas.add(m.agency, dims, [{ metric: 'flow', k: m.move, day: m.day }], 1);
    }
    await applyCounterDeltas(store.db, deltas.nonZero(), deltas.nonZeroBlocks());
  });
  afterAll(async () => {
    await store.dispose();
  });

  const expected = (bucketOf: (day: number) => number, groupOf: (m: (typeof moves)[number]) => string, fromDay: number) => {
    const sums = new Map<string, number>();
    for (const m of moves) {
      if (m.day < fromDay) continue;
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

  it('per week, broken down by postcode district', async () => {
    const got = await flow(metricsDb(store.db), { agencyIds: ['a', 'b', 'c'], dim: 'postcode_district', asOf: dateOfDay(DAY), fromDay: DAY - 59, toDay: DAY }, 'day');
    expect(got.flow.granularity).toBe('week');
    const rows = expected(weekStartOf, (m) => m.district, weekStartOf(DAY - 59));
    expect(rows.map((r) => r.group)).toContain('Zed');
    expect(got.flow.rows).toEqual(rows);
  });
});
