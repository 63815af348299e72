/**
 * The as-of time of a measure or list: "where were people at the end of this day". Today
 * (or no `asOf`) reads today's counters and clocks; a past day reads the history of counted
 * states (case-history.ts). A day after today, or before anything was recorded, has no
 * answer and is refused with a message saying which days do.
 */
import { sql, type Kysely } from 'kysely';
import { dateOfDayNumber, localDayOf } from '../../machines/calendar-days.ts';
import { pathwayMachine } from '../../machines/pathway.machine.ts';
import type { Database } from '../db/schema.ts';
import { validationError } from '../errors.ts';

/** The pathway's top-level stages: every journey's first spell is in one of them. */
const STAGES = Object.keys(pathwayMachine.config.states ?? {});

/** A resolved as-of time. */
export interface AsOf {
  /** ISO-8601 UTC. */
  asOf: string;
  /** Its local calendar day in the service's time zone. */
  asOfDay: number;
  /** True for a day before today: states are read from the history. */
  past: boolean;
}

/**
 * The first day anything was recorded: the earliest day a journey entered a stage. One
 * index probe per stage (the history's (metric, stage, day) order), whatever its size.
 */
export async function firstRecordedDay(db: Kysely<Database>): Promise<number | null> {
  const probes = STAGES.map((k) => sql`select min(day) as d from metric_case_history where metric = 'stage_age' and k = ${k}`);
  const r = await sql<{ d: number | string | null }>`select min(d) as d from (${sql.join(probes, sql` union all `)}) firsts`.execute(db);
  const d = r.rows[0]?.d;
  return d === null || d === undefined ? null : Number(d);
}

/**
 * Checks and resolves a request's `asOf` against the clock.
 * @throws PathwaysError `validation_failed` naming `asOf` for a day after today, or before the first recorded day
 */
export async function resolveAsOf(db: Kysely<Database>, requested: string | undefined, now: Date, timeZone: string): Promise<AsOf> {
  const asOf = requested ? new Date(requested).toISOString() : now.toISOString();
  const asOfDay = localDayOf(asOf, timeZone);
  const today = localDayOf(now.toISOString(), timeZone);
  if (asOfDay > today) {
    throw validationError(`asOf ${requested} is after today (${dateOfDayNumber(today)}): figures exist for today and the days before it.`, [
      { path: 'asOf', message: `must be on or before ${dateOfDayNumber(today)}` },
    ]);
  }
  if (asOfDay === today) return { asOf, asOfDay, past: false };
  const first = await firstRecordedDay(db);
  if (first === null || asOfDay < first) {
    const since = first === null ? 'nothing has been recorded yet' : `the first journey was recorded on ${dateOfDayNumber(first)}`;
    throw validationError(`asOf ${requested} is before anything was recorded: ${since}. Pick a day from then to today.`, [
      { path: 'asOf', message: first === null ? 'no journey has been recorded yet' : `must be on or after ${dateOfDayNumber(first)}` },
    ]);
  }
  return { asOf, asOfDay, past: true };
}
