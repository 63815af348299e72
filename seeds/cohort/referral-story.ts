/**
 * Stories of referrals between agencies (the `referral` statechart, FHIR Task states):
 * sent, acknowledged, accepted, first contact, outcome reported back — or rejected,
 * failed, cancelled. Receivers are mostly on time; some miss the acknowledge-by or
 * first-contact-by deadline, and the engine's timers flag them.
 */
import { REFERRAL_KIND_DEADLINES, type ReferralKind, type ReferralUrgency } from '../../machines/referral-kinds.ts';
import type { Random } from '../prng.ts';
import { StoryBuilder, type StageSegment, type StoryStep } from './story-builder.ts';

/** Where a referral is on the reference date. */
export const REFERRAL_STATES = ['requested', 'received', 'accepted', 'inProgress', 'completed', 'rejected', 'failed', 'cancelled'] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

/** Who sends and who receives. */
export interface ReferralParties {
  kind: ReferralKind;
  urgency: ReferralUrgency;
  senderUserId: string;
  receiverUserId: string;
}

export interface ReferralStory {
  openedAt: number;
  steps: StoryStep[];
  segments: StageSegment[];
}

const REJECTIONS: Partial<Record<ReferralKind, readonly string[]>> = {
  housing: ['No local connection established; advised to apply to home authority.', 'Already owed a relief duty; existing caseworker informed.'],
  mental_health: ['Does not meet secondary care threshold; GP to manage.', 'Needs stabilisation first; re-refer after six weeks.'],
  treatment: ['Out of area: referred to home-area provider.', 'Already open to this service.'],
  employment_support: ['Claimant no longer on the caseload.'],
  safeguarding: ['Threshold not met; universal services advice given.'],
};
const FAILURES = ['Did not attend two appointments; three contact attempts made.', 'Could not be contacted on the numbers given.', 'Declined the service at first appointment.'];
const CANCELLATIONS = ['Person moved out of area.', 'Person withdrew consent to the referral.', 'Need met by another service.', 'Sent in error.'];
const OUTCOMES: Record<ReferralKind, readonly string[]> = {
  treatment: ['Assessed and started treatment.', 'Attended the voluntary discussion; engaging with the service.'],
  employment_support: ['Attendance confirmed to the work coach (TPR2).', 'Attending treatment; work-search adjustments agreed.'],
  housing: ['Accommodation secured (supported housing).', 'Prevention duty accepted; tenancy sustained.'],
  mental_health: ['Joint care plan agreed (dual diagnosis).', 'Assessed; psychological therapy offered.'],
  mutual_aid: ['Attending weekly meetings with a peer mentor.', 'Attended an introductory meeting.'],
  residential_rehabilitation: ['Admitted to residential rehabilitation.', 'Completed a 12-week placement.'],
  inpatient_detox: ['Admitted for medically managed withdrawal.', 'Completed inpatient detoxification.'],
  safeguarding: ['Child in need plan agreed; safe storage in place.', 'Strategy discussion held; family support offered.'],
};

/**
 * Writes a referral's story up to the state `target` (and past it, so the reference date
 * can fall inside the target state's segment).
 */
