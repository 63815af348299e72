/**
 * People and their consents. Every write is an event on the person's stream (src/people/
 * person-commands.ts); reading a person is recorded in the audit trail; what another
 * agency sees is cut to its consented categories.
 */
import { z } from 'zod';
import { personScope } from '../../src/access/record-access.ts';
import { projectPerson } from '../../src/access/projection.ts';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { isConsentActive, listConsents, type Consent } from '../../src/consent/consent-repository.ts';
import { defaultValidUntil } from '../../src/consent/consent-term.ts';
import { validationError } from '../../src/errors.ts';
import { correctPersonDetails, giveConsent, renewConsent, withdrawConsent } from '../../src/people/person-commands.ts';
import { identifiersOf } from '../../src/people/identifier-repository.ts';
import { searchPeople } from '../../src/people/person-search.ts';
import { personSummary } from '../../src/people/person-summary.ts';
import { keptIdentifierChanges, registerPerson } from '../../src/people/register-person.ts';
import { findPerson, personRecord, personVersion } from '../../src/people/person-repository.ts';
import { personTimeline } from '../../src/people/person-timeline.ts';
import { linkedRecords, linkPeople, unlinkPeople, type LinkedRecord } from '../../src/people/person-links.ts';
import { idParams } from '../schemas/common.ts';
import { consentParams, consentSchema, createConsentBody, renewConsentBody, withdrawConsentBody } from '../schemas/consent.ts';
import {
  correctPersonBody,
  createPersonBody,
  duplicateCandidateSchema,
  linkedRecordSchema,
  linkParams,
  linkPersonBody,
  personSchema,
  personSearchPage,
  personTimelineEntrySchema,
  searchPeopleQuery,
  unlinkPersonBody,
} from '../schemas/person.ts';
import { defineRoute } from '../routing/route.ts';
import { decodeCursor, encodeCursor, hidden, nowIso, todayOf, viewerOf } from './route-helpers.ts';

const CARE_ROLES = ['keyworker', 'referrer', 'manager'] as const;

function consentView(c: Consent, today: string) {
  return { ...c, active: isConsentActive(c, today) };
}

