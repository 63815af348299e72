/**
 * Form values as plain nested objects, read and written by dotted path
 * (`interventions.0.modality`), and the starting values a schema suggests.
 */
import { today } from '../lib/format.ts';
import { typeOf, unwrap, type JsonSchema } from './json-schema.ts';

export type FormValue = Record<string, unknown>;

/** The value at a dotted path. */
export function getAt(value: unknown, path: string): unknown {
  if (!path) return value;
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A copy of `value` with the dotted path set (undefined removes the key). */
export function setAt<T>(value: T, path: string, next: unknown): T {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return value;
  const isIndex = /^\d+$/.test(head);
  const base: unknown = value ?? (isIndex ? [] : {});
  const copy: Record<string, unknown> | unknown[] = Array.isArray(base) ? [...(base as unknown[])] : { ...(base as Record<string, unknown>) };
  const child: unknown = rest.length ? setAt((copy as Record<string, unknown>)[head], rest.join('.'), next) : next;
  if (child === undefined && !Array.isArray(copy)) delete copy[head];
  else (copy as Record<string, unknown>)[head] = child;
  return copy as T;
}

/** Drops empty strings and undefined (empty optional fields), deeply. */
export function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = compact(v);
      if (c !== undefined && c !== '') out[k] = c;
    }
    return out;
  }
  return value;
}

/**
 * Starting values for a schema: today for dates, 0 for 28-day counts, false for
 * yes/no questions; choices and ratings are left for the user to make.
 */
export function defaultsFor(schema: JsonSchema, includeOptionalObjects = false): unknown {
  const s = unwrap(schema);
  switch (typeOf(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(s.required ?? []);
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        const p = unwrap(prop);
        if (p.const !== undefined) continue;
        const t = typeOf(p);
        if (t === 'object' && !required.has(name) && !includeOptionalObjects) continue;
        if (t === 'string' && p.format === 'date-time') continue;
        if (!required.has(name) && t !== 'string') continue;
        if (!required.has(name) && p.format !== 'date') continue;
        const d = defaultsFor(p, includeOptionalObjects);
        if (d !== undefined) out[name] = d;
      }
      return out;
    }
    case 'array':
      return s.minItems && s.items ? Array.from({ length: s.minItems }, () => defaultsFor(s.items!)) : [];
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      // Every number is asked for, TOP day counts included: a count that started at 0 turned
      // a skipped question into "no use in 28 days".
      return undefined;
    case 'string':
      if (s.format === 'date') return today();
      return undefined;
    case 'null':
    case undefined:
    default:
      return undefined;
  }
}
