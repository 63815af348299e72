/**
 * The inputs every measure takes: whose counters (agencies), which breakdown, the as-of
 * moment (ages and deadlines are measured to it) and, for flows and outcomes, a period.
 */
import { DEFAULT_TIME_ZONE, localDayOf, startOfLocalDay, dateOfDayNumber } from '../../../machines/calendar-days.ts';
import type { Dimension } from '../../../machines/measure-dimensions.ts';

export interface MeasureQuery {
  /** The agencies whose counters are summed (the caller's scope, already access-checked). */
  agencyIds: readonly string[];
  dim: Dimension;
  /** ISO-8601 as-of time (or a date); its local date in `timeZone` is the as-of day. */
  asOf: string;
  /** Inclusive period as day numbers. */
  fromDay: number;
  toDay: number;
  /** The service's time zone (default Europe/London): days are its calendar days. */
  timeZone?: string;
  /**
   * The as-of day is before today: the state figures (stages, waiting, reviews, continuity)
   * are read from the history of where journeys were at its end (history-reader.ts)
   * rather than from today's counters.
   */
  past?: boolean;
}

/** The as-of day: the local calendar day of `q.asOf` in the service's time zone. */
export function asOfDayOf(q: Pick<MeasureQuery, 'asOf' | 'timeZone'>): number {
  return localDayOf(q.asOf, q.timeZone ?? DEFAULT_TIME_ZONE);
}

/** The first instant of a local day, as ISO-8601 UTC (comparable with stored times as text). */
export function startOfDayIso(day: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return new Date(startOfLocalDay(dateOfDayNumber(day), timeZone)).toISOString();
}
