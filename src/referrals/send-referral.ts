/**
 * Sending a referral, in one engine unit: the sender may see the person (and the journey it
 * names), the receiving agency exists, is active and is another agency, the person's
 * consent covers what the kind shares (or a safeguarding override is recorded), and the
 * `REFERRAL_REQUESTED` event with its share or override audit entry — all in the
 * transaction that writes, so no consent withdrawal can fall between check and write.
 */
import { REFERRAL_KIND_CATEGORIES } from '../../machines/referral-consent.ts';
import type { ReferralKind } from '../../machines/referral-kinds.ts';
import { caseScope, personScope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import { recordAudit } from '../audit/audit-repository.ts';
import type { ApplyResult, Engine } from '../engine/engine-types.ts';
import { PathwaysError, validationError } from '../errors.ts';
import { requireReferralConsent } from './referral-consent-check.ts';

/** What sending a referral takes (the API's `POST /referrals` body). */
export interface SendReferralInput {
  personId: string;
  toAgencyId: string;
  kind: ReferralKind;
  reason: string;
  urgency: string;
  caseId?: string | undefined;
  referralSource?: string | undefined;
  /** A referral on release from prison: the release day; the journey it opens starts the continuity clock. */
  releasedOn?: string | undefined;
  safeguardingOverride?: { justification: string } | undefined;
  /** When the referral was made (default now); more than a day back needs `backdateReason`. */
  effectiveAt?: string | undefined;
  backdateReason?: string | undefined;
}

const hidden = (what: string) => new PathwaysError('not_found', `${what} was not found, or you may not see it.`);

/** Sends a referral from the viewer's agency. */
export async function sendReferral(engine: Engine, viewer: Viewer, input: SendReferralInput, options: { today: string; at: string }): Promise<ApplyResult<'referral'>> {
  const { today, at } = options;
  return engine.transaction(async (tx) => {
    if (!(await personScope(tx.trx, viewer, input.personId, today))) throw hidden('The person');
    const to = await tx.trx.selectFrom('agencies').selectAll().where('id', '=', input.toAgencyId).executeTakeFirst();
    if (!to) throw validationError('toAgencyId names no agency; list them with GET /api/v1/agencies.', [{ path: 'toAgencyId', message: 'unknown agency' }]);
    if (to.deactivated_at !== null) throw validationError(`${to.name} is deactivated and takes no referrals; choose another agency.`, [{ path: 'toAgencyId', message: 'agency deactivated' }]);
    if (to.id === viewer.agencyId) throw validationError('A referral goes to another agency, not your own.', [{ path: 'toAgencyId', message: 'is your own agency' }]);
    if (input.caseId) {
      const c = await tx.trx.selectFrom('cases').select(['id', 'person_id', 'lead_agency_id']).where('id', '=', input.caseId).executeTakeFirst();
      if (!c || c.person_id !== input.personId || !(await caseScope(tx.trx, viewer, c, today))) {
        throw validationError('caseId must be a journey of this person that you may see.', [{ path: 'caseId', message: 'unknown journey for this person' }]);
      }
    }
    if (input.releasedOn !== undefined && viewer.agencyKind !== 'prison') {
      throw validationError('releasedOn is for a referral from a prison on release.', [{ path: 'releasedOn', message: 'only a prison sends a release date' }]);
    }
    const effectiveDay = (input.effectiveAt ?? at).slice(0, 10);
    if (input.releasedOn !== undefined && input.releasedOn > effectiveDay) {
      throw validationError('releasedOn is after the referral: send it on or after the release day.', [{ path: 'releasedOn', message: 'must not be after the referral' }]);
    }
    const override = input.safeguardingOverride ? { justification: input.safeguardingOverride.justification, by: viewer.userId, at } : null;
    if (!override) await requireReferralConsent(tx.trx, input.personId, input.kind, to, viewer.agencyKind, today);
    const opened = await tx.openReferral({
      personId: input.personId,
      fromAgencyId: viewer.agencyId,
      fromUserId: viewer.userId,
      toAgencyId: to.id,
      kind: input.kind,
      reason: input.reason,
      urgency: input.urgency,
      caseId: input.caseId ?? null,
      safeguardingOverride: override,
      referralSource: input.referralSource ?? null,
      releasedOn: input.releasedOn ?? null,
      actor: { userId: viewer.userId, agencyId: viewer.agencyId },
      ...(input.effectiveAt ? { effectiveAt: input.effectiveAt } : {}),
      ...(input.backdateReason ? { backdateReason: input.backdateReason } : {}),
    });
    await recordAudit(tx.trx, {
      at,
      userId: viewer.userId,
      agencyId: viewer.agencyId,
      action: override ? 'override' : 'share',
      personId: input.personId,
      entityType: 'referral',
      entityId: opened.row.id,
      purpose: override ? override.justification : input.reason.slice(0, 500),
      detail: {
        toAgencyId: to.id,
        kind: input.kind,
        categories: REFERRAL_KIND_CATEGORIES[input.kind],
        ...(input.referralSource ? { referralSource: input.referralSource } : {}),
        ...(override ? { safeguardingOverride: true } : {}),
      },
      flagged: override !== null,
    });
    return opened;
  });
}
