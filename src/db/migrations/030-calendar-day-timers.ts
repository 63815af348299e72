/**
 * Timers still pending from the release that counted a deadline as N × 24 hours from the
 * event are moved to where the calendar-day rule puts them (machines/clock-rules.ts): the
 * first instant of local day N + 1 of the clock's start date, Europe/London (the zone of
 * every stream opened before the service's zone was kept). Without this they would fire
 * a day early, as they did. A referral's `first_contact_by` moves with its timer.
 *
 * The measures are not touched here: their stored facts stay consistent with themselves,
 * and `pathways metrics rebuild` recounts every event in local calendar days (README).
 */
import { sql, type Kysely } from 'kysely';
import { DEFAULT_TIME_ZONE } from '../../../machines/calendar-days.ts';
import {
  checkupDueAt,
  continuityBreachAt,
  firstContactBreachAt,
  recoverySustainedAt,
  reviewClockStart,
  reviewOverdueAt,
  waitingTimeBreachAt,
} from '../../../machines/clock-rules.ts';
import type { Migration } from '../migrator.ts';

const BATCH = 2000;

type Obj = Record<string, unknown>;
const text = (v: unknown): string | null => (typeof v === 'string' && v.length >= 10 ? v : null);

/** Where the calendar-day rule puts a pending timer of this stream, or null to leave it. */
export function calendarDueAt(stream: string, key: string, context: Obj): number | null {
  const zone = text(context.timeZone) ?? DEFAULT_TIME_ZONE;
  if (stream === 'referral') {
    const requestedAt = text(context.requestedAt);
    const days = context.firstContactWithinDays;
    return key === 'first-contact-deadline' && requestedAt && typeof days === 'number' ? firstContactBreachAt(requestedAt, days, zone) : null;
  }
  const discharge = context.discharge as Obj | null | undefined;
  const dischargedOn = text(discharge?.dischargedOn);
  switch (key) {
    case 'waiting-time': {
      const start = text(context.reenteredOn) ?? text(context.referredOn);
      return start ? waitingTimeBreachAt(start, zone) : null;
    }
    case 'review-due': {
      const start = reviewClockStart(text(context.treatmentStartedOn), text(context.lastReviewOn));
      return start ? reviewOverdueAt(start, zone) : null;
    }
    case 'continuity-of-care': {
      const released = text((context.continuity as Obj | null | undefined)?.releasedOn);
      return released ? continuityBreachAt(released, zone) : null;
    }
    case 'recovery-sustained':
      return dischargedOn ? recoverySustainedAt(dischargedOn, zone) : null;
    default: {
      const index = /^checkup-(\d+)$/.exec(key)?.[1];
      if (index === undefined || !dischargedOn) return null;
      const checkup = (context.checkups as Obj[] | undefined)?.find((c) => c.index === Number(index));
      return typeof checkup?.dueDays === 'number' ? checkupDueAt(dischargedOn, checkup.dueDays, zone) : null;
    }
  }
}

export const calendarDayTimersMigration: Migration = {
  name: '030-calendar-day-timers',
  async up(db: Kysely<unknown>) {
    let after = '';
    for (;;) {
      const rows = (
        await sql<{ id: string; stream_type: string; stream_id: string; timer_key: string; due_at: string; snapshot: string | null }>`
          select t.id, t.stream_type, t.stream_id, t.timer_key, t.due_at,
            coalesce(c.snapshot, r.snapshot) as snapshot
          from timers t
          left join cases c on t.stream_type = 'case' and c.id = t.stream_id
          left join referrals r on t.stream_type = 'referral' and r.id = t.stream_id
          where t.status = 'pending' and t.id > ${after}
          order by t.id limit ${sql.lit(BATCH)}`.execute(db)
      ).rows;
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.snapshot === null) continue;
        const context = (JSON.parse(row.snapshot) as { context?: Obj }).context ?? {};
        const due = calendarDueAt(row.stream_type, row.timer_key, context);
        if (due === null) continue;
        const dueAt = new Date(due).toISOString();
        if (dueAt === row.due_at) continue;
        await sql`update timers set due_at = ${dueAt} where id = ${row.id}`.execute(db);
        if (row.stream_type === 'referral') await sql`update referrals set first_contact_by = ${dueAt} where id = ${row.stream_id}`.execute(db);
      }
      after = rows.at(-1)!.id;
    }
  },
};