export function writeReferralStory(random: Random, parties: ReferralParties, target: ReferralState): ReferralStory {
  const b = new StoryBuilder(random, 'requested', (8.5 + random.next() * 9) / 24);
  const deadlines = REFERRAL_KIND_DEADLINES[parties.kind][parties.urgency];
  const { senderUserId: sender, receiverUserId: receiver } = parties;
  const hold = (state: ReferralState, days: number): number => (state === target ? Math.max(1, days) : days);

  // Acknowledged within the deadline nine times in ten.
  const ackDays = random.chance(0.9) ? Math.floor((deadlines.acknowledgeWithinHours / 24) * random.next()) : Math.ceil(deadlines.acknowledgeWithinHours / 24) + random.int(1, 4);
  if (target === 'cancelled' && random.chance(0.4)) {
    b.step(b.later(hold('requested', random.int(0, 3))), { type: 'REFERRAL_CANCELLED', reason: random.pick(CANCELLATIONS) }, 'cancelled', sender);
    return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
  }
  if (target === 'rejected' && random.chance(0.3)) {
    b.step(b.later(hold('requested', ackDays)), { type: 'REFERRAL_REJECTED', reason: random.pick(REJECTIONS[parties.kind] ?? REJECTIONS.treatment!) }, 'rejected', receiver);
    return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
  }
  // A quarter are accepted straight away, which acknowledges them too.
  const direct = random.chance(0.25) && target !== 'received';
  if (!direct) {
    b.step(b.later(hold('requested', ackDays)), { type: 'REFERRAL_RECEIVED' }, 'received', receiver);
    if (target === 'rejected') {
      b.step(b.later(random.int(0, 5)), { type: 'REFERRAL_REJECTED', reason: random.pick(REJECTIONS[parties.kind] ?? REJECTIONS.treatment!) }, 'rejected', receiver);
      return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
    }
    if (target === 'cancelled' && random.chance(0.5)) {
      b.step(b.later(random.int(1, 6)), { type: 'REFERRAL_CANCELLED', reason: random.pick(CANCELLATIONS) }, 'cancelled', sender);
      return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
    }
  }
  b.step(b.later(direct ? hold('requested', ackDays) : hold('received', random.int(0, 3))), { type: 'REFERRAL_ACCEPTED' }, 'accepted', receiver);
  if (target === 'cancelled') {
    b.step(b.later(random.int(1, 10)), { type: 'REFERRAL_CANCELLED', reason: random.pick(CANCELLATIONS) }, 'cancelled', sender);
    return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
  }
  // First contact within the deadline mostly; the failures often never get that far.
  const window = deadlines.firstContactWithinDays;
  const contactIn = random.chance(0.85) ? random.int(0, Math.max(0, window - 1)) : window + random.int(1, 14);
  if (target === 'failed' && random.chance(0.5)) {
    b.step(b.later(hold('accepted', window + random.int(1, 20))), { type: 'REFERRAL_FAILED', reason: random.pick(FAILURES) }, 'failed', receiver);
    return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
  }
  if (target === 'completed' && random.chance(0.15)) {
    b.step(b.later(contactIn), { type: 'REFERRAL_COMPLETED', outcome: random.pick(OUTCOMES[parties.kind]) }, 'completed', receiver);
    return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
  }
  b.step(b.later(hold('accepted', contactIn)), (on) => ({ type: 'FIRST_CONTACT_MADE', contactOn: on }), 'inProgress', receiver);
  if (target === 'failed') {
    b.step(b.later(random.int(7, 60)), { type: 'REFERRAL_FAILED', reason: random.pick(FAILURES) }, 'failed', receiver);
  } else {
    b.step(b.later(hold('inProgress', random.int(3, 60))), { type: 'REFERRAL_COMPLETED', outcome: random.pick(OUTCOMES[parties.kind]) }, 'completed', receiver);
  }
  return { openedAt: b.openedAt, steps: b.steps, segments: b.finish() };
}

/** A final or open state, in realistic proportions. */
export function drawReferralState(random: Random): ReferralState {
  return random.weighted<ReferralState>({ completed: 55, rejected: 11, failed: 8, cancelled: 7, inProgress: 8, accepted: 4, received: 4, requested: 3 });
}

/** Short reasons a sender writes, by kind. */
export const REFERRAL_REASONS: Record<ReferralKind, readonly string[]> = {
  treatment: ['Requests support with drug use.', 'Alcohol use affecting health; agreed to a referral.', 'Released from custody with a treatment need.', 'Positive test on arrest; required assessment.', 'DRR assessment requested by the court.'],
  employment_support: ['Attendance report for the work coach (TPR2), with consent.', 'Ready to look at training and work.'],
  housing: ['No fixed abode; sleeping rough.', 'At risk of eviction (rent arrears).', 'Sofa surfing; needs a housing assessment.'],
  mental_health: ['Low mood and anxiety alongside alcohol use (dual diagnosis).', 'Previous self-harm; assessment requested.'],
  mutual_aid: ['Would like peer support in the community.', 'Family member would like a carers\' group.'],
  residential_rehabilitation: ['Community treatment exhausted; rehab funding agreed.'],
  inpatient_detox: ['Dependent drinking with seizure history: needs medically managed withdrawal.'],
  safeguarding: ['Children in the household; concern about safe storage of medication.', 'Parent relapsed; children may be at risk.'],
};
