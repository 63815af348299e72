/**
 * Treatment journeys: open, list, read, timeline, and move on by events. Reads of a
 * journey are audited; what another agency sees is cut to its consent.
 */
import { consentsEndingSoon } from '../../src/consent/consent-warnings.ts';
import { z } from 'zod';
import { projectPerson, projectTimelineEntry, withheldOf } from '../../src/access/projection.ts';
import { caseScope, personScope, type Scope } from '../../src/access/record-access.ts';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import type { CaseRow, PersonTable } from '../../src/db/schema.ts';
import { PathwaysError, validationError } from '../../src/errors.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';
import { caseTimeline, findCase, findOpenCaseAt, listVisibleCases } from '../../src/journeys/journey-queries.ts';
import { matchesCaseFilter } from '../../src/journeys/journey-list-filter.ts';
import { findUser } from '../../src/agencies/agency-repository.ts';
import { findPeople, findPerson, personRecord } from '../../src/people/person-repository.ts';
import { caseEventBody } from '../schemas/case-events.ts';
import { caseSchema, createCaseBody, listCasesQuery, timelineEntrySchema } from '../schemas/case.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { defineRoute } from '../routing/route.ts';
import { caseView, dueTimersAfter, maySendCaseEvents } from '../../src/journeys/journey-view.ts';
import { decodeCursor, encodeCursor, hidden, nowIso, todayOf, viewerOf } from './route-helpers.ts';

const CARE_ROLES = ['keyworker', 'referrer', 'manager'] as const;

/** Loads a journey the user may see, or answers 404. */
export async function loadVisibleCase(ctx: AppContext, user: AuthUser, id: string): Promise<{ row: CaseRow; scope: Scope }> {
  const row = await findCase(ctx.store.db, id);
  const scope = row ? await caseScope(ctx.store.db, viewerOf(user), row, todayOf(ctx)) : null;
  if (!row || !scope) throw hidden('The journey');
  return { row, scope };
}

/** The person's name and monitoring fields for a journey view, cut to what the user may see. */
async function personSummary(ctx: AppContext, user: AuthUser, personId: string, known?: { scope: Scope; row: PersonTable }): Promise<Record<string, unknown> | undefined> {
  const scope = known?.scope ?? (await personScope(ctx.store.db, viewerOf(user), personId, todayOf(ctx)));
  const row = scope ? (known?.row ?? (await findPerson(ctx.store.db, personId))) : undefined;
  if (!scope || !row) return undefined;
  const { givenName, familyName, dateOfBirth, sex, postcodeDistrict, ethnicity, id } = personRecord(row);
  return projectPerson({ id, givenName, familyName, dateOfBirth, sex, postcodeDistrict, ethnicity }, scope.categories);
}

