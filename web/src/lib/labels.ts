/**
 * Words for the statechart names people see. The codes themselves are the public API
 * (docs/ARCHITECTURE.md); these are only their labels, with `humanise` as the fallback
 * for anything new.
 */
import { humanise } from './format.ts';

const STAGES: Record<string, string> = {
  referred: 'Referred',
  screening: 'Screening',
  assessment: 'Assessment',
  carePlanning: 'Care planning',
  inTreatment: 'In treatment',
  active: 'Active',
  reviewDue: 'Review due',
  recoveryCheckups: 'Recovery check-ups',
  closed: 'Closed',
  rapidReentry: 'Rapid re-entry',
  inCustody: 'In custody',
};

/** Button labels: what the keyworker does, not what the engine calls it. */
const EVENT_ACTIONS: Record<string, string> = {
  SCREENING_STARTED: 'Start screening',
  SCREENING_COMPLETED: 'Complete screening',
  ASSESSMENT_COMPLETED: 'Complete assessment',
  CARE_PLAN_AGREED: 'Agree care package',
  INTERVENTION_OFFERED: 'Offer intervention',
  INTERVENTION_STARTED: 'Start intervention',
  INTERVENTION_ENDED: 'End intervention',
  TOP_RECORDED: 'Record TOP outcomes',
  REVIEW_COMPLETED: 'Complete review',
  DISCHARGED: 'Discharge',
  CHECKUP_COMPLETED: 'Record check-up',
  RELAPSE_REPORTED: 'Report relapse (rapid re-entry)',
  REENTRY_CONFIRMED: 'Confirm re-entry',
  CUSTODY_STARTED: 'Record custody',
  RELEASED_FROM_CUSTODY: 'Record release from custody',
  COMMUNITY_ENGAGED: 'Record community engagement',
  KEYWORKER_ASSIGNED: 'Assign keyworker',
  REFERRAL_RECEIVED: 'Acknowledge',
  REFERRAL_ACCEPTED: 'Accept',
  REFERRAL_REJECTED: 'Reject',
  FIRST_CONTACT_MADE: 'Record first contact',
  REFERRAL_COMPLETED: 'Complete with outcome',
  REFERRAL_FAILED: 'Record as failed',
  REFERRAL_CANCELLED: 'Cancel referral',
};

/** Past-tense words for the timeline. */
const EVENT_FACTS: Record<string, string> = {
  CASE_OPENED: 'Journey opened',
  SCREENING_STARTED: 'Screening started',
  SCREENING_COMPLETED: 'Screening completed',
  ASSESSMENT_COMPLETED: 'Assessment completed',
  CARE_PLAN_AGREED: 'Care package agreed',
  TOP_RECORDED: 'TOP outcomes recorded',
  INTERVENTION_OFFERED: 'Intervention offered',
  INTERVENTION_STARTED: 'Intervention started',
  INTERVENTION_ENDED: 'Intervention ended',
  REVIEW_COMPLETED: 'Review completed',
  DISCHARGED: 'Discharged',
  CHECKUP_COMPLETED: 'Recovery check-up done',
  RELAPSE_REPORTED: 'Relapse reported',
  REENTRY_CONFIRMED: 'Re-entry to treatment confirmed',
  CUSTODY_STARTED: 'Went into custody',
  RELEASED_FROM_CUSTODY: 'Released from custody',
  COMMUNITY_ENGAGED: 'Engaged with treatment in the community',
  WAITING_TIME_BREACHED: 'Waiting time target (21 days) passed',
  REVIEW_DUE: 'Review became due',
  CHECKUP_DUE: 'Recovery check-up due',
  RECOVERY_SUSTAINED: 'Recovery sustained (6 months)',
  CONTINUITY_OF_CARE_BREACHED: 'Continuity of care target (21 days) passed',
  BREACH_WITHDRAWN: 'Breach withdrawn (a fact recorded late met the target)',
  ACKNOWLEDGE_DEADLINE_PASSED: 'Acknowledge-by deadline passed',
  FIRST_CONTACT_DEADLINE_PASSED: 'First-contact-by deadline passed',
};

const REFERRAL_STATES: Record<string, string> = {
  requested: 'Requested',
  received: 'Acknowledged',
  accepted: 'Accepted',
  inProgress: 'In progress',
  completed: 'Completed',
  rejected: 'Rejected',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** A pathway stage (or child state) for people. */
export function stageLabel(stage: string | null | undefined): string {
  if (!stage) return '—';
  return STAGES[stage] ?? humanise(stage);
}

/** An allowed event as a button label. */
export function eventActionLabel(type: string): string {
  return EVENT_ACTIONS[type] ?? humanise(type);
}

/** An event that happened, for the timeline. */
export function eventFactLabel(type: string): string {
  return EVENT_FACTS[type] ?? humanise(type);
}

/** A referral status for people. */
export function referralStateLabel(state: string | null | undefined): string {
  if (!state) return '—';
  return REFERRAL_STATES[state] ?? humanise(state);
}

/** A state value as words (`{"inTreatment":"reviewDue"}` → `In treatment · Review due`). */
export function stateValueLabel(value: unknown): string {
  if (typeof value === 'string') return stageLabel(value);
  if (typeof value === 'object' && value !== null) {
    const [k, v] = Object.entries(value)[0] ?? [];
    if (!k) return '—';
    return v ? `${stageLabel(k)} · ${stateValueLabel(v)}` : stageLabel(k);
  }
  return '—';
}
