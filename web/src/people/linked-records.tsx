/**
 * The person page's linked records: other agencies' records of the same person that this
 * user may see (`GET /people/:id/links`), each with why it was linked and an unlink; and a
 * finder to link one more. Linking and unlinking are events on both records (the API).
 */
import { useState } from 'react';
import type { PersonSummary } from '../../../api/schemas/person.ts';
import { api, ApiProblem, listOf } from '../lib/api-client.ts';
import { formatDate } from '../lib/format.ts';
import { personName } from '../lib/people.ts';
import { Link } from '../lib/router.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { PersonFinder } from './person-finder.tsx';

type LinkedRecord = PersonSummary & { reason: string; referralId: string | null; linkedAt: string };

const saveFailed = (err: unknown) => (err instanceof ApiProblem ? err : new ApiProblem(0, 'client_error', 'Not saved', 'That did not save. Try again.'));

/** The panel for person `personId`. */
export function LinkedRecords({ personId }: { personId: string }) {
  const links = useResource(async (signal) => listOf<LinkedRecord>(await api(`/people/${personId}/links`, { signal })), [personId]);
  const [linking, setLinking] = useState(false);
  const [chosen, setChosen] = useState<PersonSummary | null>(null);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  async function link(event: React.FormEvent) {
    event.preventDefault();
    if (!chosen) return;
    setProblem(null);
    try {
      await api(`/people/${personId}/links`, { body: { otherPersonId: chosen.id, reason: reason.trim() } });
      setNotice(`Linked with ${personName(chosen)}.`);
      setChosen(null);
      setReason('');
      setLinking(false);
      links.refresh();
    } catch (err) {
      setProblem(saveFailed(err));
    }
  }

  async function unlink(other: LinkedRecord) {
    if (!window.confirm(`Unlink ${personName(other)}? The two records are then counted as two people again.`)) return;
    setProblem(null);
    try {
      await api(`/people/${personId}/links/${other.id}/unlink`, { body: { reason: 'Not the same person' } });
      setNotice(`Unlinked ${personName(other)}.`);
      links.refresh();
    } catch (err) {
      setProblem(saveFailed(err));
    }
  }

  const items = links.data ?? [];
  return (
    <div className="panel" data-testid="linked-records">
      <h2>Linked records</h2>
      {notice && <Notice>{notice}</Notice>}
      {problem && <ProblemMessage problem={problem} />}
      {links.loading && !links.data ? (
        <Loading what="Loading linked records" />
      ) : links.error ? (
        <ProblemMessage problem={links.error} onRetry={links.reload} />
      ) : items.length === 0 ? (
        <Empty>No other record of this person is linked.</Empty>
      ) : (
        <ul className="record-list">
          {items.map((l) => (
            <li key={l.id} data-linked-id={l.id}>
              <Link to={`/people/${l.id}`}>{personName(l)}</Link>
              {l.dateOfBirth ? ` (born ${l.dateOfBirth})` : ''} — {l.reason}, linked {formatDate(l.linkedAt)}{' '}
              <button type="button" className="secondary" onClick={() => void unlink(l)}>
                Unlink
              </button>
            </li>
          ))}
        </ul>
      )}
      {!linking ? (
        <button type="button" className="secondary" onClick={() => setLinking(true)}>
          Link another record of this person
        </button>
      ) : chosen ? (
        <form onSubmit={(e) => void link(e)}>
          <p>
            Link with <strong>{personName(chosen)}</strong>
            {chosen.dateOfBirth ? ` (born ${chosen.dateOfBirth})` : ''}.
          </p>
          <label htmlFor="link-reason">Why they are the same person</label>
          <input id="link-reason" value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} />
          <button type="submit" disabled={reason.trim() === ''}>
            Link the records
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setChosen(null)}>
            Choose another
          </button>
        </form>
      ) : (
        <PersonFinder
          idPrefix="link"
          action={(p) =>
            p.id === personId || items.some((l) => l.id === p.id) ? null : (
              <button type="button" className="secondary" onClick={() => setChosen(p)}>
                Link this record
              </button>
            )
          }
        />
      )}
    </div>
  );
}
