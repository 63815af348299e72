/**
 * Default deadlines per referral kind. These are local design choices (the national
 * guidance sets no single figure), kept as data so an area can edit them; urgent
 * referrals get tighter deadlines. A referral's input may override both numbers.
 */

/** Kinds of referral between agencies. */
export const REFERRAL_KINDS = [
  'treatment',
  'employment_support',
  'housing',
  'mental_health',
  'mutual_aid',
  'residential_rehabilitation',
  'inpatient_detox',
  'safeguarding',
] as const;
/** A referral kind. */
export type ReferralKind = (typeof REFERRAL_KINDS)[number];

/** Referral urgencies. */
export const REFERRAL_URGENCIES = ['routine', 'urgent'] as const;
/** A referral urgency. */
export type ReferralUrgency = (typeof REFERRAL_URGENCIES)[number];

/** Acknowledge-by (hours after sending) and first-contact-by (days after sending). */
export interface ReferralDeadlines {
  acknowledgeWithinHours: number;
  firstContactWithinDays: number;
}

/** Default deadlines by kind and urgency. */
export const REFERRAL_KIND_DEADLINES: Record<ReferralKind, Record<ReferralUrgency, ReferralDeadlines>> = {
  // Treatment entry follows the 21-day waiting-time standard.
  treatment: { routine: { acknowledgeWithinHours: 48, firstContactWithinDays: 21 }, urgent: { acknowledgeWithinHours: 4, firstContactWithinDays: 2 } },
  employment_support: { routine: { acknowledgeWithinHours: 72, firstContactWithinDays: 14 }, urgent: { acknowledgeWithinHours: 24, firstContactWithinDays: 5 } },
  housing: { routine: { acknowledgeWithinHours: 48, firstContactWithinDays: 10 }, urgent: { acknowledgeWithinHours: 4, firstContactWithinDays: 1 } },
  mental_health: { routine: { acknowledgeWithinHours: 48, firstContactWithinDays: 28 }, urgent: { acknowledgeWithinHours: 4, firstContactWithinDays: 1 } },
  mutual_aid: { routine: { acknowledgeWithinHours: 72, firstContactWithinDays: 14 }, urgent: { acknowledgeWithinHours: 24, firstContactWithinDays: 7 } },
  residential_rehabilitation: { routine: { acknowledgeWithinHours: 72, firstContactWithinDays: 28 }, urgent: { acknowledgeWithinHours: 24, firstContactWithinDays: 7 } },
  inpatient_detox: { routine: { acknowledgeWithinHours: 48, firstContactWithinDays: 21 }, urgent: { acknowledgeWithinHours: 8, firstContactWithinDays: 3 } },
  // Safeguarding concerns are acted on the same day whatever their stated urgency.
  safeguarding: { routine: { acknowledgeWithinHours: 24, firstContactWithinDays: 1 }, urgent: { acknowledgeWithinHours: 1, firstContactWithinDays: 1 } },
};

/** True when `value` is a referral kind. */
export function isReferralKind(value: unknown): value is ReferralKind {
  return typeof value === 'string' && (REFERRAL_KINDS as readonly string[]).includes(value);
}

/** The default deadlines of a kind and urgency. */
export function defaultReferralDeadlines(kind: ReferralKind, urgency: ReferralUrgency): ReferralDeadlines {
  return REFERRAL_KIND_DEADLINES[kind][urgency];
}

/** Events the receiving agency sends; the sender sends only REFERRAL_CANCELLED. */
export const RECEIVER_REFERRAL_EVENTS: readonly string[] = [
  'REFERRAL_RECEIVED',
  'REFERRAL_ACCEPTED',
  'REFERRAL_REJECTED',
  'FIRST_CONTACT_MADE',
  'REFERRAL_COMPLETED',
  'REFERRAL_FAILED',
];
