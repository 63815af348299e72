/**
 * The person, showing only what the API returned for this user; categories withheld for
 * lack of consent are named, so staff know why something is missing.
 */
import { formatDate, humanise } from '../lib/format.ts';
import { hasName, personName, type PersonLike } from '../lib/people.ts';

const FIELDS: Array<[string, string]> = [
  ['dateOfBirth', 'Date of birth'],
  ['sex', 'Sex'],
  ['ethnicity', 'Ethnicity'],
  ['postcodeDistrict', 'Postcode district'],
  ['nhsNumber', 'NHS number'],
];

/** The person panel. */
export function PersonPanel({ person, withheld }: { person: PersonLike; withheld: readonly string[] }) {
  const visible = FIELDS.filter(([k]) => person && person[k] !== undefined && person[k] !== null);
  return (
    <div className="panel" data-testid="person-panel">
      <h2>Person</h2>
      {!person ? (
        <p className="muted">You have no consent to see who this is.</p>
      ) : (
        <>
          <p>
            <strong data-testid="person-name">{personName(person)}</strong>
          </p>
          {visible.length > 0 && (
            <dl className="facts">
              {visible.map(([k, label]) => (
                <div key={k} style={{ display: 'contents' }}>
                  <dt>{label}</dt>
                  <dd>{k === 'dateOfBirth' ? formatDate(String(person[k] as string)) : k === 'sex' || k === 'ethnicity' ? humanise(String(person[k] as string)) : String(person[k] as string)}</dd>
                </div>
              ))}
            </dl>
          )}
          {!hasName(person) && <p className="muted">Identity is not shared with your agency.</p>}
        </>
      )}
      {withheld.length > 0 && (
        <p className="hint" data-testid="withheld">
          Not shared with your agency (no consent): {withheld.map((w) => humanise(w).toLowerCase()).join(', ')}.
        </p>
      )}
    </div>
  );
}
