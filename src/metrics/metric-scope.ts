/**
 * Whose counters a viewer may read. Measures are aggregates of care records, so only
 * managers read them (issue 3: "a manager sees their area's aggregates"): all agencies
 * of their own area, or one agency of it. Everyone else is refused.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';
import { PathwaysError } from '../errors.ts';

/** Roles that may read measures. */
export const METRIC_READER_ROLES = ['manager'] as const;

/** The agencies whose counters are summed, and the area they belong to. */
export interface MetricScope {
  area: string;
  agencyIds: string[];
}

/** The scope a request may read; refuses another area or an agency outside the viewer's area. */
export async function resolveMetricScope(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: { area?: string | undefined; agencyId?: string | undefined },
): Promise<MetricScope> {
  if (!(METRIC_READER_ROLES as readonly string[]).includes(viewer.role)) {
    throw new PathwaysError('forbidden', `Measures are for managers; you are signed in as ${viewer.role}.`);
  }
  if (filter.area !== undefined && filter.area !== viewer.agencyArea) {
    throw new PathwaysError('forbidden', `You may read the measures of your own area ("${viewer.agencyArea}") only; leave out \`area\` or pass it.`, {
      area: viewer.agencyArea,
    });
  }
  const agencies = await db.selectFrom('agencies').select('id').where('area', '=', viewer.agencyArea).orderBy('id').execute();
  const ids = agencies.map((a) => a.id);
  if (filter.agencyId !== undefined) {
    if (!ids.includes(filter.agencyId)) {
      throw new PathwaysError('forbidden', `Agency ${filter.agencyId} is not in your area ("${viewer.agencyArea}"); pick one of its agencies or leave out \`agencyId\`.`);
    }
    return { area: viewer.agencyArea, agencyIds: [filter.agencyId] };
  }
  return { area: viewer.agencyArea, agencyIds: ids };
}
