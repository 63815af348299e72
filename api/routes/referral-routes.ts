/**
 * Referrals between agencies, closed loop: send (with consent, or a recorded
 * safeguarding override), inbox and outbox, and the referral statechart's steps.
 * Accepting a treatment referral opens the person's journey at the provider in the same
 * transaction — or, when their journey there is in recovery check-ups, re-opens it as a
 * rapid re-entry.
 */
import type { Kysely } from 'kysely';
import { caseScope, personScope } from '../../src/access/record-access.ts';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { consentedCategories } from '../../src/consent/consent-repository.ts';
import { REFERRAL_KIND_CATEGORIES, REFERRAL_SOURCE_BY_AGENCY_KIND, isJobcentrePair, missingCategories } from '../../machines/referral-consent.ts';
import type { Database, ReferralRow } from '../../src/db/schema.ts';
import type { EngineTransaction } from '../../src/engine/engine-types.ts';
import { PathwaysError, validationError } from '../../src/errors.ts';
import type { ReferralKind } from '../../machines/referral-kinds.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';
import { findAgency } from '../../src/agencies/agency-repository.ts';
import { listAgencyReferrals, matchesReferralFilter } from '../../src/referrals/referral-queries.ts';
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

/** Refuses with 422 naming the consent that is missing for `kind` to `to`. */
async function requireConsent(
  db: Kysely<Database>,
  personId: string,
  kind: ReferralKind,
  to: { id: string; kind: string; name: string },
  fromKind: string,
  today: string,
): Promise<void> {
  const explicitOnly = isJobcentrePair(kind, fromKind, to.kind);
  const consented = await consentedCategories(db, personId, to, today, { explicitOnly });
  const missing = missingCategories(kind, consented);
  if (missing.length === 0) return;
  throw new PathwaysError(
    'consent_required',
    `The person has not consented to share ${missing.join(', ')} with ${to.name}${explicitOnly ? ' (this Jobcentre Plus referral needs consent naming that office explicitly)' : ''}. ` +
      'Record their consent (POST /api/v1/people/{id}/consents) or, if someone is at risk, send with a safeguardingOverride.',
    {
      missing: {
        personId,
        toAgencyId: to.id,
        toAgencyKind: to.kind,
        categories: missing,
        needed: REFERRAL_KIND_CATEGORIES[kind],
        explicit: explicitOnly,
      },
    },
  );
}

