/**
 * "Probably known to you as …" on a referral in the inbox: the receiving agency's own
 * records that are probably the referred person (`GET /referrals/:id/known-as`), so staff
 * open their record instead of registering the person twice; while the referral can be
 * accepted, "Accept and link" accepts it and links that record with the referred one.
 * Shows nothing otherwise.
 */
import { useState } from 'react';
import { ApiProblem } from '../lib/api-client.ts';
import { ProblemMessage } from '../components/status.tsx';
import type { PersonSummary } from '../../../api/schemas/person.ts';
import { api, listOf } from '../lib/api-client.ts';
import { personName } from '../lib/people.ts';
import { Link } from '../lib/router.tsx';
import { useResource } from '../lib/use-resource.ts';

/** The notice, for the receiver of referral `referralId`. */
export function KnownAsNotice({ referralId, onAcceptAndLink }: { referralId: string; onAcceptAndLink?: (personId: string) => Promise<void> }) {
  const known = useResource(async (signal) => listOf<PersonSummary>(await api(`/referrals/${referralId}/known-as`, { signal })), [referralId]);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const items = known.data ?? [];
  const acceptAndLink = async (personId: string) => {
    setProblem(null);
    try {
      await onAcceptAndLink?.(personId);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, 'client_error', 'Not saved', 'That did not save. Try again.'));
    }
  };
  if (items.length === 0) return null;
  return (
    <div className="notice notice-info" role="status" data-testid="known-as">
      Probably known to you as{' '}
      {items.map((p, i) => (
        <span key={p.id}>
          {i > 0 ? ', or ' : ''}
          <Link to={`/people/${p.id}`}>{personName(p)}</Link>
          {p.dateOfBirth ? ` (born ${p.dateOfBirth})` : ''}
          {onAcceptAndLink && (
            <>
              {' '}
              <button type="button" className="secondary" data-action="accept-and-link" onClick={() => void acceptAndLink(p.id)}>
                Accept and link to this record
              </button>
            </>
          )}
        </span>
      ))}
      .{problem && <ProblemMessage problem={problem} />}
    </div>
  );
}
