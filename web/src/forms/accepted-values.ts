/**
 * An event's shared schema narrowed to the values the record accepts now (the API's
 * `eventOptions`): a select then offers only those, and the check before sending refuses
 * the rest — the form never offers a value that can only be refused.
 */
import { z } from 'zod';

type EventSchema = z.ZodObject<z.ZodRawShape>;

/**
 * `schema` with each field named in `options` limited to the listed values (kept optional
 * when it was, with its description). Fields the schema lacks, or empty lists, are left alone.
 */
export function narrowToAccepted(schema: EventSchema, options: Record<string, string[]> | undefined): EventSchema {
  if (!options) return schema;
  const shape: Record<string, z.ZodType> = {};
  for (const [field, values] of Object.entries(options)) {
    const original = schema.shape[field] as z.ZodType | undefined;
    const [first, ...rest] = values;
    if (!original || first === undefined) continue;
    let narrowed: z.ZodType = z.enum([first, ...rest]);
    if (original.description) narrowed = narrowed.describe(original.description);
    shape[field] = original.safeParse(undefined).success ? narrowed.optional() : narrowed;
  }
  return Object.keys(shape).length > 0 ? schema.extend(shape) : schema;
}
