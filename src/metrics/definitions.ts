/**
 * How each figure is defined, in words a commissioner can check. The same text is returned
 * beside every figure and published in the OpenAPI document. Ages and waits are whole
 * calendar days in the service's time zone (Europe/London by default): the start day is
 * day 0, "within N days" runs to the end of day N, and a breach begins at the first
 * instant of day N + 1 (machines/calendar-days.ts). Each clock's rule is written once, in
 * machines/clock-rules.ts (`CLOCK_RULES`, quoted here), and the journey's own timers and
 * flags follow the same rule.
 */
import { CLOCK_RULES } from '../../machines/clock-rules.ts';

/** How days are counted, said once and quoted by each deadline figure. */
export const DAY_RULE =
  'Days are calendar days in the service\'s time zone (Europe/London unless PATHWAYS_TIME_ZONE says otherwise): the start day is day 0, "within N days" runs to the end of day N, and a breach begins at the first instant of day N + 1, local time, across clock changes.';

export const FIGURE_DEFINITIONS = {
  workInProgress:
    'Open journeys (not closed) by their current top-level stage (referred, screening, assessment, carePlanning, inTreatment, recoveryCheckups, rapidReentry, inCustody), counted under their lead agency.',
  timeInStage:
    'For open journeys, whole days from the day the current stage was entered to the as-of date. Median and 90th percentile use the nearest-rank method (the value at rank ceil(p × N) in ascending order); computed from a day histogram, so exact to the day.',
  flow:
    'Moves between top-level stages whose effective date falls in the period, per day or per ISO week (Monday start); `from` is empty for a journey being opened. Broken down by a dimension, flows are counted per ISO week and the period is widened to start on the Monday of its first week.',
  waitingOver21Days: `Counting unit: journeys (episodes). Open journeys still waiting for the first intervention of their episode (stage referred, screening, assessment, carePlanning, rapidReentry, or inCustody before any start) whose wait, from the referral date (or the re-presentation date after a relapse) to the as-of date, is more than 21 days (day 22 onward; day 21 is within). ${CLOCK_RULES.waitingTime} ${DAY_RULE}`,
  reviewsOverdue: `Counting unit: journeys in treatment (stage inTreatment; a journey in custody is not counted until released). The 6-monthly care-plan review with a TOP (NDTMS) is overdue when the review clock's start was more than 182 days before the as-of date (day 183 onward). ${CLOCK_RULES.review} ${DAY_RULE}`,
  continuityOver21Days: `Counting unit: journeys (releases). Open journeys released from custody and not yet engaged by community treatment, released more than 21 days before the as-of date (day 22 onward). ${CLOCK_RULES.continuityOfCare} ${DAY_RULE}`,
  referralsNotAcknowledged:
    'Counting unit: referrals, per receiving agency. Referrals still in state requested (not received, accepted or rejected) whose acknowledge-by time has come: the acknowledgement deadline is a number of hours after sending (elapsed time, not calendar days). Age is whole calendar days since the referral was sent.',
  referralsNotContacted: `Counting unit: referrals, per receiving agency. Referrals still requested, received or accepted (no first contact, not closed) whose first-contact-by time has come: first contact is due within N calendar days of sending (the day sent is day 0; the deadline is the first instant of day N + 1). Age is whole calendar days since the referral was sent. ${DAY_RULE}`,
  referralsWaiting:
    'Referrals waiting on the receiving agency (states requested, received and accepted without first contact), per receiving agency and state, with their age in whole days since sent (median and 90th percentile by nearest rank, and the oldest).',
  startedWithin21Days: `Counting unit: treatment episodes (a journey's first intervention start of an episode; a re-entry after relapse is a new episode). Of the episodes whose first intervention started in the period, the number and share whose start was 21 days or fewer after the referral date (after a relapse: after the re-presentation date); day 21 counts as within. Source: NDTMS waiting times (target 21 days or fewer). ${DAY_RULE}`,
  successfulCompletion:
    'Public Health Outcomes Framework indicator C19 (NDTMS): successful completions in the period (discharge reason completed_drug_free or completed_occasional_user from treatment, discharge date in the period) that did not re-present within 6 months, as a share of all journeys in treatment in the period. Re-presenting means a relapse reported within 182 days of the discharge date (day 182 counts as within). A journey is in treatment in the period when its first intervention start is on or before the period end and it had not left treatment (its last discharge, if any) before the period start; a re-entry reopens it. `windowOpen` counts completions whose 182 days have not yet passed at the as-of date: they are counted as not re-presented so far.',
  continuityOfCare: `Counting unit: releases from prison with a treatment need (one per release recorded on a journey). Source: the continuity-of-care measure (OHID, national ambition 75%). Of the releases in the period (release date in the period), the number and share engaged by community treatment within 21 days of release (engagement date minus release date of 21 days or fewer). \`awaiting\` are releases not yet engaged whose 21 days have not passed at the as-of date. ${CLOCK_RULES.continuityOfCare} ${DAY_RULE}`,
  representations:
    'Re-presentations (relapses reported during recovery check-ups that start a rapid re-entry) with a report date in the period.',
  ete: `Counting unit: ETE interventions started (one per intervention start), beside journeys in treatment. Source: the recovery-orientated commissioning checklist (seed 004, section 1.8: ETE in performance monitoring with Jobcentre Plus and employment programmes). ETE interventions are care-package interventions of the modalities employment_support, education_support, training_support and volunteering_support whose start date falls in the period, per modality; they are recovery support beside treatment, so their start does not start structured treatment. \`inTreatment\` counts journeys in treatment in the period as successfulCompletion does. ${DAY_RULE}`,
  deathsInTreatment:
    'Journeys discharged with reason `died` with a discharge date in the period, beside the number in treatment in the period (as in successfulCompletion).',
} as const;

/** The name of a published figure. */
export type FigureName = keyof typeof FIGURE_DEFINITIONS;
