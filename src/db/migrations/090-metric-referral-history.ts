/**
 * Past days for every list: `metric_referral_history` (src/metrics/referral-history.ts),
 * one row per spell of a referral's counted states (waiting on its receiver in a state, a
 * deadline running) with the days it began and ended, the sending time and the referral's
 * breakdown values; and in `metric_case_history`, whose caseload each open journey was in
 * (src/metrics/case-history.ts). Two covering indexes, as the journeys' history has: by
 * receiving agency and by metric alone, each in (metric, sending time, referral) order, so
 * the referrals waiting on an agency at the end of a past day are one walk of an index,
 * oldest first.
 *
 * Backfill: the journeys' stored facts now keep their keyworker, which older facts do not
 * hold, so every measure is rebuilt here from the event log (as `pathways metrics rebuild`
 * does), in the zone the journeys were recorded in.
 */
import { sql, type Kysely } from 'kysely';
import { rebuildMetricsIn } from '../../metrics/rebuild.ts';
import type { Database } from '../schema.ts';
import type { Migration } from '../migrator.ts';
import { journeysTimeZone } from './065-metric-person-episodes.ts';

const DIMS = ['sex', 'age_band', 'ethnicity', 'postcode_district', 'referral_source', 'substance'];
const COVERED = ['k', 'day', 'from_day', 'to_day', ...DIMS];

export const metricReferralHistoryMigration: Migration = {
  name: '090-metric-referral-history',
  async up(db: Kysely<unknown>, dialect) {
    let create = db.schema
      .createTable('metric_referral_history')
      .addColumn('referral_id', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('since_at', 'text', (c) => c.notNull())
      .addColumn('from_day', 'integer', (c) => c.notNull())
      .addColumn('to_day', 'integer');
    for (const dim of DIMS) create = create.addColumn(dim, 'text', (c) => c.notNull());
    create = create.addPrimaryKeyConstraint('metric_referral_history_pk', ['referral_id', 'metric', 'from_day']);
    await (dialect === 'sqlite' ? create.modifyEnd(sql`without rowid`) : create).execute();
    await db.schema.createIndex('metric_referral_history_agency').on('metric_referral_history').columns(['agency_id', 'metric', 'since_at', 'referral_id', ...COVERED]).execute();
    await db.schema.createIndex('metric_referral_history_metric').on('metric_referral_history').columns(['metric', 'since_at', 'referral_id', 'agency_id', ...COVERED]).execute();

    const typed = db as unknown as Kysely<Database>;
    const any = await typed.selectFrom('events').select('seq').limit(1).executeTakeFirst();
    if (!any) return;
    await rebuildMetricsIn(typed, dialect, { timeZone: await journeysTimeZone(typed) });
  },
};