export const caseRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/cases',
    operationId: 'openCase',
    summary: 'Open a treatment journey at your agency',
    tag: 'cases',
    auth: ['keyworker', 'manager'],
    body: createCaseBody,
    responses: { 201: { description: 'opened', schema: caseSchema } },
    async handle({ body, user, ctx }) {
      if (user.agency.kind !== 'treatment_provider') {
        throw new PathwaysError('forbidden', 'Only a treatment provider leads a journey; partner agencies send a treatment referral (POST /api/v1/referrals).');
      }
      const scope = await personScope(ctx.store.db, viewerOf(user), body.personId, todayOf(ctx));
      if (!scope) throw hidden('The person');
      if (body.keyworkerId) {
        const kw = await findUser(ctx.store.db, body.keyworkerId);
        if (!kw || kw.agency_id !== user.agencyId || kw.role !== 'keyworker') {
          throw validationError('keyworkerId must be a keyworker of your agency.', [{ path: 'keyworkerId', message: 'not a keyworker of your agency' }]);
        }
      }
      const openId = await findOpenCaseAt(ctx.store.db, body.personId, user.agencyId);
      if (openId) {
        throw new PathwaysError('conflict', `This person already has an open journey at your agency (${openId}); move that one on instead.`, { caseId: openId });
      }
      const actor = { userId: user.id, agencyId: user.agencyId };
      const result = await ctx.engine.transaction(async (tx) => {
        const opened = await tx.openCase({
          personId: body.personId,
          leadAgencyId: user.agencyId,
          keyworkerId: body.keyworkerId ?? null,
          referralSource: body.referralSource,
          referredOn: body.referredOn,
          ...(body.checkupScheduleDays ? { input: { checkupScheduleDays: body.checkupScheduleDays } } : {}),
          actor,
        });
        await recordAudit(tx.trx, { at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'create', personId: body.personId, entityType: 'case', entityId: opened.row.id });
        return opened;
      });
      const view = await caseView(ctx.store.db, ctx.engine, user, result.row, { kind: 'holder', categories: 'all' }, { allowedEvents: result.allowedEvents, eventOptions: result.eventOptions });
      return { status: 201, body: view, headers: { Location: `/api/v1/cases/${result.row.id}` } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/cases',
    operationId: 'listCases',
    summary: 'Journeys you may see: your agency\'s, and those shared with it by consent',
    description:
      'Newest first, cursor-paginated. Filters: stage, keyworker (id or `me`), overdue, personId. ' +
      "On your agency's own journeys, consentsExpiring lists the person's consents that a live referral uses and that end within 30 days (renew them with the person).",
    tag: 'cases',
    auth: CARE_ROLES,
    query: listCasesQuery,
    responses: { 200: { description: 'a page of journeys', schema: pageOf(caseSchema) } },
    async handle({ query, user, ctx }) {
      const before = decodeCursor(query.cursor, ['openedAt', 'id'] as const);
      const viewer = viewerOf(user);
      const today = todayOf(ctx);
      const filter = {
        ...(query.stage ? { stage: query.stage } : {}),
        ...(query.keyworker ? { keyworkerId: query.keyworker === 'me' ? user.id : query.keyworker } : {}),
        ...(query.personId ? { personId: query.personId } : {}),
        ...(query.overdue ? { overdueOnly: true } : {}),
      };
      const rows = await listVisibleCases(ctx.store.db, viewer, today, { ...filter, ...(before ? { before } : {}), limit: query.limit });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const items: Record<string, unknown>[] = [];
      const scopes = new Map<string, Scope | null>();
      // The people of the agency's own journeys are its own records: load them in one query.
      const ownPeople = page.filter((r) => r.lead_agency_id === user.agencyId).map((r) => r.person_id);
      const people = new Map((await findPeople(ctx.store.db, ownPeople)).map((p) => [p.id, p] as const));
      for (const row of page) {
        const key = `${row.lead_agency_id}|${row.person_id}`;
        if (!scopes.has(key)) scopes.set(key, await caseScope(ctx.store.db, viewer, row, today));
        const scope = scopes.get(key);
        if (!scope) continue;
        const own = people.get(row.person_id);
        const person = await personSummary(ctx, user, row.person_id, own && scope.kind === 'holder' ? { scope, row: own } : undefined);
        const view = await caseView(ctx.store.db, ctx.engine, user, row, scope, person ? { person } : {});
        // The filters judge what this viewer sees: a stage it may not see never matches.
        if (matchesCaseFilter(view, filter)) items.push(view);
      }
      // The holder's rows warn of consents a live referral uses that end within 30 days (src/consent/consent-warnings.ts).
      const held = items.filter((i) => (i.access as { scope?: string } | undefined)?.scope === 'holder');
      const ending = await consentsEndingSoon(ctx.store.db, [...new Set(held.map((i) => String(i.personId)))], today);
      for (const item of held) item.consentsExpiring = ending.filter((c) => c.personId === item.personId);
      if (items.length > 0) {
        await recordAudit(
          ctx.store.db,
          items.map((i) => ({ at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'read' as const, personId: String(i.personId), entityType: 'case', entityId: String(i.id), detail: { via: 'list' } })),
        );
      }
      return { status: 200, body: { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ openedAt: last.opened_at, id: last.id }) : null } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/cases/:id',
    operationId: 'getCase',
    summary: 'One journey: state, stage, version, allowedEvents for you, due timers, care package, interventions, TOPs',
    tag: 'cases',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'the journey', schema: caseSchema } },
    async handle({ params, user, ctx }) {
      const { row, scope } = await loadVisibleCase(ctx, user, params.id);
      await recordAudit(ctx.store.db, { at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'read', personId: row.person_id, entityType: 'case', entityId: row.id, detail: { scope: scope.kind } });
      const person = await personSummary(ctx, user, row.person_id);
      return { status: 200, body: await caseView(ctx.store.db, ctx.engine, user, row, scope, person ? { person } : {}) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/cases/:id/timeline',
    operationId: 'getCaseTimeline',
    summary: 'Every event of a journey, oldest first (who, when recorded, when effective, from → to)',
    tag: 'cases',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'the timeline', schema: z.object({ items: z.array(timelineEntrySchema), withheld: z.array(z.string()), consentWithdrawn: z.boolean(), sharedUntil: z.string().nullable() }) } },
    async handle({ params, user, ctx }) {
      const { row, scope } = await loadVisibleCase(ctx, user, params.id);
      await recordAudit(ctx.store.db, { at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'read', personId: row.person_id, entityType: 'case_timeline', entityId: row.id });
      const entries = await caseTimeline(ctx.store.db, row.id);
      // Consent withdrawn: only what was recorded before the withdrawal.
      const until = scope.sharedUntil;
      const held = until ? entries.filter((e) => e.recordedAt < until) : entries;
      const items = held.map((e) => projectTimelineEntry(e, scope.categories)).filter((e) => e !== null);
      return { status: 200, body: { items, withheld: withheldOf(scope.categories), consentWithdrawn: Boolean(until), sharedUntil: until ?? null } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/cases/:id/events',
    operationId: 'sendCaseEvent',
    summary: 'Move a journey on with one event',
    description:
      'The body is one event of the pathway statechart, discriminated on `type`, with the `expectedVersion` you last read. ' +
      'Answers 200 with the journey, or 409 invalid_transition (with allowedEvents), 409 version_conflict (with currentVersion), 400 (field paths).',
    tag: 'cases',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: caseEventBody,
    responses: { 200: { description: 'the journey after the event', schema: caseSchema } },
    async handle({ params, body, user, ctx }) {
      const { type, expectedVersion, effectiveAt, backdateReason, ...payload } = body;
      // Every read and the write in one unit of work: on SQLite that is one wait for a
      // (group) commit per request instead of one per query.
      const result = await ctx.engine.transaction(async (tx) => {
        const row = await tx.load('case', params.id);
        const scope = row ? await caseScope(tx.trx, viewerOf(user), row, todayOf(ctx)) : null;
        if (!row || !scope) throw hidden('The journey');
        if (!maySendCaseEvents(user, row)) {
          throw new PathwaysError('forbidden', 'Only keyworkers and managers of the agency leading this journey move it on.');
        }
        if (type === 'KEYWORKER_ASSIGNED') {
          const kw = await findUser(tx.trx, body.keyworkerId);
          if (!kw || kw.agency_id !== row.lead_agency_id || kw.role !== 'keyworker') {
            throw validationError('keyworkerId must be a keyworker of the agency leading this journey.', [{ path: 'keyworkerId', message: 'not a keyworker of the lead agency' }]);
          }
        }
        const applied = await tx.apply({
          stream: 'case',
          id: row.id,
          event: { type, ...payload },
          expectedVersion,
          row,
          actor: { userId: user.id, agencyId: user.agencyId },
          ...(effectiveAt ? { effectiveAt } : {}),
          ...(backdateReason ? { backdateReason } : {}),
        });
        return { applied, scope, timers: await dueTimersAfter(tx.sql, 'case', applied) };
        // Reads, and this journey's event alone: on PostgreSQL it may run beside other journeys' (engine.transaction's `only`).
      }, { only: { stream: 'case', id: params.id } });
      const { applied, scope, timers } = result;
      return { status: 200, body: await caseView(ctx.store.db, ctx.engine, user, applied.row, scope, { allowedEvents: applied.allowedEvents, eventOptions: applied.eventOptions, dueTimers: timers, snapshot: applied.snapshot }) };
    },
  }),
];
