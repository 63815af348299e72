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

/** What an as-of day means for the state figures, said once and quoted by each. */
const AS_OF_RULE =
  'On a past as-of day, as journeys stood at the end of that day (from the history of the event log, by the effective dates of the facts, late entries included).';

export const FIGURE_DEFINITIONS = {
  workInProgress:
    `Open journeys (not closed) by their current top-level stage (referred, screening, assessment, carePlanning, inTreatment, recoveryCheckups, rapidReentry, inCustody), counted under their lead agency. ${AS_OF_RULE}`,
  timeInStage:
    'For open journeys, whole days from the day the current stage was entered to the as-of date. Median and 90th percentile use the nearest-rank method (the value at rank ceil(p × N) in ascending order); computed from a day histogram, so exact to the day. ' + AS_OF_RULE,
  flow:
    'Moves between top-level stages whose effective date falls in the period, per day or per ISO week (Monday start); `from` is empty for a journey being opened. Broken down by a dimension, flows are counted per ISO week and the period is widened to start on the Monday of its first week.',
  waitingOver21Days: `Counting unit: journeys (episodes). Open journeys still waiting for the first intervention of their episode (stage referred, screening, assessment, carePlanning, rapidReentry, or inCustody before any start) whose wait, from the referral date (or the re-presentation date after a relapse) to the as-of date, is more than 21 days (day 22 onward; day 21 is within). ${CLOCK_RULES.waitingTime} ${DAY_RULE} ${AS_OF_RULE}`,
  reviewsOverdue: `Counting unit: journeys in treatment (stage inTreatment; a journey in custody is not counted until released). The 6-monthly care-plan review with a TOP (NDTMS) is overdue when the review clock's start was more than 182 days before the as-of date (day 183 onward). ${CLOCK_RULES.review} ${DAY_RULE} ${AS_OF_RULE}`,
  continuityOver21Days: `Counting unit: journeys (releases). Open journeys released from custody and not yet engaged by community treatment, released more than 21 days before the as-of date (day 22 onward). ${CLOCK_RULES.continuityOfCare} ${DAY_RULE} ${AS_OF_RULE}`,
  referralsNotAcknowledged:
    'Counting unit: referrals, per receiving agency. Referrals still in state requested (not received, accepted or rejected) whose acknowledge-by time has come: the acknowledgement deadline is a number of hours after sending (elapsed time, not calendar days). Age is whole calendar days since the referral was sent.',
  referralsNotContacted: `Counting unit: referrals, per receiving agency. Referrals still requested, received or accepted (no first contact, not closed) whose first-contact-by time has come: first contact is due within N calendar days of sending (the day sent is day 0; the deadline is the first instant of day N + 1). Age is whole calendar days since the referral was sent. ${DAY_RULE}`,
  referralsWaiting:
    'Referrals waiting on the receiving agency (states requested, received and accepted without first contact), per receiving agency and state, with their age in whole days since sent (median and 90th percentile by nearest rank, and the oldest).',
  startedWithin21Days: `Counting unit: treatment episodes, not people (a journey's first intervention start of an episode; a re-entry after relapse is a new episode, so one person may count more than once). Of the episodes whose first intervention started in the period, the number and share whose start was 21 days or fewer after the referral date (after a relapse: after the re-presentation date); day 21 counts as within. Source: NDTMS waiting times (target 21 days or fewer). ${DAY_RULE}`,
  successfulCompletion:
    `Source: Public Health Outcomes Framework indicator C19 (NDTMS), and C19a–c by substance group. Counting unit: people, not journeys — the person is \`coalesce(people.linked_to, people.id)\`, so linked records of one person count once. Denominator (\`inTreatment\`): people with a treatment episode in the period (an episode's first intervention start on or before the period end, and its discharge, if any, on or after the period start), at the agencies asked for; a person with two journeys or two episodes in the period counts once. Numerator (\`notRepresented\`): people whose last discharge from treatment in the period was a successful completion (discharge reason completed_drug_free or completed_occasional_user, into recovery check-ups; when several discharges share that last day, all must be) and who did not re-present within 6 months of it. A re-presentation is any return to structured treatment by the same person, at any provider: a relapse on the journey (a new episode, from its report date), or a new journey opened (from its referral date; accepting a treatment referral opens or re-enters a journey), dated from the discharge day to day 182 after it (day 182 counts as within). \`completedSuccessfully\` = \`representedWithin6Months\` + \`notRepresented\` + \`windowOpen\`: a completion whose 182 days have not all passed at the as-of date (and with no return known) is \`windowOpen\`, published beside the figure as \`windowOpenShare\` and never counted in it; \`share\` is \`notRepresented\` ÷ \`inTreatment\` and is final once \`windowOpen\` is 0. Broken down by a dimension, a person counts once in each group they have an episode in. Substance groups are the episode's (recorded at assessment, correctable with the care package; until recorded, the person's monitoring details): \`indicators\` gives C19 (everyone), C19a opiate, C19b non-opiate (non_opiate_only and non_opiate_and_alcohol) and C19c alcohol (alcohol_only). ${DAY_RULE}`,
  continuityOfCare: `Counting unit: releases from prison with a treatment need, each a prison-to-community episode (one per release recorded on a journey; a person released twice counts twice, as the definition counts episodes, not people). Source: the continuity-of-care measure (OHID, national ambition 75%). Of the releases in the period (release date in the period), the number and share engaged by community treatment within 21 days of release (engagement date minus release date of 21 days or fewer). \`awaiting\` are releases not yet engaged whose 21 days have not passed at the as-of date. ${CLOCK_RULES.continuityOfCare} ${DAY_RULE}`,
  representations:
    `Source: NDTMS re-presentations (PHOF C19). Counting unit: successful completions followed by a return: for each successful discharge of a person, their first return to structured treatment within 182 days of it (a relapse, or a new journey at any provider; see successfulCompletion), counted on the return's date when that falls in the period and on or before the as-of date, under the agency and breakdown of the discharge. ${DAY_RULE}`,
  ete: `Counting unit: ETE interventions started (one per intervention start), beside journeys in treatment. Source: the recovery-orientated commissioning checklist (seed 004, section 1.8: ETE in performance monitoring with Jobcentre Plus and employment programmes). ETE interventions are care-package interventions of the modalities employment_support, education_support, training_support and volunteering_support whose start date falls in the period, per modality; they are recovery support beside treatment, so their start does not start structured treatment. \`inTreatment\` counts journeys (not people) in treatment in the period: first intervention start on or before the period end, not left treatment before the period start. ${DAY_RULE}`,
  deathsInTreatment:
    'Source: NDTMS deaths in treatment. Counting unit: people. People discharged with reason `died` (from any journey, at the agencies asked for) with a discharge date in the period, each person once, beside the number of people in treatment in the period (as in successfulCompletion).',
} as const;

/** The name of a published figure. */
export type FigureName = keyof typeof FIGURE_DEFINITIONS;
