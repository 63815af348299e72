/**
 * Building blocks shared by the request and response schemas (and the web app's forms).
 */
import { z } from 'zod';
import { DATA_CATEGORIES } from '../../machines/data-categories.ts';

/** A record id (UUID). */
export const idSchema = z.uuid({ message: 'must be an id (UUID)' });

/** A calendar date, `YYYY-MM-DD`. */
export const dateSchema = z.iso.date({ message: 'must be a date, YYYY-MM-DD' });

/** An ISO-8601 date-time with offset, e.g. `2026-11-25T16:00:00Z`. */
export const dateTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2026-11-25T16:00:00Z' });

/**
 * Dates that make sense. A date far outside sense (a birth on 9999-12-31, a fact in year
 * 0001, a first contact next month) is a typing slip or a probe, and once stored it skews
 * ages, clocks and measures; so every date the API takes is checked here, in one place,
 * against the server's clock. The clock is the app's (tests and `PATHWAYS_CLOCK` move it):
 * the route runner binds it around each parse with `parseWithClock`; anywhere else (the
 * web app's forms) the schemas read the local clock.
 */
let boundNow: Date | null = null;

/** Runs a synchronous parse with "now" taken from `now`. */
export function parseWithClock<T>(now: Date, parse: () => T): T {
  const before = boundNow;
  boundNow = now;
  try {
    return parse();
  } finally {
    boundNow = before;
  }
}

const nowOfParse = (): Date => boundNow ?? new Date();
const DAY_MS = 86_400_000;
/** The latest calendar date that is still "today" somewhere (UTC+14), so a client's local date is never refused. */
const latestToday = (): string => new Date(nowOfParse().getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
/** The server's tolerance for a client's clock running ahead (as the engine's). */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** No fact Pathways records happened before this: treatment monitoring began in the 1990s, and older dates are slips. */
const EARLIEST_FACT_DATE = '1990-01-01';
/** Ages (in whole years) a person in adult treatment — or a young person referred on — can have. */
const PERSON_AGE_RANGE = { min: 10, max: 110 } as const;
/** The latest end date a consent may run to (a consent is renewed, not given for ever). */
const LATEST_VALID_UNTIL_YEARS = 10;

/** Whole years between a date of birth and a day, both `YYYY-MM-DD`. */
function ageOn(dateOfBirth: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return day.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}

/** The date of a fact that has happened: on or after 1990-01-01 and not after today. */
export const factDateSchema = dateSchema
  .refine((d) => d >= EARLIEST_FACT_DATE, { message: `must be on or after ${EARLIEST_FACT_DATE}` })
  .refine((d) => d <= latestToday(), { message: 'must not be in the future: record facts once they have happened' });

/** A date of birth: not in the future, and an age of 10 to 110 today. */
export const dateOfBirthSchema = dateSchema
  .refine((d) => d <= nowOfParse().toISOString().slice(0, 10), { message: 'must not be in the future' })
  .refine(
    (d) => {
      const age = ageOn(d, nowOfParse().toISOString().slice(0, 10));
      return age >= PERSON_AGE_RANGE.min && age <= PERSON_AGE_RANGE.max;
    },
    { message: `must give an age from ${PERSON_AGE_RANGE.min} to ${PERSON_AGE_RANGE.max} years today` },
  );

/** A date a consent runs until: today at the earliest sensible, at most ten years ahead. */
export const validUntilSchema = dateSchema.refine(
  (d) => new Date(`${d}T00:00:00Z`).getTime() <= nowOfParse().getTime() + LATEST_VALID_UNTIL_YEARS * 366 * DAY_MS,
  { message: `must be within ${LATEST_VALID_UNTIL_YEARS} years from today; renew a consent rather than give it for ever` },
);

/** When a fact happened (`effectiveAt`): a date-time on or after 1990-01-01 and not in the future. */
export const effectiveAtSchema = dateTimeSchema
  .refine((t) => new Date(t).getTime() >= new Date(`${EARLIEST_FACT_DATE}T00:00:00Z`).getTime(), { message: `must be on or after ${EARLIEST_FACT_DATE}` })
  .refine((t) => new Date(t).getTime() <= nowOfParse().getTime() + FUTURE_TOLERANCE_MS, { message: 'must not be in the future: record facts once they have happened' });

/** `:id` path parameter. */
export const idParams = z.strictObject({ id: idSchema });

/** Short free text (names, reasons). */
export const shortText = (max = 200) => z.string().trim().min(1, 'must not be empty').max(max);

/** A data category a consent can cover. */
export const dataCategorySchema = z.enum(DATA_CATEGORIES);

/** Cursor pagination query fields. */
export const pageQuery = {
  cursor: z.string().max(500).optional().describe('Opaque cursor from `nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size, 1–200 (default 50)'),
};

/** `true`/`false` in a query string. */
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

/** A page of results. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
