/**
 * What staff do to a person's record, each one engine unit: recording a person,
 * correcting their details, and giving, renewing or withdrawing a consent. Access is
 * checked inside the unit that writes, so nothing can change between the check and the
 * write; the event, its projection (`people`, `consents`) and the audit entry commit
 * together.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DataCategory } from '../../machines/data-categories.ts';
import { personScope, type Scope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import { recordAudit } from '../audit/audit-repository.ts';
import { findConsent, type Consent } from '../consent/consent-repository.ts';
import type { Database, PersonTable, RecordStreamRow } from '../db/schema.ts';
import type { Actor, Engine, EngineTransaction } from '../engine/engine-types.ts';
import { PathwaysError, validationError } from '../errors.ts';
import { GENESIS_REASON, personGenesis } from './person-genesis.ts';
import { findPerson, type PersonInput } from './person-repository.ts';

/** A person's row and the version of their stream. */
export interface PersonWritten {
  row: PersonTable;
  version: number;
}

/** What giving a consent takes (the API's `POST /people/:id/consents` body, dates resolved). */
export interface ConsentInput {
  toAgencyId: string | null;
  toAgencyKind: string | null;
  categories: DataCategory[];
  purpose: string;
  givenOn: string;
  validUntil: string | null;
}

const actorOf = (viewer: Viewer): Actor => ({ userId: viewer.userId, agencyId: viewer.agencyId });

/** The 404 a hidden or missing record answers, so the two cannot be told apart. */
function hidden(what: string): PathwaysError {
  return new PathwaysError('not_found', `${what} was not found, or you may not see it.`);
}

async function visiblePerson(trx: Kysely<Database>, viewer: Viewer, personId: string, today: string): Promise<Scope> {
  const scope = await personScope(trx, viewer, personId, today);
  if (!scope) throw hidden('The person');
  return scope;
}

function requireHolder(scope: Scope, doing: string): void {
  if (scope.kind !== 'holder') {
    throw new PathwaysError('forbidden', `Only the agency that holds this person's record (registered them or leads their journey) ${doing}.`);
  }
}

/**
 * The person's stream row. A person whose row was written without a stream (by a bulk
 * loader, or before migration 016 ran on a copy restored later) gets one now, from
 * genesis events standing for the rows already there.
 */
export async function personStream(tx: EngineTransaction, personId: string): Promise<RecordStreamRow> {
  const row = await tx.load('person', personId);
  if (row) return row;
  const person = await tx.trx.selectFrom('people').selectAll().where('id', '=', personId).executeTakeFirst();
  if (!person) throw hidden('The person');
  const consents = await tx.trx.selectFrom('consents').selectAll().where('person_id', '=', personId).execute();
  let opened: RecordStreamRow | undefined;
  for (const g of personGenesis(person, consents)) {
    const time = { effectiveAt: g.effectiveAt, backdateReason: GENESIS_REASON };
    opened = opened
      ? (await tx.apply({ stream: 'person', id: personId, event: { type: g.type, ...g.payload }, expectedVersion: opened.version, actor: g.actor, row: opened, ...time })).row
      : (await tx.openRecord({ stream: 'person', id: personId, event: { type: g.type, ...g.payload }, actor: g.actor, ...time })).row;
  }
  return opened!;
}

/** Records a new person, held by the viewer's agency (`PERSON_RECORDED`). */
export async function recordPerson(engine: Engine, viewer: Viewer, input: PersonInput, at: string): Promise<PersonWritten> {
  return engine.transaction(async (tx) => {
    const opened = await tx.openRecord({ stream: 'person', event: { type: 'PERSON_RECORDED', ...input, createdByAgencyId: viewer.agencyId }, actor: actorOf(viewer) });
    await recordAudit(tx.trx, { at, userId: viewer.userId, agencyId: viewer.agencyId, action: 'create', personId: opened.row.id, entityType: 'person', entityId: opened.row.id });
    const row = await findPerson(tx.trx, opened.row.id);
    return { row: row!, version: opened.row.version };
  });
}

/**
 * Corrects a person's details (`PERSON_DETAILS_CORRECTED`); a null clears an optional
 * field. The holder only. `expectedVersion`, when given, guards against a concurrent edit.
 */
export async function correctPersonDetails(
  engine: Engine,
  viewer: Viewer,
  personId: string,
  changes: Record<string, unknown>,
  options: { expectedVersion?: number; today: string; at: string },
): Promise<PersonWritten> {
  if (Object.keys(changes).length === 0) throw validationError('Name at least one field to correct.', [{ path: 'body', message: 'no changes' }]);
  return engine.transaction(async (tx) => {
    requireHolder(await visiblePerson(tx.trx, viewer, personId, options.today), 'corrects their details');
    const stream = await personStream(tx, personId);
    const applied = await tx.apply({
      stream: 'person',
      id: personId,
      event: { type: 'PERSON_DETAILS_CORRECTED', changes },
      expectedVersion: options.expectedVersion ?? stream.version,
      actor: actorOf(viewer),
      row: stream,
    });
    await recordAudit(tx.trx, {
      at: options.at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: 'correct',
      personId,
      entityType: 'person',
      entityId: personId,
      // Which fields changed, never their values: the audit trail holds no personal data of its own.
      detail: { fields: Object.keys(changes).sort() },
    });
    return { row: (await findPerson(tx.trx, personId))!, version: applied.row.version };
  });
}

