/**
 * Consent-expiry timers still pending from the release that ended a consent at midnight
 * UTC are moved to the end of the consent's last valid day in Europe/London (the zone of
 * every consent given before its zone was kept; machines/person.machine.ts): in summer the
 * old timer fired an hour late, and a consent shown as lapsed after its last day stayed in
 * force on the record until 01:00.
 */
import { sql, type Kysely } from 'kysely';
import { DEFAULT_TIME_ZONE } from '../../../machines/calendar-days.ts';
import { consentExpiresAt } from '../../../machines/person.machine.ts';
import type { Migration } from '../migrator.ts';

const BATCH = 2000;
const PREFIX = 'consent-expiry-';

type Consents = Record<string, { validUntil?: unknown; timeZone?: unknown } | undefined>;

export const consentExpiryLocalMidnightMigration: Migration = {
  name: '062-consent-expiry-local-midnight',
  async up(db: Kysely<unknown>) {
    let after = '';
    for (;;) {
      const rows = (
        await sql<{ id: string; timer_key: string; due_at: string; snapshot: string | null }>`
          select t.id, t.timer_key, t.due_at, s.snapshot
          from timers t
          left join record_streams s on s.stream_type = 'person' and s.id = t.stream_id
          where t.stream_type = 'person' and t.status = 'pending' and t.id > ${after}
          order by t.id limit ${sql.lit(BATCH)}`.execute(db)
      ).rows;
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.snapshot === null || !row.timer_key.startsWith(PREFIX)) continue;
        const consents = ((JSON.parse(row.snapshot) as { context?: { consents?: Consents } }).context?.consents ?? {});
        const consent = consents[row.timer_key.slice(PREFIX.length)];
        if (typeof consent?.validUntil !== 'string') continue;
        const zone = typeof consent.timeZone === 'string' ? consent.timeZone : DEFAULT_TIME_ZONE;
        const dueAt = new Date(consentExpiresAt(consent.validUntil, zone)).toISOString();
        if (dueAt !== row.due_at) await sql`update timers set due_at = ${dueAt} where id = ${row.id}`.execute(db);
      }
      after = rows.at(-1)!.id;
    }
  },
};
