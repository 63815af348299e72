/**
 * The referral source and the release date are columns of a referral, not something read
 * back out of the audit trail: `referral_source` (the `referral_source` code the journey it
 * opens records; null means "from the sending agency's kind") and `released_on` (a referral
 * from a prison on release: the day the person left custody, which starts the journey's
 * continuity-of-care clock). Stored referrals take their source from the share or override
 * audit entry that recorded it.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const referralSourceMigration: Migration = {
  name: '015-referral-source',
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('referrals').addColumn('referral_source', 'text').execute();
    await db.schema.alterTable('referrals').addColumn('released_on', 'text').execute();
    const named = (await sql<{ entity_id: string; detail: string }>`
      select entity_id, detail from audit_log
      where entity_type = 'referral' and action in ('share', 'override') and detail like '%"referralSource"%'`.execute(db)).rows;
    for (const row of named) {
      const source = (JSON.parse(row.detail) as { referralSource?: unknown }).referralSource;
      if (typeof source === 'string') await sql`update referrals set referral_source = ${source} where id = ${row.entity_id}`.execute(db);
    }
  },
};
