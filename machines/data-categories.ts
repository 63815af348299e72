/**
 * The kinds of personal data a consent can cover. Sharing between agencies is scoped to
 * these (Caldicott principle 3: the minimum necessary). The seeds load the same codes,
 * with labels, into the `codes` table.
 */

/** Every data category, in display order. */
export const DATA_CATEGORIES = [
  'identity',
  'contact',
  'substance_use',
  'treatment_progress',
  'health',
  'offending',
  'housing',
  'employment',
  'safeguarding',
] as const;

/** One data category. */
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** A set of categories a viewer may see, or `all` for the agency that holds the record. */
export type CategoryScope = 'all' | ReadonlySet<DataCategory>;

/** True when the scope covers a category. */
export function covers(scope: CategoryScope, category: DataCategory): boolean {
  return scope === 'all' || scope.has(category);
}
