/**
 * Where each figure of the dashboard leads: the list of journeys or referrals behind it
 * (`#/dashboard/journeys?…`, `#/dashboard/referrals?…`), with the dashboard's own scope.
 */
import type { JourneyListFigure, ReferralListFigure } from '../../../machines/figure-lists.ts';

/** The scope the dashboard is showing, carried into the lists. */
export interface FigureScope {
  agencyId?: string | undefined;
  asOf?: string | undefined;
  /** One group of a breakdown (`breakdown=ethnicity&group=…`): the list behind that cell. */
  breakdown?: string | undefined;
  group?: string | undefined;
}

function withScope(params: Record<string, string | undefined>, scope: FigureScope): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, agencyId: scope.agencyId, asOf: scope.asOf, breakdown: scope.breakdown, group: scope.group })) if (v) q.set(k, v);
  return q.toString();
}


/** The app path of the journeys behind a figure (a stage's work in progress with `stage`). */
export function journeysPath(figure: JourneyListFigure, scope: FigureScope, stage?: string): string {
  return `/dashboard/journeys?${withScope({ figure, stage }, scope)}`;
}

/** The app path of the referrals behind a figure, for one receiving agency with `agencyId` in scope. */
export function referralsPath(figure: ReferralListFigure, scope: FigureScope, state?: string): string {
  return `/dashboard/referrals?${withScope({ figure, state }, scope)}`;
}

/** Words for each list's heading. */
export const FIGURE_TITLES: Record<string, string> = {
  workInProgress: 'Open journeys',
  waitingOver21Days: 'Waiting more than 21 days for treatment',
  reviewsOverdue: 'Six-monthly review overdue',
  continuityOver21Days: 'Released from custody, not engaged after 21 days',
  referralsWaiting: 'Referrals waiting',
  referralsNotAcknowledged: 'Referrals not acknowledged in time',
  referralsNotContacted: 'Referrals with no first contact in time',
};
