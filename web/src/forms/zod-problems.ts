/**
 * Turns a shared schema's verdict into the error summary's list: one entry per field, with
 * the field's own element id and a message that names the field, so "must not be empty"
 * reads "Name: must not be empty" and links to the name box.
 */
import type { z } from 'zod';
import type { FieldProblem } from './error-summary.tsx';

/**
 * The problems with `value` under `schema`, or none.
 * @param labels - field path → the words the form uses for it
 * @param idPrefix - element ids are `${idPrefix}-${path}`
 */
export function zodProblems(schema: z.ZodType, value: unknown, labels: Record<string, string>, idPrefix: string): FieldProblem[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    if (seen.has(path)) continue;
    seen.add(path);
    const label = labels[path] ?? path;
    out.push({ fieldId: `${idPrefix}-${path}`, message: `${label}: ${issue.message}` });
  }
  return out;
}
