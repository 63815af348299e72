/** Reads of journeys for the API: visibility-filtered lists and the timeline. */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { ENDED_REFERRAL_STATES } from '../../src/access/record-access.ts';
import type { Viewer } from '../../src/access/viewer.ts';
import type { CaseRow, Database } from '../../src/db/schema.ts';

export interface CaseListFilter {
  stage?: string;
  keyworkerId?: string;
  personId?: string;
  overdueOnly?: boolean;
  /** Rows strictly after this `(opened_at, id)` position, newest first. */
  before?: { openedAt: string; id: string };
  limit: number;
}

type CaseQuery = SelectQueryBuilder<Database, 'cases', CaseRow>;

/** The list's filters and cursor on a query of journeys. */
function filtered(q: CaseQuery, f: CaseListFilter): CaseQuery {
  if (f.stage) q = q.where('stage', '=', f.stage);
  if (f.keyworkerId) q = q.where('keyworker_id', '=', f.keyworkerId);
  if (f.personId) q = q.where('person_id', '=', f.personId);
  if (f.overdueOnly) {
    // A coarse filter in SQL on the stored JSON (same text on both stores); the exact
    // rule (`overdueOf`) is applied to the rows afterwards.
    q = q.where('closed_at', 'is', null).where((eb) =>
      eb.or([
        eb('state_value', 'like', '%reviewDue%'),
        eb('snapshot', 'like', '%"waitingTimeBreached":true%'),
        eb('snapshot', 'like', '%"breached":true%'),
        eb('snapshot', 'like', '%"due":true%'),
      ]),
    );
  }
  const before = f.before;
  // A row-value comparison, so both stores walk the (agency, opened_at, id) index from the cursor.
  if (before) q = q.where((eb) => eb(eb.refTuple('opened_at', 'id'), '<', eb.tuple(before.openedAt, before.id)));
  return q.orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1);
}

/** Newest first, as the list is ordered. */
function newestFirst(a: CaseRow, b: CaseRow): number {
  if (a.opened_at !== b.opened_at) return a.opened_at < b.opened_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Journeys the viewer's agency leads, plus those of people for whom it holds a live
 * referral and an active consent (the consent cut is applied per row afterwards).
 *
 * Two queries, each walking an index in list order and stopping at the page size, merged:
 * one condition joining both (`lead agency = me OR person shared with me`) cannot use an
 * index for the order, and sorted every journey of a large provider — seconds at national
 * scale — for each page.
 */
export async function listVisibleCases(db: Kysely<Database>, viewer: Viewer, today: string, f: CaseListFilter): Promise<CaseRow[]> {
  const led = filtered(db.selectFrom('cases').selectAll().where('lead_agency_id', '=', viewer.agencyId), f).execute();
  const shared = filtered(
    db
      .selectFrom('cases')
      .selectAll()
      .where('lead_agency_id', '!=', viewer.agencyId)
      .where('person_id', 'in', (eb) =>
        eb
          .selectFrom('referrals as r')
          .innerJoin('consents as c', 'c.person_id', 'r.person_id')
          .select('r.person_id')
          .where((w) => w.or([w('r.from_agency_id', '=', viewer.agencyId), w('r.to_agency_id', '=', viewer.agencyId)]))
          .where('r.state', 'not in', ENDED_REFERRAL_STATES)
          .where('c.withdrawn_at', 'is', null)
          .where('c.given_on', '<=', today)
          .where((w) => w.or([w('c.valid_until', 'is', null), w('c.valid_until', '>=', today)]))
          .where((w) => w.or([w('c.to_agency_id', '=', viewer.agencyId), w('c.to_agency_kind', '=', viewer.agencyKind)])),
      ),
    f,
  ).execute();
  const rows = [...(await led), ...(await shared)];
  return rows.sort(newestFirst).slice(0, f.limit + 1);
}

/** The event log of one journey, oldest first. */
export async function caseTimeline(db: Kysely<Database>, caseId: string) {
  const rows = await db
    .selectFrom('events')
    .select(['seq', 'stream_version', 'type', 'payload', 'from_state', 'to_state', 'effective_at', 'recorded_at', 'user_id', 'agency_id', 'backdate_reason'])
    .where('stream_type', '=', 'case')
    .where('stream_id', '=', caseId)
    .orderBy('stream_version')
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    version: r.stream_version,
    type: r.type,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    fromState: r.from_state,
    toState: r.to_state,
    effectiveAt: r.effective_at,
    recordedAt: r.recorded_at,
    userId: r.user_id,
    agencyId: r.agency_id,
    backdateReason: r.backdate_reason,
  }));
}
