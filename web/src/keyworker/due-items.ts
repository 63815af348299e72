/**
 * What is due on a journey, in words, and the order a caseload is worked through:
 * anything overdue first, then the soonest due timer, then the longest waiting.
 */
import { eventFactLabel } from '../lib/labels.ts';
import type { CaseView } from './case-types.ts';

/** Overdue flags as badges. */
export function overdueLabels(c: CaseView): string[] {
  const o = c.overdue;
  if (!o) return [];
  return [
    o.waitingTime ? 'Waiting over 21 days' : null,
    o.review ? 'Review overdue' : null,
    o.continuityOfCare ? 'Continuity of care overdue' : null,
    o.checkup ? 'Check-up due' : null,
  ].filter((x): x is string => x !== null);
}

const TIMER_WORDS: Record<string, string> = {
  WAITING_TIME_BREACHED: '21-day waiting target',
  REVIEW_DUE: 'Six-monthly review',
  CHECKUP_DUE: 'Recovery check-up',
  RECOVERY_SUSTAINED: 'Recovery sustained (closes)',
  CONTINUITY_OF_CARE_BREACHED: '21-day continuity of care',
};

/** The next due timer as words, or null. */
export function nextDue(c: CaseView): { label: string; dueAt: string } | null {
  const t = [...(c.dueTimers ?? [])].sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  return t ? { label: TIMER_WORDS[t.event] ?? eventFactLabel(t.event), dueAt: t.dueAt } : null;
}

/** Sort key: overdue first, then soonest due, then oldest referral. */
export function compareByDue(a: CaseView, b: CaseView): number {
  const ao = a.overdue?.any ? 0 : 1;
  const bo = b.overdue?.any ? 0 : 1;
  if (ao !== bo) return ao - bo;
  const ad = nextDue(a)?.dueAt ?? '9999';
  const bd = nextDue(b)?.dueAt ?? '9999';
  if (ad !== bd) return ad.localeCompare(bd);
  return (a.referredOn ?? '').localeCompare(b.referredOn ?? '');
}
