/**
 * The shared zod schemas (api/schemas) seen as JSON Schema, which is what the form
 * renderer walks. Generating forms from the API's own schemas means a field added to an
 * event appears in the app without anyone writing it twice.
 */
import { z } from 'zod';

/** The parts of JSON Schema the forms use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: Array<string | number>;
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  description?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

const cache = new WeakMap<z.ZodType, JsonSchema>();

/** The JSON Schema of a zod schema, as the request body it validates (input side). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let js = cache.get(schema);
  if (!js) {
    js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(schema, js);
  }
  return js;
}

/** The first type name of a schema node (`['string','null']` → `string`). */
export function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  if (s.enum) return typeof s.enum[0] === 'number' ? 'number' : 'string';
  const branch = (s.anyOf ?? s.oneOf)?.find((b) => typeOf(b) !== 'null');
  return branch ? typeOf(branch) : undefined;
}

/** A node with `anyOf: [X, null]` unwrapped to X. */
export function unwrap(s: JsonSchema): JsonSchema {
  const branches = s.anyOf ?? s.oneOf;
  if (!branches || s.type) return s;
  const real = branches.filter((b) => b.type !== 'null');
  return real.length === 1 && real[0] ? { ...real[0], description: s.description ?? real[0].description } : s;
}

/** Field paths to messages, from a zod error (`interventions.0.modality`). */
export function issuesByPath(error: z.ZodError): Map<string, string> {
  const map = new Map<string, string>();
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (!map.has(path)) map.set(path, friendlyMessage(issue.message));
  }
  return map;
}

/** Zod's "expected number, received undefined" reads better as "required". */
export function friendlyMessage(message: string): string {
  if (/received undefined/i.test(message)) return 'This is required';
  if (/expected one of/i.test(message) || /invalid option/i.test(message)) return 'Choose one of the options';
  if (/expected number, received nan/i.test(message)) return 'Enter a number';
  return message.charAt(0).toUpperCase() + message.slice(1);
}
