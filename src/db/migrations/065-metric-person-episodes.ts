/**
 * `metric_person_episodes`: the measures that count people (PHOF C19 successful completion
 * and its substance groups C19a–c, deaths, re-presentations), one row per treatment episode
 * of the person the measures count, `coalesce(people.linked_to, people.id)`
 * (src/metrics/person-facts.ts). Two indexes: episodes by agency and start (who was in
 * treatment in a period), and by agency and end (who left in it).
 *
 * Backfill: the journeys' stored facts now keep their episodes and the episode's substance
 * group, which older facts do not hold, so every measure is rebuilt here from the event log
 * (as `pathways metrics rebuild` does), in the service's time zone as the journeys recorded it.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_TIME_ZONE } from '../../../machines/calendar-days.ts';
import { rebuildMetricsIn } from '../../metrics/rebuild.ts';
import type { Database } from '../schema.ts';
import type { Migration } from '../migrator.ts';

export const metricPersonEpisodesMigration: Migration = {
  name: '065-metric-person-episodes',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable('metric_person_episodes')
      .addColumn('person_key', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('episode', 'integer', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('sex', 'text', (c) => c.notNull())
      .addColumn('age_band', 'text', (c) => c.notNull())
      .addColumn('ethnicity', 'text', (c) => c.notNull())
      .addColumn('postcode_district', 'text', (c) => c.notNull())
      .addColumn('referral_source', 'text', (c) => c.notNull())
      .addColumn('substance', 'text', (c) => c.notNull())
      .addColumn('open_day', 'integer', (c) => c.notNull())
      .addColumn('start_day', 'integer')
      .addColumn('end_day', 'integer')
      .addColumn('successful', 'integer', (c) => c.notNull())
      .addColumn('died', 'integer', (c) => c.notNull())
      .addColumn('returned_day', 'integer')
      .addPrimaryKeyConstraint('metric_person_episodes_pk', ['person_key', 'case_id', 'episode'])
      .execute();
    await db.schema.createIndex('metric_person_episodes_start').on('metric_person_episodes').columns(['agency_id', 'start_day']).execute();
    await db.schema.createIndex('metric_person_episodes_end').on('metric_person_episodes').columns(['agency_id', 'end_day']).execute();

    const typed = db as unknown as Kysely<Database>;
    const any = await typed.selectFrom('events').select('seq').limit(1).executeTakeFirst();
    if (!any) return;
    await rebuildMetricsIn(typed, dialect, { timeZone: await journeysTimeZone(typed) });
  },
};

/** The zone the latest journey was opened in (its snapshot keeps it), else the default. */
export async function journeysTimeZone(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('cases').select('snapshot').orderBy('opened_at', 'desc').limit(1).executeTakeFirst();
  try {
    const zone = row ? (JSON.parse(row.snapshot) as { context?: { timeZone?: unknown } }).context?.timeZone : undefined;
    return typeof zone === 'string' && zone !== '' ? zone : DEFAULT_TIME_ZONE;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}
