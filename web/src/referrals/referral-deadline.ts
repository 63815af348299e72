/** The deadline a referral is working to now, in words, and whether it has passed. */
import { daysBetween } from '../lib/format.ts';
import type { ReferralView } from './referral-types.ts';

const OPEN = new Set(['requested', 'received', 'accepted', 'inProgress']);

/** The next deadline: acknowledge-by while requested, first-contact-by until first contact. */
export function currentDeadline(r: ReferralView, now = new Date()): { label: string; at: string; passed: boolean } | null {
  if (!OPEN.has(r.status)) return null;
  if (r.status === 'requested' && r.acknowledgeBy) {
    return { label: 'Acknowledge by', at: r.acknowledgeBy, passed: r.overdue.acknowledge || new Date(r.acknowledgeBy) < now };
  }
  if (!r.firstContactOn && r.firstContactBy && r.status !== 'inProgress') {
    return { label: 'First contact by', at: r.firstContactBy, passed: r.overdue.firstContact || new Date(r.firstContactBy) < now };
  }
  return null;
}

/** Whole days since the referral was sent. */
export function referralAgeDays(r: ReferralView): number {
  return daysBetween(r.requestedAt ?? r.createdAt) ?? 0;
}
