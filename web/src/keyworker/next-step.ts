/**
 * Which of the actions allowed now is the journey's next step, and how the others group.
 * One primary action stops the case page from being a wall of equal buttons: the main path
 * (screen, assess, plan, start, review, check up) comes first, and side steps — custody,
 * discharge, keyworker changes, extra TOPs — sit in their own groups.
 */

/** The main path of a journey, in order; the first allowed one is the next step. */
const MAIN_PATH = [
  'SCREENING_STARTED',
  'SCREENING_COMPLETED',
  'ASSESSMENT_COMPLETED',
  'CARE_PLAN_AGREED',
  'INTERVENTION_OFFERED',
  'INTERVENTION_STARTED',
  'REVIEW_COMPLETED',
  'CHECKUP_COMPLETED',
  'REENTRY_CONFIRMED',
  'RELEASED_FROM_CUSTODY',
  'COMMUNITY_ENGAGED',
] as const;

/** The groups the other actions are shown in, in order. */
export const ACTION_GROUPS: ReadonlyArray<{ label: string; types: readonly string[] }> = [
  { label: 'Treatment', types: ['SCREENING_STARTED', 'SCREENING_COMPLETED', 'ASSESSMENT_COMPLETED', 'CARE_PLAN_AGREED', 'INTERVENTION_OFFERED', 'INTERVENTION_STARTED', 'INTERVENTION_ENDED', 'TOP_RECORDED', 'REVIEW_COMPLETED', 'CHECKUP_COMPLETED'] },
  { label: 'Leaving and coming back', types: ['DISCHARGED', 'RELAPSE_REPORTED', 'REENTRY_CONFIRMED'] },
  { label: 'Custody', types: ['CUSTODY_STARTED', 'RELEASED_FROM_CUSTODY', 'COMMUNITY_ENGAGED'] },
  { label: 'Keyworker', types: ['KEYWORKER_ASSIGNED'] },
];

/**
 * The next step among `allowed`: a due review first (the six-monthly review is what the
 * journey waits for), otherwise the first of the main path; null when none applies.
 */
export function nextStep(allowed: readonly string[], state: string | undefined): string | null {
  if (state?.includes('reviewDue') && allowed.includes('REVIEW_COMPLETED')) return 'REVIEW_COMPLETED';
  return MAIN_PATH.find((t) => allowed.includes(t)) ?? null;
}

/** The other allowed actions by group (empty groups left out); anything ungrouped goes last. */
export function groupedActions(allowed: readonly string[], primary: string | null): Array<{ label: string; types: string[] }> {
  const rest = allowed.filter((t) => t !== primary);
  const groups = ACTION_GROUPS.map((g) => ({ label: g.label, types: rest.filter((t) => g.types.includes(t)) })).filter((g) => g.types.length > 0);
  const grouped = new Set(ACTION_GROUPS.flatMap((g) => g.types));
  const other = rest.filter((t) => !grouped.has(t));
  return other.length > 0 ? [...groups, { label: 'Other', types: other }] : groups;
}
