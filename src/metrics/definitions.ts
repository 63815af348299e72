/**
 * How each figure is defined, in words a commissioner can check. The same text is returned
 * beside every figure and published in the OpenAPI document. Ages and waits are whole
 * calendar days (UTC) between two dates; "day 21 counts as within" everywhere.
 */

export const FIGURE_DEFINITIONS = {
  workInProgress:
    'Open journeys (not closed) by their current top-level stage (referred, screening, assessment, carePlanning, inTreatment, recoveryCheckups, rapidReentry, inCustody), counted under their lead agency.',
  timeInStage:
    'For open journeys, whole days from the day the current stage was entered to the as-of date. Median and 90th percentile use the nearest-rank method (the value at rank ceil(p × N) in ascending order); computed from a day histogram, so exact to the day.',
  flow:
    'Moves between top-level stages whose effective date falls in the period, per day or per ISO week (Monday start); `from` is empty for a journey being opened. Broken down by a dimension, flows are counted per ISO week and the period is widened to start on the Monday of its first week.',
  waitingOver21Days:
    'Open journeys still waiting for the first intervention of their episode (stage referred, screening, assessment, carePlanning, rapidReentry, or inCustody before any start: the waiting clock runs on in custody) whose wait, from the referral date (or the re-presentation date after a relapse) to the as-of date, is more than 21 days (day 22 onward; day 21 is within).',
  reviewsOverdue:
    'Journeys in treatment whose last review (or, before any review, the first intervention start) was more than 182 days before the as-of date (day 183 onward): the 6-monthly care-plan review with a TOP is overdue.',
  continuityOver21Days:
    'Open journeys released from custody and not yet engaged by community treatment, released more than 21 days before the as-of date (day 22 onward).',
  referralsNotAcknowledged:
    'Referrals still in state requested (not received, accepted or rejected) whose acknowledge-by time has passed, per receiving agency; age is whole days since the referral was sent.',
  referralsNotContacted:
    'Referrals still requested, received or accepted (no first contact, not closed) whose first-contact-by time has passed, per receiving agency; age is whole days since the referral was sent.',
  referralsWaiting:
    'Referrals waiting on the receiving agency (states requested, received and accepted without first contact), per receiving agency and state, with their age in whole days since sent (median and 90th percentile by nearest rank, and the oldest).',
  startedWithin21Days:
    'Of the journeys whose first intervention of an episode started in the period, the number and share whose start was 21 days or fewer after the referral date (after a relapse: after the re-presentation date). Day 21 counts as within.',
  successfulCompletion:
    'Public Health Outcomes Framework indicator C19 (NDTMS): successful completions in the period (discharge reason completed_drug_free or completed_occasional_user from treatment, discharge date in the period) that did not re-present within 6 months, as a share of all journeys in treatment in the period. Re-presenting means a relapse reported within 182 days of the discharge date (day 182 counts as within). A journey is in treatment in the period when its first intervention start is on or before the period end and it had not left treatment (its last discharge, if any) before the period start; a re-entry reopens it. `windowOpen` counts completions whose 182 days have not yet passed at the as-of date: they are counted as not re-presented so far.',
  continuityOfCare:
    'Of the releases from custody in the period (release date in the period), the number and share engaged by community treatment within 21 days of release (engagement date minus release date of 21 days or fewer). `awaiting` are releases not yet engaged whose 21 days have not passed at the as-of date.',
  representations:
    'Re-presentations (relapses reported during recovery check-ups that start a rapid re-entry) with a report date in the period.',
  deathsInTreatment:
    'Journeys discharged with reason `died` with a discharge date in the period, beside the number in treatment in the period (as in successfulCompletion).',
} as const;

/** The name of a published figure. */
export type FigureName = keyof typeof FIGURE_DEFINITIONS;
