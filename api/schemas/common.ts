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
