/** Referrals waiting on each receiving agency, by state, with their ages. */
import { readCounts } from '../count-reader.ts';
import { dayOf } from '../days.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import { summariseDays, type DaySummary } from '../percentiles.ts';
import type { MeasureQuery } from './measure-query.ts';

export interface ReferralsWaiting {
  referralsWaiting: {
    definition: string;
    total: number;
    rows: Array<{ agencyId: string; state: string; group: string } & DaySummary>;
  };
}

/** Waiting referrals per receiving agency, state and breakdown value, with ages as of `q.asOf`. */
export async function referralsWaiting(db: MetricsDb, q: MeasureQuery): Promise<ReferralsWaiting> {
  const asOfDay = dayOf(q.asOf);
  const rows = await readCounts(db, { metric: 'ref_waiting', agencyIds: q.agencyIds, dim: q.dim, byAgency: true });
  const byKey = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const key = `${r.agencyId ?? ''}\u0000${r.k}\u0000${r.value}`;
    const h = byKey.get(key) ?? new Map<number, number>();
    const age = Math.max(0, asOfDay - r.day);
    h.set(age, (h.get(age) ?? 0) + r.n);
    byKey.set(key, h);
  }
  const out = [...byKey.entries()]
    .map(([key, h]) => {
      const [agencyId = '', state = '', group = ''] = key.split('\u0000');
      return { agencyId, state, group, ...summariseDays(h) };
    })
    .sort((a, b) => a.agencyId.localeCompare(b.agencyId) || a.state.localeCompare(b.state) || a.group.localeCompare(b.group));
  return { referralsWaiting: { definition: FIGURE_DEFINITIONS.referralsWaiting, total: out.reduce((s, r) => s + r.count, 0), rows: out } };
}
