/**
 * "Probably known to you as …" on a referral in the inbox: the receiving agency's own
 * records that are probably the referred person (`GET /referrals/:id/known-as`), so staff
 * open their record instead of registering the person twice. Shows nothing otherwise.
 */
import type { PersonSummary } from '../../../api/schemas/person.ts';
import { api, listOf } from '../lib/api-client.ts';
import { personName } from '../lib/people.ts';
import { Link } from '../lib/router.tsx';
import { useResource } from '../lib/use-resource.ts';

/** The notice, for the receiver of referral `referralId`. */
export function KnownAsNotice({ referralId }: { referralId: string }) {
  const known = useResource(async (signal) => listOf<PersonSummary>(await api(`/referrals/${referralId}/known-as`, { signal })), [referralId]);
  const items = known.data ?? [];
  if (items.length === 0) return null;
  return (
    <div className="notice notice-info" role="status" data-testid="known-as">
      Probably known to you as{' '}
      {items.map((p, i) => (
        <span key={p.id}>
          {i > 0 ? ', or ' : ''}
          <Link to={`/people/${p.id}`}>{personName(p)}</Link>
          {p.dateOfBirth ? ` (born ${p.dateOfBirth})` : ''}
        </span>
      ))}
      .
    </div>
  );
}
