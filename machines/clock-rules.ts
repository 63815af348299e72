/**
 * One rule per clock: where each of a journey's clocks starts, how many calendar days it
 * runs (calendar-days.ts), and what custody does to it. The statechart's timers and the
 * published measures (src/metrics/definitions.ts quotes `CLOCK_RULES`) both read these
 * functions, so a journey's flag and the measure cannot disagree.
 */
import { breachInstant, DEFAULT_TIME_ZONE, startOfLocalDay, addDays } from './calendar-days.ts';
import { CONTINUITY_OF_CARE_DAYS, RECOVERY_SUSTAINED_DAYS, REVIEW_INTERVAL_DAYS, WAITING_TIME_DAYS } from './time.ts';

/** The clocks, in words: the source of the definitions' text and the docs. */
export const CLOCK_RULES = {
  waitingTime:
    `The waiting clock starts on the referral date (after a relapse: the re-presentation date) and runs ${WAITING_TIME_DAYS} calendar days; it keeps running in custody and stops at the first intervention start of the episode.`,
  review:
    `The review clock runs ${REVIEW_INTERVAL_DAYS} calendar days from the later of the episode's first intervention start and the last review; only a review restarts it. Custody neither pauses nor restarts it: a person released after the ${REVIEW_INTERVAL_DAYS} days is overdue a review at once.`,
  continuityOfCare:
    `The continuity-of-care clock starts on the release date and runs ${CONTINUITY_OF_CARE_DAYS} calendar days; community engagement stops it.`,
  recoverySustained:
    `The 6-month window after a successful completion starts on the discharge date and runs ${RECOVERY_SUSTAINED_DAYS} calendar days; custody does not extend it.`,
  checkup: 'A recovery check-up scheduled N days after a successful completion is due from the first instant of day N counted from the discharge date.',
} as const;

/** The review clock's start date: the later of the episode's treatment start and its last review. */
export function reviewClockStart(treatmentStartedOn: string | null, lastReviewOn: string | null): string | null {
  if (treatmentStartedOn === null) return lastReviewOn;
  if (lastReviewOn === null) return treatmentStartedOn;
  return lastReviewOn > treatmentStartedOn ? lastReviewOn : treatmentStartedOn;
}

/** When the waiting clock started on `startDate` is breached (first instant of day 22). */
export function waitingTimeBreachAt(startDate: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  return breachInstant(startDate, WAITING_TIME_DAYS, timeZone);
}

/** When a review is overdue (first instant of day 183 from the review clock's start). */
export function reviewOverdueAt(clockStart: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  return breachInstant(clockStart, REVIEW_INTERVAL_DAYS, timeZone);
}

/** When continuity of care is breached (first instant of day 22 after release). */
export function continuityBreachAt(releasedOn: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  return breachInstant(releasedOn, CONTINUITY_OF_CARE_DAYS, timeZone);
}

/** When recovery counts as sustained (first instant of day 183 after a successful discharge). */
export function recoverySustainedAt(dischargedOn: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  return breachInstant(dischargedOn, RECOVERY_SUSTAINED_DAYS, timeZone);
}

/** When a check-up scheduled `dueDays` after discharge falls due (first instant of that day). */
export function checkupDueAt(dischargedOn: string, dueDays: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  return startOfLocalDay(addDays(dischargedOn, dueDays), timeZone);
}

/** When a referral's first-contact deadline of `days` calendar days from sending is breached. */
export function firstContactBreachAt(requestedAt: string, days: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  return breachInstant(requestedAt, days, timeZone);
}
