/**
 * People and their consents. Reading a person is recorded in the audit trail; what
 * another agency sees is cut to its consented categories.
 */
import { z } from 'zod';
import { personScope } from '../../src/access/record-access.ts';
import { projectPerson } from '../../src/access/projection.ts';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { createConsent, findConsent, isConsentActive, listConsents, withdrawConsent, type Consent } from '../../src/consent/consent-repository.ts';
import { PathwaysError, validationError } from '../../src/errors.ts';
import { findAgency } from '../../src/agencies/agency-repository.ts';
import { findPerson, personRecord } from '../../src/people/person-repository.ts';
import { identifiersOf } from '../../src/people/identifier-repository.ts';
import { searchPeople } from '../../src/people/person-search.ts';
import { personSummary } from '../../src/people/person-summary.ts';
import { registerPerson } from '../../src/people/register-person.ts';
import { idParams } from '../schemas/common.ts';
import { consentParams, consentSchema, createConsentBody, withdrawConsentBody } from '../schemas/consent.ts';
import { createPersonBody, duplicateCandidateSchema, personSchema, personSearchPage, searchPeopleQuery } from '../schemas/person.ts';
import { defineRoute } from '../routing/route.ts';
import { decodeCursor, encodeCursor, hidden, nowIso, todayOf, viewerOf } from './route-helpers.ts';

const CARE_ROLES = ['keyworker', 'referrer', 'manager'] as const;

function consentView(c: Consent, today: string) {
  return { ...c, active: isConsentActive(c, today) };
}

