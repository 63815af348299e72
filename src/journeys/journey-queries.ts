/** Reads of journeys for the API: visibility-filtered lists and the timeline. */
import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import { ENDED_REFERRAL_STATES } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { mergeNewestFirst } from '../db/merge-pages.ts';

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

/**
 * The list's filters and cursor on a query of journeys. For journeys shared with the viewer
 * the filters only narrow: the route judges them again on the cut view
 * (`journey-list-filter.ts`), where a journey in custody shows a viewer without consent to
 * offending the stage it was paused in — so such a journey stays a candidate for that stage.
 */
function filtered(q: CaseQuery, f: CaseListFilter, shared = false): CaseQuery {
  if (f.stage) q = shared && f.stage !== 'inCustody' ? q.where('stage', 'in', [f.stage, 'inCustody']) : q.where('stage', '=', f.stage);
  if (f.keyworkerId) q = q.where('keyworker_id', '=', f.keyworkerId);
  if (f.personId) q = q.where('person_id', '=', f.personId);
  // Kept by the engine with every change (machines/overdue.ts); partial indexes hold only these rows.
  if (f.overdueOnly) q = q.where('overdue', '=', 1);
  const before = f.before;
  // A row-value comparison, so both stores walk the (agency, opened_at, id) index from the cursor.
  if (before) q = q.where((eb) => eb(eb.refTuple('opened_at', 'id'), '<', eb.tuple(before.openedAt, before.id)));
  return q.orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1);
}

/** Above this many referrals, an agency's shared journeys are found by walking journeys newest first. */
const DENSE_REFERRALS = 2000;

/**
 * Journeys the viewer's agency leads, plus those of people for whom it holds a live
 * referral and an active consent, or receives a live referral under a safeguarding
 * override (the consent cut is applied per row afterwards). The same rule as the row
 * check, `caseScope` (src/access/record-access.ts), written in SQL for the list's speed;
 * test/api/access-agreement.test.ts proves the two agree. A journey whose sharing ended
 * with a withdrawal is not listed: nothing new about it reaches the agency, and
 * `GET /cases/:id` still shows it as it stood then.
 *
 * Two queries, each in list order and stopping at the page size, merged: one condition
 * joining both (`lead agency = me OR person shared with me`) cannot use an index for the
 * order, and sorted every journey of a large provider — ten seconds a page at national
 * scale. Its own journeys are a walk of (agency, opened_at, id). The shared ones are found
 * one of two ways: for an agency with few referrals, from the people it holds referrals
 * for; for one with many (a large provider holds hundreds of thousands), by walking every
 * journey newest first and keeping those of people it holds a referral and a consent
 * for, which stops as soon as the page is full.
 */
export async function listVisibleCases(
  db: Kysely<Database>,
  viewer: Viewer,
  today: string,
  f: CaseListFilter,
  options: { denseReferrals?: number } = {},
): Promise<CaseRow[]> {
  const me = viewer.agencyId;
  const led = await filtered(db.selectFrom('cases').selectAll().where('lead_agency_id', '=', me), f).execute();
  const liveReferral = (eb: ExpressionBuilder<Database, 'referrals'>) =>
    eb.and([eb.or([eb('from_agency_id', '=', me), eb('to_agency_id', '=', me)]), eb('state', 'not in', ENDED_REFERRAL_STATES)]);
  const activeConsent = (eb: ExpressionBuilder<Database, 'consents'>) =>
    eb.and([
      eb('withdrawn_at', 'is', null),
      eb('given_on', '<=', today),
      eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', today)]),
      eb.or([eb('to_agency_id', '=', me), eb('to_agency_kind', '=', viewer.agencyKind)]),
    ]);
  let others = db.selectFrom('cases').selectAll().where('lead_agency_id', '!=', me);
  // A full page of its own journeys bounds the page: a shared journey older than the last
  // of them cannot be on it, so the walk for shared ones stops there (for a large provider,
  // a few minutes of journeys instead of every other agency's).
  const lastOwn = led.length > f.limit ? led[f.limit] : undefined;
  if (lastOwn) others = others.where((eb) => eb(eb.refTuple('opened_at', 'id'), '>', eb.tuple(lastOwn.opened_at, lastOwn.id)));
  // A live referral sent to this agency under a safeguarding override shares without consent.
  const overrideReferral = (eb: ExpressionBuilder<Database, 'referrals'>) =>
    eb.and([eb('to_agency_id', '=', me), eb('safeguarding_override', 'is not', null), eb('state', 'not in', ENDED_REFERRAL_STATES)]);
  const shared = (await isDense(db, me, options.denseReferrals ?? DENSE_REFERRALS))
    ? others
        .where((eb) => eb.exists(eb.selectFrom('referrals').select('referrals.id').whereRef('referrals.person_id', '=', 'cases.person_id').where(liveReferral)))
        .where((eb) =>
          eb.or([
            eb.exists(eb.selectFrom('consents').select('consents.id').whereRef('consents.person_id', '=', 'cases.person_id').where(activeConsent)),
            eb.exists(eb.selectFrom('referrals').select('referrals.id').whereRef('referrals.person_id', '=', 'cases.person_id').where(overrideReferral)),
          ]),
        )
    : // The same rules over a join, not the correlated EXISTS of the branch above: SQLite
      // plans this one from the agency's referral indexes (an EXISTS here took 10 s at scale).
      others.where((outer) =>
        outer.or([
          outer('person_id', 'in', (eb) =>
            eb
              .selectFrom('referrals as r')
              .innerJoin('consents as c', 'c.person_id', 'r.person_id')
              .select('r.person_id')
              .where((w) => w.or([w('r.from_agency_id', '=', me), w('r.to_agency_id', '=', me)]))
              .where('r.state', 'not in', ENDED_REFERRAL_STATES)
              .where('c.withdrawn_at', 'is', null)
              .where('c.given_on', '<=', today)
              .where((w) => w.or([w('c.valid_until', 'is', null), w('c.valid_until', '>=', today)]))
              .where((w) => w.or([w('c.to_agency_id', '=', me), w('c.to_agency_kind', '=', viewer.agencyKind)])),
          ),
          outer('person_id', 'in', (eb) => eb.selectFrom('referrals').select('person_id').where(overrideReferral)),
        ]),
      );
  return mergeNewestFirst([led, await filtered(shared, f, true).execute()], (r) => r.opened_at, f.limit);
}

/** Whether the agency sends or receives at least `dense` referrals (counting stops there). */
async function isDense(db: Kysely<Database>, agencyId: string, dense: number): Promise<boolean> {
  if (dense <= 0) return true;
  const count = async (column: 'to_agency_id' | 'from_agency_id') => (await db.selectFrom('referrals').select('id').where(column, '=', agencyId).limit(dense).execute()).length;
  return (await count('to_agency_id')) + (await count('from_agency_id')) >= dense;
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

/** One journey's row by id (visibility is the caller's: see src/access). */
export async function findCase(db: Kysely<Database>, id: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The id of the person's open journey led by `agencyId`, if there is one. */
export async function findOpenCaseAt(db: Kysely<Database>, personId: string, agencyId: string): Promise<string | undefined> {
  const row = await db.selectFrom('cases').select(['id']).where('person_id', '=', personId).where('lead_agency_id', '=', agencyId).where('closed_at', 'is', null).executeTakeFirst();
  return row?.id;
}
