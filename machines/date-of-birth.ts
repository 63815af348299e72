/**
 * The sense check on a date of birth: not in the future, and an age Pathways serves.
 * Adult treatment starts at 18, but young people's services refer from 10; nobody alive
 * is older than 110 in practice, so anything outside is a typing slip (1891 for 1991).
 * Pure: the API and the web app's form give the same answer for the same day.
 */

/** The youngest and oldest age (whole years) a person on record can be. */
export const AGE_RANGE = { min: 10, max: 110 } as const;

/** Whole years from `dateOfBirth` to `today` (both `YYYY-MM-DD`). */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** What is wrong with a date of birth on `today`, in words for the person typing it, or null. */
export function dateOfBirthProblem(dateOfBirth: string, today: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth)) return 'must be a date, YYYY-MM-DD';
  if (dateOfBirth > today) return 'a date of birth cannot be in the future';
  const age = ageOn(dateOfBirth, today);
  if (age < AGE_RANGE.min) return `gives an age of ${age}; Pathways records people aged ${AGE_RANGE.min} to ${AGE_RANGE.max} — check the year`;
  if (age > AGE_RANGE.max) return `gives an age of ${age}; Pathways records people aged ${AGE_RANGE.min} to ${AGE_RANGE.max} — check the year`;
  return null;
}
