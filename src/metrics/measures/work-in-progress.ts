/** Work in progress: open journeys per stage, per breakdown value and per agency. */
import { readBlockTotals } from '../count-reader.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import { historyTotals } from '../history-reader.ts';
import type { MetricsDb } from '../metric-tables.ts';
import { asOfDayOf, type MeasureQuery } from './measure-query.ts';

export interface WorkInProgress {
  workInProgress: {
    definition: string;
    total: number;
    rows: Array<{ stage: string; group: string; count: number }>;
    byAgency: Array<{ agencyId: string; stage: string; count: number }>;
  };
}

/** Open journeys by stage (and breakdown), and by agency and stage. */
export async function workInProgress(db: MetricsDb, q: MeasureQuery): Promise<WorkInProgress> {
  // Every open journey has one stage-age counter, on the day it entered its stage: their
  // totals per stage are the work in progress; on a past day, the stage spells running at its end.
  const read = q.past
    ? (dim: MeasureQuery['dim'], byAgency: boolean) => historyTotals(db, { metric: 'stage_age', agencyIds: q.agencyIds, dim, asOfDay: asOfDayOf(q), byAgency })
    : (dim: MeasureQuery['dim'], byAgency: boolean) => readBlockTotals(db, { metric: 'stage_age', agencyIds: q.agencyIds, dim, byAgency });
  const rows = await read(q.dim, false);
  const byAgency = await read('all', true);
  return {
    workInProgress: {
      definition: FIGURE_DEFINITIONS.workInProgress,
      total: rows.reduce((s, r) => s + r.n, 0),
      rows: rows.map((r) => ({ stage: r.k, group: r.value, count: r.n })).sort((a, b) => a.stage.localeCompare(b.stage) || a.group.localeCompare(b.group)),
      byAgency: byAgency
        .map((r) => ({ agencyId: r.agencyId ?? '', stage: r.k, count: r.n }))
        .sort((a, b) => a.agencyId.localeCompare(b.agencyId) || a.stage.localeCompare(b.stage)),
    },
  };
}
