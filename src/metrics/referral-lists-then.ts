/**
 * The referrals behind a figure at the end of a past day, from their history
 * (referral-history.ts): those waiting on their receiver then, in the state they were in,
 * or with a deadline running then that had fallen due by that day. The same spells the
 * dashboard's figures count on that day (referrals-waiting.ts, deadlines.ts), so a list's
 * length equals its figure; a page is one walk of an index in sending order.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { DrillCursor, ReferralDrillRow } from './drill-down.ts';
import { historyIndex, runningAt } from './history-reader.ts';
import { metricsDb } from './metric-tables.ts';
import { REFERRAL_WAITING_STATES } from './referral-facts.ts';
import { deadlineMetric } from './referral-history.ts';
import type { ReferralListFigure } from '../../machines/figure-lists.ts';

/** A referral figure at the end of a past day. */
export interface ReferralThenQuery {
  agencyIds: readonly string[];
  figure: ReferralListFigure;
  state?: string | undefined;
  asOfDay: number;
  after?: DrillCursor | undefined;
  limit: number;
}

const DEADLINE: Record<Exclude<ReferralListFigure, 'referralsWaiting'>, string> = {
  referralsNotAcknowledged: 'acknowledge',
  referralsNotContacted: 'first_contact',
};

function whereThen(q: ReferralThenQuery): RawBuilder<unknown> {
  const parts: Array<RawBuilder<unknown>> = [sql`h.agency_id in (${sql.join(q.agencyIds)})`, runningAt(q.asOfDay)];
  if (q.figure === 'referralsWaiting') {
    parts.push(sql`h.metric = 'ref_waiting'`);
    parts.push(sql`h.k in (${sql.join(q.state ? [q.state] : [...REFERRAL_WAITING_STATES])})`);
  } else {
    // Due on the day or before, and still running at its end.
    parts.push(sql`h.metric = ${deadlineMetric(DEADLINE[q.figure])} and h.day <= ${q.asOfDay}`);
  }
  return sql.join(parts, sql` and `);
}

function tableThen(db: Kysely<Database>, q: ReferralThenQuery): RawBuilder<unknown> {
  return sql`metric_referral_history h ${historyIndex(metricsDb(db), q.agencyIds.length, 'metric_referral_history')}`;
}

/** How many referrals the figure held at the end of the day. */
export async function countReferralsThen(db: Kysely<Database>, q: ReferralThenQuery): Promise<number> {
  if (q.agencyIds.length === 0) return 0;
  const r = await sql<{ n: number | string }>`select count(*) as n from ${tableThen(db, q)} where ${whereThen(q)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** One page of them, oldest first (by sending time), each in the state it was in then. */
export async function listReferralsThen(db: Kysely<Database>, q: ReferralThenQuery): Promise<ReferralDrillRow[]> {
  if (q.agencyIds.length === 0) return [];
  const after = q.after ? sql` and (h.since_at > ${q.after.at} or (h.since_at = ${q.after.at} and h.referral_id > ${q.after.id}))` : sql``;
  const r = await sql<{ referral_id: string; agency_id: string; k: string; since_at: string }>`
    select h.referral_id, h.agency_id, h.k, h.since_at from ${tableThen(db, q)}
    where ${whereThen(q)}${after}
    order by h.since_at, h.referral_id limit ${q.limit}`.execute(db);
  const ids = r.rows.map((row) => row.referral_id);
  if (ids.length === 0) return [];
  // A deadline's spell has no state: the referral's waiting spell running then holds it.
  const states =
    q.figure === 'referralsWaiting'
      ? new Map(r.rows.map((row) => [row.referral_id, row.k]))
      : new Map(
          (
            await sql<{ referral_id: string; k: string }>`
              select h.referral_id, h.k from metric_referral_history h
              where h.referral_id in (${sql.join(ids)}) and h.metric = 'ref_waiting' and ${runningAt(q.asOfDay)}`.execute(db)
          ).rows.map((row) => [row.referral_id, row.k]),
        );
  const due =
    q.figure === 'referralsWaiting'
      ? new Map<string, string | null>()
      : new Map(
          (await db.selectFrom('referrals').select(['id', 'acknowledge_by', 'first_contact_by']).where('id', 'in', ids).execute()).map((row) => [
            row.id,
            q.figure === 'referralsNotAcknowledged' ? row.acknowledge_by : row.first_contact_by,
          ]),
        );
  return r.rows.map((row) => ({ referralId: row.referral_id, agencyId: row.agency_id, state: states.get(row.referral_id) ?? '', createdAt: row.since_at, dueAt: due.get(row.referral_id) ?? null }));
}
