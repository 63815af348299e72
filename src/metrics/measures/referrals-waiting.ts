/** Referrals waiting on each receiving agency, by state, with their ages. */
import { readDaySummaries } from '../day-histograms.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import { historySummaries } from '../history-reader.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { DaySummary } from '../percentiles.ts';
import { asOfDayOf, type MeasureQuery } from './measure-query.ts';

export interface ReferralsWaiting {
  referralsWaiting: {
    definition: string;
    total: number;
    rows: Array<{ agencyId: string; state: string; group: string } & DaySummary>;
  };
}

/**
 * Waiting referrals per receiving agency, state and breakdown value, with ages as of `q.asOf`;
 * on a past day, those waiting at its end in the state they were in then (referral-history.ts).
 */
export async function referralsWaiting(db: MetricsDb, q: MeasureQuery): Promise<ReferralsWaiting> {
  const read = { metric: 'ref_waiting', agencyIds: q.agencyIds, dim: q.dim, asOfDay: asOfDayOf(q), byAgency: true };
  const rows = q.past ? await historySummaries(db, { ...read, table: 'metric_referral_history' }) : await readDaySummaries(db, read);
  const out = rows
    .map(({ agencyId, k, value, count, medianDays, p90Days, maxDays }) => ({ agencyId: agencyId ?? '', state: k, group: value, count, medianDays, p90Days, maxDays }))
    .sort((a, b) => a.agencyId.localeCompare(b.agencyId) || a.state.localeCompare(b.state) || a.group.localeCompare(b.group));
  return { referralsWaiting: { definition: FIGURE_DEFINITIONS.referralsWaiting, total: out.reduce((s, r) => s + r.count, 0), rows: out } };
}
