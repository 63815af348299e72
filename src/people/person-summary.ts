/**
 * A person as a line in a list (search results, duplicate warnings, "probably known to you
 * as"): who they are and how the viewer relates to them, cut by the access rules.
 */
import { projectPerson } from '../access/projection.ts';
import type { Scope } from '../access/record-access.ts';
import type { PersonTable } from '../db/schema.ts';
import type { PersonIdentifier } from './identifier-repository.ts';
import { personRecord } from './person-repository.ts';

/** The summary of a found person, with only the fields the viewer's scope covers. */
export function personSummary(found: { row: PersonTable; identifiers: PersonIdentifier[]; scope: Scope }): Record<string, unknown> & { id: string } {
  const projected = projectPerson({ ...personRecord(found.row), identifiers: found.identifiers }, found.scope.categories);
  const categories = found.scope.categories === 'all' ? ['all'] : [...found.scope.categories];
  const keep = ['givenName', 'familyName', 'dateOfBirth', 'sex', 'postcodeDistrict', 'identifiers'];
  return {
    id: found.row.id,
    ...Object.fromEntries(keep.filter((k) => k in projected).map((k) => [k, projected[k]])),
    access: { scope: found.scope.kind, categories },
  };
}
