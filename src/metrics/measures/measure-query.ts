/**
 * The inputs every measure takes: whose counters (agencies), which breakdown, the as-of
 * moment (ages and deadlines are measured to it) and, for flows and outcomes, a period.
 */
import type { Dimension } from '../../../machines/measure-dimensions.ts';

export interface MeasureQuery {
  /** The agencies whose counters are summed (the caller's scope, already access-checked). */
  agencyIds: readonly string[];
  dim: Dimension;
  /** ISO-8601 as-of time; its UTC date is the as-of day. */
  asOf: string;
  /** Inclusive period as day numbers. */
  fromDay: number;
  toDay: number;
}
