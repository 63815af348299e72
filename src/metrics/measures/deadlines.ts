/**
 * Deadline sets: who is past the 21-day waiting standard, overdue a 6-monthly review, past
 * 21 days after release without engagement, and which receiving agencies have referrals
 * past their acknowledge-by or first-contact-by time.
 */
import { sql } from 'kysely';
import { STANDARD_DAYS } from '../case-facts.ts';
import { readSums } from '../count-reader.ts';
import { isPostgres } from '../counter-store.ts';
import { readDaySummaries } from '../day-histograms.ts';
import { dateOfDay, dayOf } from '../days.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { DaySummary } from '../percentiles.ts';
import type { MeasureQuery } from './measure-query.ts';

/** Days between reviews (NDTMS: a review with a TOP at least every 6 months). */
export const REVIEW_INTERVAL_DAYS = 182;

type AgedRows = Array<{ group: string } & DaySummary>;

export interface Deadlines {
  waitingOver21Days: { definition: string; total: number; rows: AgedRows };
  reviewsOverdue: { definition: string; total: number; rows: AgedRows };
  continuityOver21Days: { definition: string; total: number; rows: AgedRows };
  referralsNotAcknowledged: { definition: string; total: number; byAgency: ReferralDeadlineRow[] };
  referralsNotContacted: { definition: string; total: number; byAgency: ReferralDeadlineRow[] };
}

export interface ReferralDeadlineRow {
  agencyId: string;
  count: number;
  /** Days since the oldest overdue referral was sent. */
  oldestAgeDays: number;
}

/** Journeys whose age on a histogram is more than `limit` days at the as-of day. */
async function overAge(db: MetricsDb, q: MeasureQuery, metric: string, limit: number): Promise<{ total: number; rows: AgedRows }> {
  const asOfDay = dayOf(q.asOf);
  // These metrics have no sub-key (k is ''), so one series per breakdown value.
  const rows = await readDaySummaries(db, { metric, agencyIds: q.agencyIds, dim: q.dim, asOfDay, dayTo: asOfDay - limit - 1 });
  const out = rows
    .map(({ value, count, medianDays, p90Days, maxDays }) => ({ group: value, count, medianDays, p90Days, maxDays }))
    .sort((a, b) => a.group.localeCompare(b.group));
  return { total: out.reduce((s, r) => s + r.count, 0), rows: out };
}

/**
 * Overdue referrals per receiving agency, bounded by days and agencies rather than by the
 * referrals overdue: those due on a day before the as-of day are the running-deadline day
 * blocks (`ref_due`, undivided, sub-key the deadline) summed up to the day before; those due
 * on the as-of day itself before the as-of time are one day's rows of the running
 * deadlines (an index range). The oldest overdue referral of an agency is the first of its
 * running deadlines in order of sending that is overdue: a deadline falls due soon after
 * sending, so the walk passes over at most the few not yet due, sent in the last days.
 */
async function overdueReferrals(db: MetricsDb, q: MeasureQuery, deadline: 'acknowledge' | 'first_contact'): Promise<ReferralDeadlineRow[]> {
  if (q.agencyIds.length === 0) return [];
  const asOfDay = dayOf(q.asOf);
  const [before, today] = await Promise.all([
    readSums(db, { metrics: ['ref_due'], agencyIds: q.agencyIds, dim: 'all', dayTo: asOfDay - 1, byAgency: true }),
    db
      .selectFrom('metric_deadlines')
      .select(['agency_id', sql<number>`count(*)`.as('n')])
      .where('agency_id', 'in', q.agencyIds)
      .where('deadline', '=', deadline)
      // Day numbers are the date part of the ISO text (days.ts), so this is the as-of day on.
      .where('due_at', '>=', dateOfDay(asOfDay))
      .where('due_at', '<', q.asOf)
      .groupBy('agency_id')
      .execute(),
  ]);
  const counts = new Map<string, number>();
  for (const r of before) if (r.k === deadline && r.agencyId !== undefined) counts.set(r.agencyId, (counts.get(r.agencyId) ?? 0) + r.n);
  for (const r of today) counts.set(r.agency_id, (counts.get(r.agency_id) ?? 0) + Number(r.n));
  const postgres = isPostgres(db);
  const rows = await Promise.all(
    [...counts.entries()]
      .filter(([, n]) => n > 0)
      .map(async ([agencyId, count]) => {
        // SQLite is told the index: without statistics it may pick the due-time one and sort.
        const oldest = await sql<{ since_at: string }>`
          select since_at from metric_deadlines ${postgres ? sql`` : sql`indexed by metric_deadlines_since`}
          where agency_id = ${agencyId} and deadline = ${deadline} and due_at < ${q.asOf}
          order by since_at limit 1`.execute(db);
        const since = oldest.rows[0]?.since_at;
        return { agencyId, count, oldestAgeDays: since === undefined ? 0 : asOfDay - dayOf(since) };
      }),
  );
  return rows.sort((a, b) => a.agencyId.localeCompare(b.agencyId));
}

/** Every deadline set for the scope, as of `q.asOf`. */
export async function deadlines(db: MetricsDb, q: MeasureQuery): Promise<Deadlines> {
  const [waiting, reviews, continuity, notAck, notContacted] = await Promise.all([
    overAge(db, q, 'waiting', STANDARD_DAYS),
    overAge(db, q, 'review_basis', REVIEW_INTERVAL_DAYS),
    overAge(db, q, 'continuity_open', STANDARD_DAYS),
    overdueReferrals(db, q, 'acknowledge'),
    overdueReferrals(db, q, 'first_contact'),
  ]);
  return {
    waitingOver21Days: { definition: FIGURE_DEFINITIONS.waitingOver21Days, ...waiting },
    reviewsOverdue: { definition: FIGURE_DEFINITIONS.reviewsOverdue, ...reviews },
    continuityOver21Days: { definition: FIGURE_DEFINITIONS.continuityOver21Days, ...continuity },
    referralsNotAcknowledged: { definition: FIGURE_DEFINITIONS.referralsNotAcknowledged, total: notAck.reduce((s, r) => s + r.count, 0), byAgency: notAck },
    referralsNotContacted: {
      definition: FIGURE_DEFINITIONS.referralsNotContacted,
      total: notContacted.reduce((s, r) => s + r.count, 0),
      byAgency: notContacted,
    },
  };
}
