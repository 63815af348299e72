/**
 * Accepting a referral, as one engine unit. The consent (or override) must still stand —
 * accepting starts the flow — and the version the receiver saw must be current. A treatment
 * referral accepted by a treatment provider also opens the person's journey there (from the
 * referral's date and source; a referral on release from prison starts its continuity-of-
 * care clock), re-opens it as a rapid re-entry when it is in recovery check-ups, or joins
 * the journey already open; `REFERRAL_ACCEPTED` then carries the journey's `caseId`, which
 * is the link (the engine writes `referrals.case_id` from it): one event with a version, a
 * hash, measures and a live message, not a row updated on the side.
 */
import { REFERRAL_SOURCE_BY_AGENCY_KIND } from '../../machines/referral-consent.ts';
import type { ReferralKind } from '../../machines/referral-kinds.ts';
import { recordAudit } from '../audit/audit-repository.ts';
import type { ReferralRow } from '../db/schema.ts';
import type { Actor, ApplyResult, EngineTransaction } from '../engine/engine-types.ts';
import { requireReferralConsent } from './referral-consent-check.ts';

/** How an acceptance was made: when, with what version seen, and when it was recorded. */
export interface AcceptOptions {
  expectedVersion: number;
  today: string;
  at: string;
  effectiveAt?: string;
  backdateReason?: string;
}

/** What accepting did: the referral after the event, and the journey it opened or joined (if any). */
export interface Accepted {
  applied: ApplyResult<'referral'>;
  caseId: string | null;
  /** `opened` a new journey, `reentered` one in recovery check-ups, `joined` an open one. */
  journey: 'opened' | 'reentered' | 'joined' | null;
}

/** Accepts `row` inside the running unit `tx`. */
export async function acceptReferral(tx: EngineTransaction, row: ReferralRow, actor: Actor, options: AcceptOptions): Promise<Accepted> {
  const agencies = await tx.trx.selectFrom('agencies').select(['id', 'name', 'kind']).where('id', 'in', [row.from_agency_id, row.to_agency_id]).execute();
  const from = agencies.find((a) => a.id === row.from_agency_id);
  const to = agencies.find((a) => a.id === row.to_agency_id)!;
  // Nothing new flows once consent is withdrawn: accepting would start the flow.
  if (row.safeguarding_override === null) await requireReferralConsent(tx.trx, row.person_id, row.kind as ReferralKind, to, from?.kind ?? '', options.today);
  let caseId: string | null = null;
  let journey: Accepted['journey'] = null;
  if (row.version === options.expectedVersion && row.kind === 'treatment' && to.kind === 'treatment_provider') {
    ({ caseId, journey } = await journeyFor(tx, row, actor, from?.kind ?? ''));
  }
  const applied = await tx.apply({
    stream: 'referral',
    id: row.id,
    event: { type: 'REFERRAL_ACCEPTED', ...(caseId ? { caseId } : {}) },
    expectedVersion: options.expectedVersion,
    actor,
    row,
    ...(options.effectiveAt ? { effectiveAt: options.effectiveAt } : {}),
    ...(options.backdateReason ? { backdateReason: options.backdateReason } : {}),
  });
  if (caseId) {
    await recordAudit(tx.trx, {
      at: options.at,
      userId: actor.userId,
      agencyId: actor.agencyId,
      action: 'share',
      personId: row.person_id,
      entityType: 'case',
      entityId: caseId,
      detail: { via: 'referral_accepted', referralId: row.id, journey },
    });
  }
  return { applied, caseId, journey };
}

async function journeyFor(tx: EngineTransaction, row: ReferralRow, actor: Actor, fromKind: string): Promise<{ caseId: string; journey: 'opened' | 'reentered' | 'joined' }> {
  const existing = await tx.trx
    .selectFrom('cases')
    .selectAll()
    .where('person_id', '=', row.person_id)
    .where('lead_agency_id', '=', row.to_agency_id)
    .where('closed_at', 'is', null)
    .orderBy('opened_at', 'desc')
    .executeTakeFirst();
  if (existing && existing.stage === 'recoveryCheckups') {
    // Rapid re-entry: the last package, keyworker and consents come back; screening is skipped.
    const relapsed = await tx.apply({ stream: 'case', id: existing.id, event: { type: 'RELAPSE_REPORTED' }, expectedVersion: existing.version, actor, row: existing });
    await tx.apply({ stream: 'case', id: existing.id, event: { type: 'REENTRY_CONFIRMED' }, expectedVersion: relapsed.row.version, actor, row: relapsed.row });
    return { caseId: existing.id, journey: 'reentered' };
  }
  if (existing) return { caseId: existing.id, journey: 'joined' };
  // The journey starts when the referral was made (a backdated referral takes its date).
  const opened = await tx.openCase({
    personId: row.person_id,
    leadAgencyId: row.to_agency_id,
    referralSource: row.referral_source ?? REFERRAL_SOURCE_BY_AGENCY_KIND[fromKind] ?? 'other',
    referredOn: row.created_at.slice(0, 10),
    ...(row.released_on ? { input: { releasedOn: row.released_on } } : {}),
    actor,
  });
  return { caseId: opened.row.id, journey: 'opened' };
}
