/**
 * An agency's referrals for the API: its inbox (sent to it), its outbox (sent by it), or
 * both, newest first, cursor-paginated. Each box is one walk of an index in list order
 * (agency, [status,] created_at, id) that stops at the page size; "both" merges the two
 * walks, since one condition on either column cannot use an index for the order.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database, ReferralRow } from '../db/schema.ts';
import { mergeNewestFirst } from '../db/merge-pages.ts';

export interface ReferralListFilter {
  box: 'inbox' | 'outbox' | 'both';
  status?: string;
  kind?: string;
  personId?: string;
  overdueOnly?: boolean;
  /** Rows strictly after this `(created_at, id)` position, newest first. */
  before?: { createdAt: string; id: string };
  limit: number;
}

type ReferralQuery = SelectQueryBuilder<Database, 'referrals', ReferralRow>;

/**
 * The filters on a query of referrals. They only narrow: the route judges them again on
 * the view each viewer receives (`matchesReferralFilter`), where a sender without consent
 * to progress sees an `inProgress` referral as `accepted` — so `accepted` keeps those rows
 * as candidates.
 */
function filtered(q: ReferralQuery, f: ReferralListFilter): ReferralQuery {
  if (f.status) q = f.status === 'accepted' ? q.where('state', 'in', ['accepted', 'inProgress']) : q.where('state', '=', f.status);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.personId) q = q.where('person_id', '=', f.personId);
  if (f.overdueOnly) {
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'requested'), eb('snapshot', 'like', '%"acknowledgeOverdue":true%')]),
        eb.and([eb('state', 'in', ['requested', 'received', 'accepted']), eb('snapshot', 'like', '%"firstContactOverdue":true%')]),
      ]),
    );
  }
  const before = f.before;
  if (before) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before.createdAt, before.id)));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1);
}

/** True when a referral as the viewer sees it (`referralView`) matches the list's status and overdue filters. */
export function matchesReferralFilter(view: Record<string, unknown>, f: Pick<ReferralListFilter, 'status' | 'overdueOnly'>): boolean {
  if (f.status !== undefined && view.status !== f.status) return false;
  if (f.overdueOnly && (view.overdue as { any?: unknown } | undefined)?.any !== true) return false;
  return true;
}

/** One page (plus one row, to tell whether more follow) of the agency's referrals. */
export async function listAgencyReferrals(db: Kysely<Database>, agencyId: string, f: ReferralListFilter): Promise<ReferralRow[]> {
  const inbox = f.box !== 'outbox' ? filtered(db.selectFrom('referrals').selectAll().where('to_agency_id', '=', agencyId), f).execute() : Promise.resolve([]);
  // The two boxes never share a row: the engine refuses a referral to its own sender.
  const outbox = f.box !== 'inbox' ? filtered(db.selectFrom('referrals').selectAll().where('from_agency_id', '=', agencyId), f).execute() : Promise.resolve([]);
  return mergeNewestFirst([await inbox, await outbox], (r) => r.created_at, f.limit);
}
