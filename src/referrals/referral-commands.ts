/**
 * Moving a referral on (receive, accept, reject, first contact, complete, fail, cancel) as
 * one engine unit: who may send which event, the version check, and — for an acceptance —
 * the consent re-check and the journey it opens (accept-referral.ts) all happen in the
 * transaction that writes.
 */
import type { Viewer } from '../access/viewer.ts';
import type { ApplyResult, Engine } from '../engine/engine-types.ts';
import { PathwaysError } from '../errors.ts';
import { linkInUnit } from '../people/person-links.ts';
import { acceptReferral } from './accept-referral.ts';

/** One event a sender or receiver sends to a referral. */
export interface ReferralEventInput {
  type: string;
  expectedVersion?: number | undefined;
  effectiveAt?: string | undefined;
  backdateReason?: string | undefined;
  [field: string]: unknown;
}

/** What the event did: the referral after it, and the journey an acceptance opened or joined. */
export interface ReferralEventResult {
  applied: ApplyResult<'referral'>;
  caseId: string | null;
}

/**
 * Applies one event to a referral the viewer's agency sent or received. The receiver moves
 * it on; the sender may only cancel. A referral the agency neither sent nor received is
 * `not_found`.
 */
export async function sendReferralEvent(engine: Engine, viewer: Viewer, referralId: string, input: ReferralEventInput, options: { today: string; at: string }): Promise<ReferralEventResult> {
  const { type, expectedVersion, effectiveAt, backdateReason, ...payload } = input;
  return engine.transaction(async (tx) => {
    const row = await tx.load('referral', referralId);
    if (!row || (row.from_agency_id !== viewer.agencyId && row.to_agency_id !== viewer.agencyId)) {
      throw new PathwaysError('not_found', 'The referral was not found, or you may not see it.');
    }
    if (type === 'REFERRAL_CANCELLED' ? row.from_agency_id !== viewer.agencyId : row.to_agency_id !== viewer.agencyId) {
      throw new PathwaysError(
        'forbidden',
        type === 'REFERRAL_CANCELLED' ? 'Only the sending agency cancels a referral.' : `Only the receiving agency sends ${type}; as the sender you may send REFERRAL_CANCELLED.`,
      );
    }
    const actor = { userId: viewer.userId, agencyId: viewer.agencyId };
    const time = { ...(effectiveAt ? { effectiveAt } : {}), ...(backdateReason ? { backdateReason } : {}) };
    const seen = expectedVersion ?? row.version;
    if (type === 'REFERRAL_ACCEPTED') {
      const accepted = await acceptReferral(tx, row, actor, { expectedVersion: seen, today: options.today, at: options.at, ...time });
      // "Probably known to you as …": the receiver's own record of the person, linked in the same unit.
      if (typeof payload.knownAsPersonId === 'string') {
        await linkInUnit(tx, viewer, payload.knownAsPersonId, row.person_id, 'Known to us: linked on accepting the referral', { today: options.today, at: options.at, referralId: row.id });
      }
      return { applied: accepted.applied, caseId: accepted.caseId };
    }
    const applied = await tx.apply({ stream: 'referral', id: row.id, event: { type, ...payload }, expectedVersion: seen, actor, row, ...time });
    return { applied, caseId: applied.row.case_id };
  });
}
