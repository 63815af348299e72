/**
 * The journey list's filters judged on the view a viewer receives, after the consent cut.
 * The SQL in `journey-queries.ts` narrows the rows first (for speed, over the stored
 * columns); this decides, so a filter never matches on something the viewer may not see:
 * `?stage=inCustody` does not find a journey for an agency without consent to offending
 * and treatment progress, and `?overdue=true` does not find one whose only overdue
 * deadline is hidden from it.
 */
import type { CaseListFilter } from './journey-queries.ts';

type Obj = Record<string, unknown>;

/** True when the journey as `view` shows it matches the list's filters. */
export function matchesCaseFilter(view: Obj, filter: Pick<CaseListFilter, 'stage' | 'keyworkerId' | 'overdueOnly'>): boolean {
  if (filter.stage !== undefined && view.stage !== filter.stage) return false;
  if (filter.keyworkerId !== undefined && view.keyworkerId !== filter.keyworkerId) return false;
  if (filter.overdueOnly && (view.overdue as { any?: unknown } | undefined)?.any !== true) return false;
  return true;
}
