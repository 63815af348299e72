/** Time in the current stage: median and 90th percentile days per stage (and breakdown). */
import { readCounts } from '../count-reader.ts';
import { dayOf } from '../days.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import { summariseDays, type DaySummary } from '../percentiles.ts';
import type { MeasureQuery } from './measure-query.ts';

export interface TimeInStage {
  timeInStage: {
    definition: string;
    rows: Array<{ stage: string; group: string } & DaySummary>;
  };
}

/** Days open journeys have spent in their current stage, as of `q.asOf`. */
export async function timeInStage(db: MetricsDb, q: MeasureQuery): Promise<TimeInStage> {
  const asOfDay = dayOf(q.asOf);
  const rows = await readCounts(db, { metric: 'stage_age', agencyIds: q.agencyIds, dim: q.dim });
  const histograms = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const key = `${r.k}\u0000${r.value}`;
    const h = histograms.get(key) ?? new Map<number, number>();
    // An entry dated after the as-of day (backdating aside, a future as-of) counts as 0 days.
    const age = Math.max(0, asOfDay - r.day);
    h.set(age, (h.get(age) ?? 0) + r.n);
    histograms.set(key, h);
  }
  return {
    timeInStage: {
      definition: FIGURE_DEFINITIONS.timeInStage,
      rows: [...histograms.entries()]
        .map(([key, h]) => {
          const [stage = '', group = ''] = key.split('\u0000');
          return { stage, group, ...summariseDays(h) };
        })
        .sort((a, b) => a.stage.localeCompare(b.stage) || a.group.localeCompare(b.group)),
    },
  };
}
