/**
 * The open journeys of an area by stage and by agency, as `GET /api/v1/metrics/wip` counts
 * them for the whole area now: carried in `metrics.changed` so a manager's dashboard shows
 * a stage's new count from the message itself, without waiting for its refetch of the
 * measures (the refetch still follows, for the waits and breaches). Read after the changes
 * it follows have committed, so it includes them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { workInProgress } from '../metrics/measures/work-in-progress.ts';
import { metricsDb } from '../metrics/metric-tables.ts';

/** The `workInProgress` field of `metrics.changed`. */
export interface AreaWorkInProgress {
  /** Open journeys in the area. */
  total: number;
  /** Open journeys per stage, the area's agencies together (stages with none left out). */
  byStage: Record<string, number>;
  /** Open journeys per agency of the area and stage. */
  byAgency: Array<{ agencyId: string; stage: string; count: number }>;
}

/** Reads the area's work in progress now (undivided, every agency of the area). */
export async function areaWorkInProgress(db: Kysely<Database>, area: string, now: Date): Promise<AreaWorkInProgress> {
  const agencies = await db.selectFrom('agencies').select('id').where('area', '=', area).orderBy('id').execute();
  const day = Math.floor(now.getTime() / 86_400_000);
  const { workInProgress: wip } = await workInProgress(metricsDb(db), {
    agencyIds: agencies.map((a) => a.id),
    dim: 'all',
    asOf: now.toISOString(),
    fromDay: day,
    toDay: day,
    past: false,
  });
  const byStage: Record<string, number> = {};
  for (const row of wip.rows) if (row.group === 'all') byStage[row.stage] = (byStage[row.stage] ?? 0) + row.count;
  return { total: wip.total, byStage, byAgency: wip.byAgency };
}
