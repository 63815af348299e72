/**
 * One person as a line in a list (search results, look-alikes): name, date of birth,
 * postcode district and identifiers, so staff can tell two people of the same name apart
 * without opening either record.
 */
import type { ReactNode } from 'react';
import { IDENTIFIER_LABELS } from '../../../machines/person-identifiers.ts';
import type { PersonSummary } from '../../../api/schemas/person.ts';
import { personName } from '../lib/people.ts';

/** The person's identifiers in words (`NHS number 9434765919 · Probation CRN X123456`). */
export function identifierText(person: PersonSummary): string {
  return (person.identifiers ?? []).map((i) => `${IDENTIFIER_LABELS[i.system] ?? i.system} ${i.value}`).join(' · ');
}

/** A person line, with the actions the caller offers for them. */
export function PersonLine({ person, children }: { person: PersonSummary; children?: ReactNode }) {
  const ids = identifierText(person);
  return (
    <li className="person-line" data-testid="person-line">
      <span>
        <strong>{personName(person)}</strong>
        {person.dateOfBirth ? <span className="muted"> · born {person.dateOfBirth}</span> : null}
        {person.postcodeDistrict ? <span className="muted"> · {person.postcodeDistrict}</span> : null}
        {ids ? <span className="muted"> · {ids}</span> : null}
        {person.access.scope === 'shared' ? <span className="muted"> · shared with your agency</span> : null}
      </span>
      {children}
    </li>
  );
}
