/**
 * The dashboard's figures that open onto the list behind them (GET /api/v1/metrics/journeys
 * and …/referrals): the vocabulary the API, the measures and the web app share.
 */

/** Journey figures with a list: a stage's work in progress, and the journey deadlines. */
export const JOURNEY_LIST_FIGURES = ['workInProgress', 'waitingOver21Days', 'reviewsOverdue', 'continuityOver21Days'] as const;
export type JourneyListFigure = (typeof JOURNEY_LIST_FIGURES)[number];

/** Referral figures with a list: those waiting on an agency, and those past a deadline. */
export const REFERRAL_LIST_FIGURES = ['referralsWaiting', 'referralsNotAcknowledged', 'referralsNotContacted'] as const;
export type ReferralListFigure = (typeof REFERRAL_LIST_FIGURES)[number];
