/**
 * How the app names a person it may only partly see: the name when identity is shared
 * with this user, otherwise a plain statement that it is withheld (never a guess).
 */

/** A person as the API returns it: any field may be absent when not consented. */
export type PersonLike = Record<string, unknown> | undefined | null;

/** The person's name, or why it is not shown. */
export function personName(person: PersonLike): string {
  const given = typeof person?.givenName === 'string' ? person.givenName : '';
  const family = typeof person?.familyName === 'string' ? person.familyName : '';
  const name = `${given} ${family}`.trim();
  return name || 'Name withheld (no consent to share identity)';
}

/** True when the name is visible to this user. */
export function hasName(person: PersonLike): boolean {
  return typeof person?.givenName === 'string' || typeof person?.familyName === 'string';
}
