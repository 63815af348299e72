/**
 * Referrals between agencies, closed loop: send (with consent, or a recorded
 * safeguarding override), inbox and outbox, and the referral statechart's steps. The
 * writes are domain commands in src/referrals (send-referral.ts, referral-commands.ts,
 * accept-referral.ts), each one engine unit; these routes only validate and answer.
 */
import type { ReferralRow } from '../../src/db/schema.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { listAgencyReferrals, matchesReferralFilter } from '../../src/referrals/referral-queries.ts';
import { sendReferralEvent } from '../../src/referrals/referral-commands.ts';
import { sendReferral } from '../../src/referrals/send-referral.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { createReferralBody, listReferralsQuery, referralSchema } from '../schemas/referral.ts';
import { referralEventBody } from '../schemas/referral-events.ts';
import { defineRoute } from '../routing/route.ts';
import { REFERRAL_ROLES, referralView } from '../../src/referrals/referral-view.ts';
import { decodeCursor, encodeCursor, hidden, nowIso, todayOf, viewerOf } from './route-helpers.ts';

async function loadVisibleReferral(ctx: AppContext, user: AuthUser, id: string): Promise<ReferralRow> {
  const row = await ctx.store.db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || (row.from_agency_id !== user.agencyId && row.to_agency_id !== user.agencyId)) throw hidden('The referral');
  return row;
}

export const referralRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/referrals',
    operationId: 'sendReferral',
    summary: 'Send a referral to another agency (needs the person\'s consent, or a safeguarding override)',
    description:
      'Kinds: treatment (from JCP as TPR1, probation, custody, prison release, GP, hospital, self), employment_support (to JCP; the attendance report TPR2), housing, mental_health, mutual_aid, residential_rehabilitation, inpatient_detox, safeguarding. ' +
      'Without consent covering the categories the kind shares, answers 422 consent_required with `missing`.',
    tag: 'referrals',
    auth: REFERRAL_ROLES,
    body: createReferralBody,
    responses: { 201: { description: 'sent', schema: referralSchema } },
    async handle({ body, user, ctx }) {
      const viewer = viewerOf(user);
      const today = todayOf(ctx);
      const result = await sendReferral(ctx.engine, viewer, body, { today, at: nowIso(ctx) });
      return {
        status: 201,
        body: await referralView(ctx.store.db, ctx.engine, viewer, result.row, today, { allowedEvents: result.allowedEvents, eventOptions: result.eventOptions }),
        headers: { Location: `/api/v1/referrals/${result.row.id}` },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/referrals',
    operationId: 'listReferrals',
    summary: 'Your agency\'s referrals: inbox (sent to it), outbox (sent by it), or both',
    description: '`overdue=true` lists those past their acknowledge-by or first-contact-by deadline (flagged to the receiving agency\'s managers).',
    tag: 'referrals',
    auth: REFERRAL_ROLES,
    query: listReferralsQuery,
    responses: { 200: { description: 'a page of referrals', schema: pageOf(referralSchema) } },
    async handle({ query, user, ctx }) {
      const before = decodeCursor(query.cursor, ['createdAt', 'id'] as const);
      const rows = await listAgencyReferrals(ctx.store.db, user.agencyId, {
        box: query.box === 'inbox' || query.box === 'outbox' ? query.box : 'both',
        ...(query.status ? { status: query.status } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.personId ? { personId: query.personId } : {}),
        ...(query.overdue ? { overdueOnly: true } : {}),
        ...(before ? { before } : {}),
        limit: query.limit,
      });
      const page = rows.slice(0, query.limit);
      const viewer = viewerOf(user);
      const today = todayOf(ctx);
      const items = [];
      for (const row of page) {
        const view = await referralView(ctx.store.db, ctx.engine, viewer, row, today);
        // The filters judge what this viewer sees (progress cut, or the referral as it stood at a withdrawal).
        if (matchesReferralFilter(view, { ...(query.status ? { status: query.status } : {}), ...(query.overdue ? { overdueOnly: true } : {}) })) items.push(view);
      }
      const seen = items.filter((i) => 'person' in i);
      if (seen.length > 0) {
        await recordAudit(
          ctx.store.db,
          seen.map((i) => ({ at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'read' as const, personId: String(i.personId), entityType: 'referral', entityId: String(i.id), detail: { via: 'list' } })),
        );
      }
      const last = page.at(-1);
      return { status: 200, body: { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/referrals/:id',
    operationId: 'getReferral',
    summary: 'One referral, as its sender or receiver sees it',
    tag: 'referrals',
    auth: REFERRAL_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'the referral', schema: referralSchema } },
    async handle({ params, user, ctx }) {
      const row = await loadVisibleReferral(ctx, user, params.id);
      const view = await referralView(ctx.store.db, ctx.engine, viewerOf(user), row, todayOf(ctx));
      if ('person' in view) {
        await recordAudit(ctx.store.db, { at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'read', personId: row.person_id, entityType: 'referral', entityId: row.id });
      }
      return { status: 200, body: view };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/referrals/:id/events',
    operationId: 'sendReferralEvent',
    summary: 'Move a referral on: receive, accept, reject (reason), first contact, complete (outcome), fail (reason), cancel (sender)',
    description:
      'Accepting a treatment referral at a treatment provider opens the person\'s journey there in the same transaction, or re-opens it as a rapid re-entry when it is in recovery check-ups. ' +
      'Accepting needs the consent (or override) to still stand: otherwise 422 consent_required.',
    tag: 'referrals',
    auth: REFERRAL_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: referralEventBody,
    responses: { 200: { description: 'the referral after the event', schema: referralSchema } },
    async handle({ params, body, user, ctx }) {
      const viewer = viewerOf(user);
      const today = todayOf(ctx);
      const { applied } = await sendReferralEvent(ctx.engine, viewer, params.id, body, { today, at: nowIso(ctx) });
      return { status: 200, body: await referralView(ctx.store.db, ctx.engine, viewer, applied.row, today, { allowedEvents: applied.allowedEvents, eventOptions: applied.eventOptions }) };
    },
  }),
];