export const peopleRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/people',
    operationId: 'searchPeople',
    summary: 'Find a person by name, date of birth, identifier or postcode district',
    description:
      'Searches only the people your agency may see: those it holds (registered or leads a journey of) and those shared with it (a live referral and the person\'s consent to identity). ' +
      'q: part of a name, either order, case and accents ignored, common slips forgiven (same sound); or a whole identifier. All criteria given must match. ' +
      'Pages in a stable order (nextCursor); there is no total. Every search is recorded in the audit trail (who searched for what).',
    tag: 'people',
    auth: CARE_ROLES,
    query: searchPeopleQuery,
    responses: { 200: { description: 'a page of people', schema: personSearchPage } },
    async handle({ query, user, ctx }) {
      const { cursor, limit, ...input } = query;
      const after = decodeCursor(cursor, ['after'] as const)?.after;
      const page = await searchPeople({ db: ctx.store.db, engine: ctx.engine }, viewerOf(user), input, { today: todayOf(ctx), at: nowIso(ctx), cursor: after, limit });
      return {
        status: 200,
        body: { items: page.items.map(personSummary), nextCursor: page.nextCursor === null ? null : encodeCursor({ after: page.nextCursor }) },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/people',
    operationId: 'createPerson',
    summary: 'Register a person (identity, identifiers, contact and equality-monitoring fields)',
    description:
      'Answers 409 possible_duplicate, with details.candidates (the people you may see with the same NHS number, or the same name and date of birth, and matchedOn), unless confirmNew is true. ' +
      'An identifier already on another record your agency registered answers 409 conflict. A date of birth in the future or giving an age outside 10–110 is refused.',
    tag: 'people',
    auth: CARE_ROLES,
    body: createPersonBody,
    responses: {
      201: { description: 'registered; your agency holds the record', schema: personSchema },
      409: { description: 'possible_duplicate: details.candidates lists the look-alikes', schema: z.object({ candidates: z.array(duplicateCandidateSchema) }) },
    },
    async handle({ body, user, ctx }) {
      const { row, identifiers } = await registerPerson(ctx.store.db, viewerOf(user), body, { at: nowIso(ctx), today: todayOf(ctx) });
      return { status: 201, body: { ...projectPerson({ ...personRecord(row), identifiers }, 'all'), access: { scope: 'holder', categories: ['all'] } } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/people/:id',
    operationId: 'getPerson',
    summary: 'Read a person, cut to what your agency may see',
    tag: 'people',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'the person', schema: personSchema } },
    async handle({ params, user, ctx }) {
      const scope = await personScope(ctx.store.db, viewerOf(user), params.id, todayOf(ctx));
      const row = scope ? await findPerson(ctx.store.db, params.id) : undefined;
      if (!scope || !row) throw hidden('The person');
      const categories = scope.categories === 'all' ? ['all'] : [...scope.categories];
      await recordAudit(ctx.store.db, {
        at: nowIso(ctx),
        userId: user.id,
        agencyId: user.agencyId,
        action: 'read',
        personId: row.id,
        entityType: 'person',
        entityId: row.id,
        detail: { scope: scope.kind, categories },
      });
      const identifiers = await identifiersOf(ctx.store.db, row.id);
      return { status: 200, body: { ...projectPerson({ ...personRecord(row), identifiers }, scope.categories), access: { scope: scope.kind, categories } } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/people/:id/consents',
    operationId: 'listConsents',
    summary: "A person's consents (the holder sees all; another agency sees those naming it)",
    tag: 'consent',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'consents', schema: z.object({ items: z.array(consentSchema) }) } },
    async handle({ params, user, ctx }) {
      const scope = await personScope(ctx.store.db, viewerOf(user), params.id, todayOf(ctx));
      if (!scope) throw hidden('The person');
      const all = await listConsents(ctx.store.db, params.id);
      const mine = scope.kind === 'holder' ? all : all.filter((c) => c.toAgencyId === user.agencyId || c.toAgencyKind === user.agency.kind);
      return { status: 200, body: { items: mine.map((c) => consentView(c, todayOf(ctx))) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/people/:id/consents',
    operationId: 'createConsent',
    summary: 'Record consent to share categories of data with an agency (or every agency of a kind)',
    description: 'Recorded by the agency that holds the person\'s record. Categories: identity, contact, substance_use, treatment_progress, health, offending, housing, employment, safeguarding.',
    tag: 'consent',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: createConsentBody,
    responses: { 201: { description: 'recorded', schema: consentSchema } },
    async handle({ params, body, user, ctx }) {
      const scope = await personScope(ctx.store.db, viewerOf(user), params.id, todayOf(ctx));
      if (!scope) throw hidden('The person');
      if (scope.kind !== 'holder') {
        throw new PathwaysError('forbidden', 'Only the agency that holds this person\'s record (registered them or leads their journey) records their consents.');
      }
      if (body.toAgencyId && !(await findAgency(ctx.store.db, body.toAgencyId))) {
        throw validationError('toAgencyId names no agency; list them with GET /api/v1/agencies.', [{ path: 'toAgencyId', message: 'unknown agency' }]);
      }
      const today = todayOf(ctx);
      const givenOn = body.givenOn ?? today;
      if (givenOn > today) throw validationError('givenOn cannot be in the future.', [{ path: 'givenOn', message: 'must not be after today' }]);
      if (body.validUntil !== undefined && body.validUntil < givenOn) {
        throw validationError('validUntil is before the consent was given.', [{ path: 'validUntil', message: 'must be on or after givenOn' }]);
      }
      const consent = await ctx.store.db.transaction().execute(async (trx) => {
        const created = await createConsent(trx, {
          personId: params.id,
          toAgencyId: body.toAgencyId ?? null,
          toAgencyKind: body.toAgencyKind ?? null,
          categories: body.categories,
          purpose: body.purpose,
          givenOn,
          validUntil: body.validUntil ?? null,
          recordedBy: user.id,
          recordedAt: nowIso(ctx),
        });
        await recordAudit(trx, {
          at: nowIso(ctx),
          userId: user.id,
          agencyId: user.agencyId,
          action: 'consent_given',
          personId: params.id,
          entityType: 'consent',
          entityId: created.id,
          purpose: body.purpose,
          detail: { toAgencyId: created.toAgencyId, toAgencyKind: created.toAgencyKind, categories: created.categories, validUntil: created.validUntil },
        });
        return created;
      });
      return { status: 201, body: consentView(consent, today) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/people/:id/consents/:cid/withdraw',
    operationId: 'withdrawConsent',
    summary: 'Withdraw a consent: from the commit on nothing new flows to that agency and it loses access',
    tag: 'consent',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: consentParams,
    body: withdrawConsentBody,
    responses: { 200: { description: 'withdrawn', schema: consentSchema } },
    async handle({ params, body, user, ctx }) {
      const scope = await personScope(ctx.store.db, viewerOf(user), params.id, todayOf(ctx));
      const existing = scope ? await findConsent(ctx.store.db, params.id, params.cid) : undefined;
      // The holder, or the agency the consent names, may record a withdrawal the person tells them of.
      const named = existing && (existing.toAgencyId === user.agencyId || existing.toAgencyKind === user.agency.kind);
      if (!scope || !existing || (scope.kind !== 'holder' && !named)) throw hidden('The consent');
      if (existing.withdrawnAt !== null) {
        throw new PathwaysError('conflict', `This consent was already withdrawn at ${existing.withdrawnAt}.`);
      }
      const at = nowIso(ctx);
      await ctx.store.db.transaction().execute(async (trx) => {
        const changed = await withdrawConsent(trx, params.cid, user.id, at, body.reason ?? null);
        if (!changed) throw new PathwaysError('conflict', 'This consent was withdrawn by someone else a moment ago.');
        // Referrals still open to an agency this consent covered: recorded, so an auditor sees what the withdrawal cut.
        const affected = await trx
          .selectFrom('referrals')
          .innerJoin('agencies', 'agencies.id', 'referrals.to_agency_id')
          .select(['referrals.id'])
          .where('referrals.person_id', '=', params.id)
          .where('referrals.state', 'in', ['requested', 'received', 'accepted', 'inProgress'])
          .where((eb) =>
            existing.toAgencyId !== null ? eb('referrals.to_agency_id', '=', existing.toAgencyId) : eb('agencies.kind', '=', existing.toAgencyKind ?? ''),
          )
          .execute();
        await recordAudit(trx, {
          at,
          userId: user.id,
          agencyId: user.agencyId,
          action: 'consent_withdrawn',
          personId: params.id,
          entityType: 'consent',
          entityId: params.cid,
          purpose: body.reason ?? null,
          detail: { toAgencyId: existing.toAgencyId, toAgencyKind: existing.toAgencyKind, openReferrals: affected.map((r) => r.id) },
        });
      });
      const updated = await findConsent(ctx.store.db, params.id, params.cid);
      return { status: 200, body: consentView(updated as Consent, todayOf(ctx)) };
    },
  }),
];
