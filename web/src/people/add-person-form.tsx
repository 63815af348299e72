/**
 * Adding a person, with the look-alikes shown before anything is saved: the API answers
 * `409 possible_duplicate` with the people this user may see who have the same NHS number
 * or the same name and date of birth; the user opens one of them, or says it is someone
 * else and adds them anyway (`confirmNew`, recorded).
 */
import { useState } from 'react';
import { createPersonBody, type PersonSummary } from '../../../api/schemas/person.ts';
import { api, ApiProblem } from '../lib/api-client.ts';
import { EventForm } from '../forms/event-form.tsx';
import { PersonLine } from './person-line.tsx';

// Asked elsewhere or not at first contact; identifiers beyond the NHS number are added on the record.
const PERSON_HIDDEN = ['genderIdentity', 'sexualOrientation', 'religion', 'identifiers', 'confirmNew'];

/** The form; `onAdded` gets the new (or chosen) person's id. */
export function AddPersonForm({ onAdded, onCancel }: { onAdded: (personId: string, chosen: boolean) => void; onCancel: () => void }) {
  const [lookAlikes, setLookAlikes] = useState<{ body: Record<string, unknown>; candidates: PersonSummary[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  if (lookAlikes) {
    return (
      <div className="panel-inner" data-testid="possible-duplicates">
        <h3>Is this someone already on record?</h3>
        <p>People you can see have the same {lookAlikes.candidates.some((c) => (c as { matchedOn?: string[] }).matchedOn?.includes('nhs_number')) ? 'NHS number, or the same ' : ''}name and date of birth. Use their record if it is them.</p>
        <ul className="person-results">
          {lookAlikes.candidates.map((c) => (
            <PersonLine key={c.id} person={c}>
              <button type="button" className="secondary" onClick={() => onAdded(c.id, true)}>
                Use this person
              </button>
            </PersonLine>
          ))}
        </ul>
        {problem && <p className="error">{problem}</p>}
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              api<{ id: string }>('/people', { body: { ...lookAlikes.body, confirmNew: true } }).then(
                (created) => onAdded(created.id, false),
                (err: unknown) => setProblem(err instanceof ApiProblem ? err.detail || err.title : 'The person was not added. Try again.'),
              );
            }}
          >
            It is someone else: add them
          </button>{' '}
          <button type="button" className="link" onClick={() => setLookAlikes(null)}>
            Back to the form
          </button>
        </div>
      </div>
    );
  }
  return (
    <EventForm
      formId="person"
      title="Add the person"
      schema={createPersonBody}
      envelope={{}}
      hiddenFields={PERSON_HIDDEN}
      allowBackdate={false}
      submitLabel="Add person"
      onSubmit={async (body) => {
        try {
          const created = await api<{ id: string }>('/people', { body });
          onAdded(created.id, false);
        } catch (err) {
          if (err instanceof ApiProblem && err.code === 'possible_duplicate' && Array.isArray(err.details.candidates)) {
            setLookAlikes({ body, candidates: err.details.candidates as PersonSummary[] });
            return;
          }
          throw err;
        }
      }}
      onCancel={onCancel}
    />
  );
}
