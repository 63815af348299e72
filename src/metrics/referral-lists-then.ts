/**
 * The referrals behind a figure at the end of a past day, from their history
 * (referral-history.ts): those waiting on their receiver then, in the state they were in,
 * or with a deadline running then that had fallen due by that day. The same spells the
 * dashboard's figures count on that day (referrals-waiting.ts, deadlines.ts), so a list's
 * length equals its figure. Both the count and a page read the spells running then by the
 * length-class index (running-spells.ts): the spells of a past day, not the whole history
 * walked in sending order; a page sorts those after its cursor.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { DrillCursor, ReferralDrillRow } from './drill-down.ts';
import { isPostgres } from './counter-store.ts';
import { runningAt } from './history-reader.ts';
import { REFERRAL_WAITING_STATES } from './referral-facts.ts';
import { deadlineMetric } from './referral-history.ts';
import { runningSpells } from './running-spells.ts';
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

/** The figure's condition on a spell, besides running at the end of the day: agencies and metric first (the index's leading columns). */
function whereThen(q: ReferralThenQuery): RawBuilder<unknown> {
  const agencies = sql`h.agency_id in (${sql.join(q.agencyIds)})`;
  if (q.figure === 'referralsWaiting') return sql`${agencies} and h.metric = 'ref_waiting' and h.k in (${sql.join(q.state ? [q.state] : [...REFERRAL_WAITING_STATES])})`;
  // Due on the day or before, and still running at its end.
  return sql`${agencies} and h.metric = ${deadlineMetric(DEADLINE[q.figure])} and h.day <= ${q.asOfDay}`;
}

/** The figure's spells running at the end of the day (an index range per length class, migration 110), each arm selecting `select`. */
function spellsThen(db: Kysely<Database>, q: ReferralThenQuery, select: RawBuilder<unknown>, after: RawBuilder<unknown> = sql``): RawBuilder<unknown> {
  return runningSpells({ table: 'metric_referral_history', index: 'metric_referral_history_running', sqlite: !isPostgres(db), select, where: sql`${whereThen(q)}${after}`, asOfDay: q.asOfDay });
}

/** How many referrals the figure held at the end of the day. */
export async function countReferralsThen(db: Kysely<Database>, q: ReferralThenQuery): Promise<number> {
  if (q.agencyIds.length === 0) return 0;
  const r = await sql<{ n: number | string }>`select count(*) as n from (${spellsThen(db, q, sql`1 as one`)}) as running`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** One page of them, oldest first (by sending time), each in the state it was in then. */
export async function listReferralsThen(db: Kysely<Database>, q: ReferralThenQuery): Promise<ReferralDrillRow[]> {
  if (q.agencyIds.length === 0) return [];
  const after = q.after ? sql` and (h.since_at > ${q.after.at} or (h.since_at = ${q.after.at} and h.referral_id > ${q.after.id}))` : sql``;
  const r = await sql<{ referral_id: string; agency_id: string; k: string; since_at: string }>`
    select * from (${spellsThen(db, q, sql`h.referral_id, h.agency_id, h.k, h.since_at`, after)}) as running
    order by since_at, referral_id limit ${q.limit}`.execute(db);
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