const linkView = (l: LinkedRecord) => ({ ...personSummary(l), reason: l.reason, referralId: l.referralId, linkedAt: l.linkedAt, linkedBy: l.linkedBy });
const linksOf = z.object({ items: z.array(linkedRecordSchema) });

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
      'Opens the person\'s stream with `PERSON_RECORDED` (identifiers included). ' +
      'Answers 409 possible_duplicate, with details.candidates (the people you may see with the same NHS number, or the same name and date of birth, and matchedOn), unless confirmNew is true (then the event and the audit entry name the candidates passed over). ' +
      'An identifier already on another record your agency registered answers 409 conflict. A date of birth in the future or giving an age outside 10–110 is refused.',
    tag: 'people',
    auth: CARE_ROLES,
    body: createPersonBody,
    responses: {
      201: { description: 'registered; your agency holds the record', schema: personSchema },
      409: { description: 'possible_duplicate: details.candidates lists the look-alikes', schema: z.object({ candidates: z.array(duplicateCandidateSchema) }) },
    },
    async handle({ body, user, ctx }) {
      const { row, version, identifiers } = await registerPerson(ctx.engine, viewerOf(user), body, { at: nowIso(ctx), today: todayOf(ctx) });
      return { status: 201, body: { ...projectPerson({ ...personRecord(row), identifiers }, 'all'), version, access: { scope: 'holder', categories: ['all'] } } };
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
      const version = await personVersion(ctx.store.db, row.id);
      const identifiers = await identifiersOf(ctx.store.db, row.id);
      return {
        status: 200,
        body: { ...projectPerson({ ...personRecord(row), identifiers }, scope.categories), ...(version !== null ? { version } : {}), access: { scope: scope.kind, categories } },
      };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/people/:id',
    operationId: 'correctPerson',
    summary: "Correct a person's details (the holder only)",
    description: 'Records `PERSON_DETAILS_CORRECTED` with the fields given; `null` clears an optional field. Pass `expectedVersion` (the `version` you read) to be refused with 409 if someone changed the record since.',
    tag: 'people',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: correctPersonBody,
    responses: { 200: { description: 'corrected', schema: personSchema } },
    async handle({ params, body, user, ctx }) {
      const { expectedVersion, ...changes } = body;
      for (const key of Object.keys(changes)) if ((changes as Record<string, unknown>)[key] === undefined) delete (changes as Record<string, unknown>)[key];
      for (const required of ['givenName', 'familyName', 'dateOfBirth', 'sex'] as const) {
        if ((changes as Record<string, unknown>)[required] === null) throw validationError(`${required} cannot be cleared.`, [{ path: required, message: 'required' }]);
      }
      const { row, version } = await correctPersonDetails(ctx.engine, viewerOf(user), params.id, keptIdentifierChanges(changes), {
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
        today: todayOf(ctx),
        at: nowIso(ctx),
      });
      return { status: 200, body: { ...projectPerson(personRecord(row), 'all'), version, access: { scope: 'holder', categories: ['all'] } } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/people/:id/timeline',
    operationId: 'getPersonTimeline',
    summary: "A person's stream as a timeline: recorded, corrections, and each consent given, renewed, withdrawn or expired",
    description: 'Cut like the person: the holder sees every entry; an agency the record is shared with sees the details it may see and only the consents naming it.',
    tag: 'people',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'the timeline, oldest first', schema: z.object({ items: z.array(personTimelineEntrySchema) }) } },
    async handle({ params, user, ctx }) {
      const viewer = viewerOf(user);
      const scope = await personScope(ctx.store.db, viewer, params.id, todayOf(ctx));
      if (!scope) throw hidden('The person');
      const items = await personTimeline(ctx.store.db, viewer, params.id, scope, todayOf(ctx));
      await recordAudit(ctx.store.db, {
        at: nowIso(ctx),
        userId: user.id,
        agencyId: user.agencyId,
        action: 'read',
        personId: params.id,
        entityType: 'person_timeline',
        entityId: params.id,
        detail: { scope: scope.kind, categories: scope.categories === 'all' ? ['all'] : [...scope.categories] },
      });
      return { status: 200, body: { items } };
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
    description:
      "Recorded by the agency that holds the person's record, as `CONSENT_GIVEN` on the person's stream. Categories: identity, contact, substance_use, treatment_progress, health, offending, housing, employment, safeguarding. Without validUntil it runs PATHWAYS_CONSENT_MONTHS months, 12 by default (to the day before the same date that many months on); it expires by itself at the end of its last day, local midnight in the service's time zone (CONSENT_EXPIRED).",
    tag: 'consent',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: createConsentBody,
    responses: { 201: { description: 'recorded', schema: consentSchema } },
    async handle({ params, body, user, ctx }) {
      const today = todayOf(ctx);
      const givenOn = body.givenOn ?? today;
      if (givenOn > today) throw validationError('givenOn cannot be in the future.', [{ path: 'givenOn', message: 'must not be after today' }]);
      if (body.validUntil !== undefined && body.validUntil < givenOn) {
        throw validationError('validUntil is before the consent was given.', [{ path: 'validUntil', message: 'must be on or after givenOn' }]);
      }
      const consent = await giveConsent(
        ctx.engine,
        viewerOf(user),
        params.id,
        {
          toAgencyId: body.toAgencyId ?? null,
          toAgencyKind: body.toAgencyKind ?? null,
          categories: body.categories,
          purpose: body.purpose,
          givenOn,
          // Unsaid, a consent runs the configured months (12 by default; src/consent/consent-term.ts), never just today.
          validUntil: body.validUntil ?? defaultValidUntil(givenOn, ctx.consentMonths),
        },
        { today, at: nowIso(ctx) },
      );
      return { status: 201, body: consentView(consent, today) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/people/:id/consents/:cid/renew',
    operationId: 'renewConsent',
    summary: 'Renew a consent to a new last valid day (the holder only); an expired consent comes back into force',
    description: "Records `CONSENT_RENEWED` on the person's stream. A withdrawn consent is not renewed (409): record a new one.",
    tag: 'consent',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: consentParams,
    body: renewConsentBody,
    responses: { 200: { description: 'renewed', schema: consentSchema } },
    async handle({ params, body, user, ctx }) {
      const consent = await renewConsent(ctx.engine, viewerOf(user), params.id, params.cid, body.validUntil, { today: todayOf(ctx), at: nowIso(ctx) });
      return { status: 200, body: consentView(consent, todayOf(ctx)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/people/:id/consents/:cid/withdraw',
    operationId: 'withdrawConsent',
    summary: 'Withdraw a consent: from the commit on nothing new flows to that agency and it loses access',
    description: "Records `CONSENT_WITHDRAWN` on the person's stream.",
    tag: 'consent',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: consentParams,
    body: withdrawConsentBody,
    responses: { 200: { description: 'withdrawn', schema: consentSchema } },
    async handle({ params, body, user, ctx }) {
      const consent = await withdrawConsent(ctx.engine, viewerOf(user), params.id, params.cid, body.reason ?? null, { today: todayOf(ctx), at: nowIso(ctx) });
      return { status: 200, body: consentView(consent, todayOf(ctx)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/people/:id/links',
    operationId: 'listPersonLinks',
    summary: "Records linked with this one as the same person (only those you may see)",
    description: 'Each linked record is listed only if your agency may see it; a link to a record you may not see is not shown, nor counted.',
    tag: 'people',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    responses: { 200: { description: 'the linked records, oldest link first', schema: linksOf } },
    async handle({ params, user, ctx }) {
      const viewer = viewerOf(user);
      if (!(await personScope(ctx.store.db, viewer, params.id, todayOf(ctx)))) throw hidden('The person');
      return { status: 200, body: { items: (await linkedRecords(ctx.store.db, viewer, params.id, todayOf(ctx))).map(linkView) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/people/:id/links',
    operationId: 'linkPerson',
    summary: 'Link two records of the same person (you must be able to see both)',
    description:
      "Records `PERSON_LINKED {otherPersonId, reason}` on both persons' streams in one transaction, audited (`link`). Both records and their histories stay; " +
      'measures count the linked group as one person (`people.linked_to`: the earliest recorded record stands for the group). 404 unless you may see both records; 409 when they are already linked.',
    tag: 'people',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: idParams,
    body: linkPersonBody,
    responses: { 201: { description: 'linked; the records now linked with this one', schema: linksOf } },
    async handle({ params, body, user, ctx }) {
      const viewer = viewerOf(user);
      await linkPeople(ctx.engine, viewer, params.id, body.otherPersonId, body.reason, { today: todayOf(ctx), at: nowIso(ctx) });
      return { status: 201, body: { items: (await linkedRecords(ctx.store.db, viewer, params.id, todayOf(ctx))).map(linkView) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/people/:id/links/:otherId/unlink',
    operationId: 'unlinkPerson',
    summary: 'Undo a link between two records (you must be able to see both)',
    description: "Records `PERSON_UNLINKED {otherPersonId, reason}` on both persons' streams, audited (`unlink`); the linked group is worked out again (a chain split in two becomes two people). 404 unless you may see both and they are linked.",
    tag: 'people',
    auth: CARE_ROLES,
    hideFromOtherRoles: true,
    params: linkParams,
    body: unlinkPersonBody,
    responses: { 200: { description: 'unlinked; the records still linked with this one', schema: linksOf } },
    async handle({ params, body, user, ctx }) {
      const viewer = viewerOf(user);
      await unlinkPeople(ctx.engine, viewer, params.id, params.otherId, body.reason ?? null, { today: todayOf(ctx), at: nowIso(ctx) });
      return { status: 200, body: { items: (await linkedRecords(ctx.store.db, viewer, params.id, todayOf(ctx))).map(linkView) } };
    },
  }),
];
