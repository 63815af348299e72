/** Time in the current stage: median and 90th percentile days per stage (and breakdown). */
import { readDaySummaries } from '../day-histograms.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import { historySummaries } from '../history-reader.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { DaySummary } from '../percentiles.ts';
import { asOfDayOf, type MeasureQuery } from './measure-query.ts';

export interface TimeInStage {
  timeInStage: {
    definition: string;
    rows: Array<{ stage: string; group: string } & DaySummary>;
  };
}

/** Days open journeys have spent in their current stage, as of `q.asOf`. */
export async function timeInStage(db: MetricsDb, q: MeasureQuery): Promise<TimeInStage> {
  // An entry dated after the as-of day (backdating aside, a future as-of) counts as 0 days.
  const read = { metric: 'stage_age', agencyIds: q.agencyIds, dim: q.dim, asOfDay: asOfDayOf(q) };
  // A past day: the stages journeys were in at its end, and their ages then.
  const rows = q.past ? await historySummaries(db, read) : await readDaySummaries(db, read);
  return {
    timeInStage: {
      definition: FIGURE_DEFINITIONS.timeInStage,
      rows: rows
        .map(({ k, value, count, medianDays, p90Days, maxDays }) => ({ stage: k, group: value, count, medianDays, p90Days, maxDays }))
        .sort((a, b) => a.stage.localeCompare(b.stage) || a.group.localeCompare(b.group)),
    },
  };
}