/** Records a consent the person gave (`CONSENT_GIVEN`). The holder only. */
export async function giveConsent(engine: Engine, viewer: Viewer, personId: string, input: ConsentInput, options: { today: string; at: string }): Promise<Consent> {
  return engine.transaction(async (tx) => {
    requireHolder(await visiblePerson(tx.trx, viewer, personId, options.today), 'records their consents');
    if (input.toAgencyId && !(await tx.trx.selectFrom('agencies').select('id').where('id', '=', input.toAgencyId).executeTakeFirst())) {
      throw validationError('toAgencyId names no agency; list them with GET /api/v1/agencies.', [{ path: 'toAgencyId', message: 'unknown agency' }]);
    }
    const stream = await personStream(tx, personId);
    const consentId = randomUUID();
    await tx.apply({
      stream: 'person',
      id: personId,
      // The last valid day is a day in the service's zone: the consent lapses at its midnight.
      event: { type: 'CONSENT_GIVEN', consentId, ...input, categories: [...new Set(input.categories)], timeZone: engine.timeZone },
      expectedVersion: stream.version,
      actor: actorOf(viewer),
      row: stream,
    });
    await recordAudit(tx.trx, {
      at: options.at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: 'consent_given',
      personId,
      entityType: 'consent',
      entityId: consentId,
      purpose: input.purpose,
      detail: { toAgencyId: input.toAgencyId, toAgencyKind: input.toAgencyKind, categories: input.categories, validUntil: input.validUntil },
    });
    return (await findConsent(tx.trx, personId, consentId))!;
  });
}

/**
 * Renews a consent to a new last valid day (`CONSENT_RENEWED`; null for no end date). An
 * expired consent comes back into force; a withdrawn one cannot (record a new consent).
 * The holder only.
 */
export async function renewConsent(
  engine: Engine,
  viewer: Viewer,
  personId: string,
  consentId: string,
  validUntil: string | null,
  options: { today: string; at: string },
): Promise<Consent> {
  if (validUntil !== null && validUntil < options.today) {
    throw validationError('validUntil is in the past: a renewal runs to a day from today on.', [{ path: 'validUntil', message: 'must be today or later' }]);
  }
  return engine.transaction(async (tx) => {
    requireHolder(await visiblePerson(tx.trx, viewer, personId, options.today), 'renews their consents');
    const existing = await findConsent(tx.trx, personId, consentId);
    if (!existing) throw hidden('The consent');
    if (existing.withdrawnAt !== null) {
      throw new PathwaysError('conflict', `This consent was withdrawn at ${existing.withdrawnAt}; a withdrawn consent is not renewed: record a new one with POST /api/v1/people/${personId}/consents.`);
    }
    const stream = await personStream(tx, personId);
    await tx.apply({ stream: 'person', id: personId, event: { type: 'CONSENT_RENEWED', consentId, validUntil, timeZone: engine.timeZone }, expectedVersion: stream.version, actor: actorOf(viewer), row: stream });
    await recordAudit(tx.trx, {
      at: options.at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: 'consent_renewed',
      personId,
      entityType: 'consent',
      entityId: consentId,
      detail: { from: existing.validUntil, to: validUntil },
    });
    return (await findConsent(tx.trx, personId, consentId))!;
  });
}

/**
 * Withdraws a consent (`CONSENT_WITHDRAWN`): from the commit on nothing new flows to that
 * agency. The holder, or the agency the consent names, may record a withdrawal the person
 * tells them of. Referrals still open to a covered agency are listed in the audit entry,
 * so an auditor sees what the withdrawal cut.
 */
export async function withdrawConsent(
  engine: Engine,
  viewer: Viewer,
  personId: string,
  consentId: string,
  reason: string | null,
  options: { today: string; at: string },
): Promise<Consent> {
  return engine.transaction(async (tx) => {
    const scope = await personScope(tx.trx, viewer, personId, options.today);
    const existing = scope ? await findConsent(tx.trx, personId, consentId) : undefined;
    const named = existing && (existing.toAgencyId === viewer.agencyId || existing.toAgencyKind === viewer.agencyKind);
    if (!scope || !existing || (scope.kind !== 'holder' && !named)) throw hidden('The consent');
    if (existing.withdrawnAt !== null) throw new PathwaysError('conflict', `This consent was already withdrawn at ${existing.withdrawnAt}.`);
    const stream = await personStream(tx, personId);
    await tx.apply({
      stream: 'person',
      id: personId,
      event: { type: 'CONSENT_WITHDRAWN', consentId, reason },
      expectedVersion: stream.version,
      actor: actorOf(viewer),
      row: stream,
    });
    const affected = await tx.trx
      .selectFrom('referrals')
      .innerJoin('agencies', 'agencies.id', 'referrals.to_agency_id')
      .select(['referrals.id'])
      .where('referrals.person_id', '=', personId)
      .where('referrals.state', 'in', ['requested', 'received', 'accepted', 'inProgress'])
      .where((eb) => (existing.toAgencyId !== null ? eb('referrals.to_agency_id', '=', existing.toAgencyId) : eb('agencies.kind', '=', existing.toAgencyKind ?? '')))
      .execute();
    await recordAudit(tx.trx, {
      at: options.at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: 'consent_withdrawn',
      personId,
      entityType: 'consent',
      entityId: consentId,
      purpose: reason,
      detail: { toAgencyId: existing.toAgencyId, toAgencyKind: existing.toAgencyKind, openReferrals: affected.map((r) => r.id) },
    });
    return (await findConsent(tx.trx, personId, consentId))!;
  });
}