/** Opens, links or re-opens the person's journey at the provider that accepted a treatment referral. */
async function openJourneyForAcceptedReferral(tx: EngineTransaction, row: ReferralRow, user: AuthUser, fromKind: string): Promise<string> {
  const actor = { userId: user.id, agencyId: user.agencyId };
  const existing = await tx.trx
    .selectFrom('cases')
    .selectAll()
    .where('person_id', '=', row.person_id)
    .where('lead_agency_id', '=', row.to_agency_id)
    .where('closed_at', 'is', null)
    .orderBy('opened_at', 'desc')
    .executeTakeFirst();
  let caseId: string;
  if (existing && existing.stage === 'recoveryCheckups') {
    // Rapid re-entry: the last package, keyworker and consents come back; screening is skipped.
    const relapsed = await tx.apply({ stream: 'case', id: existing.id, event: { type: 'RELAPSE_REPORTED' }, expectedVersion: existing.version, actor });
    await tx.apply({ stream: 'case', id: existing.id, event: { type: 'REENTRY_CONFIRMED' }, expectedVersion: relapsed.row.version, actor });
    caseId = existing.id;
  } else if (existing) {
    caseId = existing.id;
  } else {
    // The sender may name the referral source (say, `self` via a GP); it was recorded with the share.
    const shared = await tx.trx
      .selectFrom('audit_log')
      .select('detail')
      .where('entity_type', '=', 'referral')
      .where('entity_id', '=', row.id)
      .where('action', 'in', ['share', 'override'])
      .executeTakeFirst();
    const named = shared ? (JSON.parse(shared.detail) as { referralSource?: string }).referralSource : undefined;
    const opened = await tx.openCase({
      personId: row.person_id,
      leadAgencyId: row.to_agency_id,
      referralSource: named ?? REFERRAL_SOURCE_BY_AGENCY_KIND[fromKind] ?? 'other',
      referredOn: row.created_at.slice(0, 10),
      actor,
    });
    caseId = opened.row.id;
  }
  await tx.trx.updateTable('referrals').set({ case_id: caseId }).where('id', '=', row.id).execute();
  return caseId;
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
      if (!(await personScope(ctx.store.db, viewer, body.personId, today))) throw hidden('The person');
      const to = await findAgency(ctx.store.db, body.toAgencyId);
      if (!to) throw validationError('toAgencyId names no agency; list them with GET /api/v1/agencies.', [{ path: 'toAgencyId', message: 'unknown agency' }]);
      if (to.id === user.agencyId) {
        throw validationError('A referral goes to another agency, not your own.', [{ path: 'toAgencyId', message: 'is your own agency' }]);
      }
      if (body.caseId) {
        const c = await ctx.store.db.selectFrom('cases').select(['id', 'person_id', 'lead_agency_id']).where('id', '=', body.caseId).executeTakeFirst();
        if (!c || c.person_id !== body.personId || !(await caseScope(ctx.store.db, viewer, c, today))) {
          throw validationError('caseId must be a journey of this person that you may see.', [{ path: 'caseId', message: 'unknown journey for this person' }]);
        }
      }
      const override = body.safeguardingOverride ? { justification: body.safeguardingOverride.justification, by: user.id, at: nowIso(ctx) } : null;
      if (!override) await requireConsent(ctx.store.db, body.personId, body.kind, to, user.agency.kind, today);
      const result = await ctx.engine.transaction(async (tx) => {
        const opened = await tx.openReferral({
          personId: body.personId,
          fromAgencyId: user.agencyId,
          fromUserId: user.id,
          toAgencyId: to.id,
          kind: body.kind,
          reason: body.reason,
          urgency: body.urgency,
          caseId: body.caseId ?? null,
          safeguardingOverride: override,
          actor: { userId: user.id, agencyId: user.agencyId },
        });
        await recordAudit(tx.trx, {
          at: nowIso(ctx),
          userId: user.id,
          agencyId: user.agencyId,
          action: override ? 'override' : 'share',
          personId: body.personId,
          entityType: 'referral',
          entityId: opened.row.id,
          purpose: override ? override.justification : body.reason.slice(0, 500),
          detail: {
            toAgencyId: to.id,
            kind: body.kind,
            categories: REFERRAL_KIND_CATEGORIES[body.kind],
            ...(body.referralSource ? { referralSource: body.referralSource } : {}),
            ...(override ? { safeguardingOverride: true } : {}),
          },
          flagged: override !== null,
        });
        return opened;
      });
      return {
        status: 201,
        body: await referralView(ctx.store.db, ctx.engine, viewer, result.row, today, { allowedEvents: result.allowedEvents }),
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
      const row = await loadVisibleReferral(ctx, user, params.id);
      const viewer = viewerOf(user);
      const today = todayOf(ctx);
      const { type, expectedVersion, effectiveAt, backdateReason, ...payload } = body;
      if (type === 'REFERRAL_CANCELLED' ? row.from_agency_id !== user.agencyId : row.to_agency_id !== user.agencyId) {
        throw new PathwaysError(
          'forbidden',
          type === 'REFERRAL_CANCELLED' ? 'Only the sending agency cancels a referral.' : `Only the receiving agency sends ${type}; as the sender you may send REFERRAL_CANCELLED.`,
        );
      }
      const from = await findAgency(ctx.store.db, row.from_agency_id);
      const to = await findAgency(ctx.store.db, row.to_agency_id);
      if (type === 'REFERRAL_ACCEPTED' && row.safeguarding_override === null && to) {
        // Nothing new flows once consent is withdrawn: accepting would start the flow.
        await requireConsent(ctx.store.db, row.person_id, row.kind as ReferralKind, to, from?.kind ?? '', today);
      }
      const actor = { userId: user.id, agencyId: user.agencyId };
      const result = await ctx.engine.transaction(async (tx) => {
        const applied = await tx.apply({
          stream: 'referral',
          id: row.id,
          event: { type, ...payload },
          expectedVersion: expectedVersion ?? row.version,
          actor,
          ...(effectiveAt ? { effectiveAt } : {}),
          ...(backdateReason ? { backdateReason } : {}),
        });
        let caseId: string | null = null;
        if (type === 'REFERRAL_ACCEPTED' && row.kind === 'treatment' && to?.kind === 'treatment_provider') {
          caseId = await openJourneyForAcceptedReferral(tx, applied.row, user, from?.kind ?? '');
          await recordAudit(tx.trx, {
            at: nowIso(ctx),
            userId: user.id,
            agencyId: user.agencyId,
            action: 'share',
            personId: row.person_id,
            entityType: 'case',
            entityId: caseId,
            detail: { via: 'referral_accepted', referralId: row.id },
          });
        }
        const fresh = await tx.trx.selectFrom('referrals').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
        return { row: fresh, allowedEvents: applied.allowedEvents };
      });
      return { status: 200, body: await referralView(ctx.store.db, ctx.engine, viewer, result.row, today, { allowedEvents: result.allowedEvents }) };
    },
  }),
];
