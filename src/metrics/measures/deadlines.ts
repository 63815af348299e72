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
import { DEFAULT_TIME_ZONE, localDayOf } from '../../../machines/calendar-days.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import { historyIndex, historySummaries, runningAt } from '../history-reader.ts';
import { deadlineMetric } from '../referral-history.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { DaySummary } from '../percentiles.ts';
import { asOfDayOf, startOfDayIso, type MeasureQuery } from './measure-query.ts';

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
  const asOfDay = asOfDayOf(q);
  // These metrics have no sub-key (k is ''), so one series per breakdown value.
  const read = { metric, agencyIds: q.agencyIds, dim: q.dim, asOfDay, dayTo: asOfDay - limit - 1 };
  // A past day: the clocks running at its end (history-reader.ts).
  const rows = q.past ? await historySummaries(db, read) : await readDaySummaries(db, read);
  const out = rows
    .map(({ value, count, medianDays, p90Days, maxDays }) => ({ group: value, count, medianDays, p90Days, maxDays }))
    .sort((a, b) => a.group.localeCompare(b.group));
  return { total: out.reduce((s, r) => s + r.count, 0), rows: out };
}

type ReferralDeadline = 'acknowledge' | 'first_contact';

/**
 * Overdue referrals per receiving agency and deadline, bounded by days and agencies rather
 * than by the referrals overdue: those due on a day before the as-of day are the
 * running-deadline day blocks (`ref_due`, undivided, sub-key the deadline) summed up to the
 * day before; those due on the as-of day itself up to the as-of time (overdue from the due
 * instant, when the sweeper delivers the timer) are one day's rows of the running deadlines
 * (an index range); the as-of day starts at local midnight. The oldest overdue referral of an agency is the
 * first of its running deadlines in order of sending that is overdue: a deadline falls due
 * soon after sending, so the walk passes over at most the few not yet due, sent in the
 * last days. Two reads in all, whatever the number of agencies.
 */
async function overdueReferrals(db: MetricsDb, q: MeasureQuery): Promise<Record<ReferralDeadline, ReferralDeadlineRow[]>> {
  const out: Record<ReferralDeadline, ReferralDeadlineRow[]> = { acknowledge: [], first_contact: [] };
  if (q.agencyIds.length === 0) return out;
  if (q.past) return overdueReferralsThen(db, q);
  const asOfDay = asOfDayOf(q);
  // The as-of day starts at local midnight: due_at from then on (as ISO text) is the as-of day on.
  const today = startOfDayIso(asOfDay, q.timeZone);
  // SQLite is told the index: without statistics it may take the due-time one and sort.
  const bySending = isPostgres(db) ? sql`` : sql`indexed by metric_deadlines_since`;
  const perDeadline = (deadline: ReferralDeadline, as: string) => sql`
    (select count(*) from metric_deadlines d where d.agency_id = a.id and d.deadline = ${deadline} and d.due_at >= ${today} and d.due_at <= ${q.asOf}) as ${sql.ref(`${as}_today`)},
    (select d.since_at from metric_deadlines d ${bySending}
      where d.agency_id = a.id and d.deadline = ${deadline} and d.due_at <= ${q.asOf} order by d.since_at limit 1) as ${sql.ref(`${as}_oldest`)}`;
  const [before, agencies] = await Promise.all([
    readSums(db, { metrics: ['ref_due'], agencyIds: q.agencyIds, dim: 'all', dayTo: asOfDay - 1, byAgency: true }),
    sql<{ id: string; ack_today: number | string; ack_oldest: string | null; contact_today: number | string; contact_oldest: string | null }>`
      select a.id as id, ${perDeadline('acknowledge', 'ack')}, ${perDeadline('first_contact', 'contact')}
      from agencies a where a.id in (${sql.join(q.agencyIds)})`.execute(db),
  ]);
  const earlier = new Map<string, number>();
  for (const r of before) earlier.set(`${r.agencyId ?? ''}\u0000${r.k}`, r.n);
  for (const row of agencies.rows) {
    for (const [deadline, todayCount, oldest] of [
      ['acknowledge', row.ack_today, row.ack_oldest],
      ['first_contact', row.contact_today, row.contact_oldest],
    ] as const) {
      const count = (earlier.get(`${row.id}\u0000${deadline}`) ?? 0) + Number(todayCount);
      if (count > 0) out[deadline].push({ agencyId: row.id, count, oldestAgeDays: oldest === null ? 0 : asOfDay - localDayOf(oldest, q.timeZone ?? DEFAULT_TIME_ZONE) });
    }
  }
  for (const rows of Object.values(out)) rows.sort((a, b) => a.agencyId.localeCompare(b.agencyId));
  return out;
}

/**
 * Overdue referrals at the end of a past day (referral-history.ts): deadlines still running
 * then that fell due on that day or before, per receiving agency, with the oldest sending
 * time among them. One read of the running-deadline spells.
 */
async function overdueReferralsThen(db: MetricsDb, q: MeasureQuery): Promise<Record<ReferralDeadline, ReferralDeadlineRow[]>> {
  const out: Record<ReferralDeadline, ReferralDeadlineRow[]> = { acknowledge: [], first_contact: [] };
  const asOfDay = asOfDayOf(q);
  const r = await sql<{ agency_id: string; k: string; n: number | string; oldest: string }>`
    select h.agency_id, h.k, count(*) as n, min(h.since_at) as oldest
    from metric_referral_history h ${historyIndex(db, q.agencyIds.length, 'metric_referral_history')}
    where h.metric in (${deadlineMetric('acknowledge')}, ${deadlineMetric('first_contact')}) and h.agency_id in (${sql.join(q.agencyIds)}) and h.day <= ${asOfDay} and ${runningAt(asOfDay)}
    group by h.agency_id, h.k`.execute(db);
  for (const row of r.rows) {
    const rows = row.k === 'acknowledge' || row.k === 'first_contact' ? out[row.k] : null;
    rows?.push({ agencyId: row.agency_id, count: Number(row.n), oldestAgeDays: asOfDay - localDayOf(row.oldest, q.timeZone ?? DEFAULT_TIME_ZONE) });
  }
  for (const rows of Object.values(out)) rows.sort((a, b) => a.agencyId.localeCompare(b.agencyId));
  return out;
}

/** Every deadline set for the scope, as of `q.asOf`. */
export async function deadlines(db: MetricsDb, q: MeasureQuery): Promise<Deadlines> {
  const [waiting, reviews, continuity, overdue] = await Promise.all([
    overAge(db, q, 'waiting', STANDARD_DAYS),
    overAge(db, q, 'review_basis', REVIEW_INTERVAL_DAYS),
    overAge(db, q, 'continuity_open', STANDARD_DAYS),
    overdueReferrals(db, q),
  ]);
  const notAck = overdue.acknowledge;
  const notContacted = overdue.first_contact;
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
