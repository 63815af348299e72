/**
 * A partner's referrals: the inbox (sent to their agency) and the outbox (sent by it),
 * with each referral's age and the deadline it is working to. Updates live.
 */
import { api, listOf } from '../lib/api-client.ts';
import { formatDateTime, formatDays, humanise } from '../lib/format.ts';
import { referralStateLabel } from '../lib/labels.ts';
import { useLiveEvents } from '../lib/live.tsx';
import { personName } from '../lib/people.ts';
import { Link, navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, ProblemMessage } from '../components/status.tsx';
import { currentDeadline, referralAgeDays } from './referral-deadline.ts';
import type { AgencyView, ReferralView } from './referral-types.ts';

const STATES = ['requested', 'received', 'accepted', 'inProgress', 'completed', 'rejected', 'failed', 'cancelled'] as const;

/** Badge class per status. */
export function statusBadge(status: string): string {
  if (status === 'completed') return 'badge badge-ok';
  if (status === 'rejected' || status === 'failed' || status === 'cancelled') return 'badge';
  return 'badge badge-info';
}

/** The inbox/outbox page. */
export function ReferralBoxesPage({ query }: { query: URLSearchParams }) {
  const { user } = useSession();
  const box = query.get('box') === 'outbox' ? 'outbox' : 'inbox';
  const status = query.get('status') ?? '';
  const refs = useResource(async (signal) => listOf<ReferralView>(await api('/referrals', { query: { box, status: status || undefined, limit: 200 }, signal })), [box, status]);
  const agencies = useResource(async (signal) => listOf<AgencyView>(await api('/agencies', { signal })), []);
  useLiveEvents(['referral.changed'], () => refs.refresh(), 400);

  const agencyName = (id: string) => agencies.data?.find((a) => a.id === id)?.name ?? '…';
  const items = [...(refs.data ?? [])].sort((a, b) => {
    // Overdue first, then the soonest deadline, then the oldest.
    const ao = a.overdue.any ? 0 : 1;
    const bo = b.overdue.any ? 0 : 1;
    if (ao !== bo) return ao - bo;
    return (currentDeadline(a)?.at ?? '9999').localeCompare(currentDeadline(b)?.at ?? '9999');
  });
  const link = (b: string, s = status) => `/referrals?box=${b}${s ? `&status=${s}` : ''}`;

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>Referrals</h1>
          <p className="muted">{user?.agency?.name ?? ''}</p>
        </div>
        <div className="actions">
          <button type="button" onClick={() => navigate('/referrals/new')}>
            Send a referral
          </button>
        </div>
      </div>
      <nav className="tabs" aria-label="Referral boxes">
        <Link to={link('inbox')} aria-current={box === 'inbox' ? 'page' : undefined}>
          Inbox (to us)
        </Link>
        <Link to={link('outbox')} aria-current={box === 'outbox' ? 'page' : undefined}>
          Outbox (from us)
        </Link>
      </nav>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter referrals">
        <div className="field">
          <label htmlFor="r-status">Status</label>
          <select id="r-status" value={status} onChange={(e) => navigate(link(box, e.target.value))}>
            <option value="">Any status</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {referralStateLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </form>
      {refs.error && <ProblemMessage problem={refs.error} onRetry={refs.reload} />}
      {refs.loading && <Loading what={`Loading the ${box}`} />}
      {!refs.loading && !refs.error && items.length === 0 && (
        <Empty>{box === 'inbox' ? 'No referrals have been sent to your agency with this status.' : 'Your agency has not sent any referrals with this status.'}</Empty>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table data-testid={`referrals-${box}`}>
            <caption className="sr-only">{box === 'inbox' ? 'Referrals sent to your agency' : 'Referrals sent by your agency'}, overdue first</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Kind</th>
                <th scope="col">{box === 'inbox' ? 'From' : 'To'}</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Age</th>
                <th scope="col">Deadline</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const d = currentDeadline(r);
                return (
                  <tr key={r.id} data-referral-id={r.id}>
                    <td>
                      <Link to={`/referrals/${r.id}`}>{personName(r.person)}</Link>
                    </td>
                    <td>
                      {humanise(r.kind)}
                      {r.form ? ` (${r.form})` : ''} {r.urgency === 'urgent' && <span className="badge badge-warn">Urgent</span>}
                      {r.safeguardingOverride && <span className="badge badge-bad">Safeguarding</span>}
                    </td>
                    <td>{agencyName(box === 'inbox' ? r.fromAgencyId : r.toAgencyId)}</td>
                    <td>
                      <span className={statusBadge(r.status)}>{referralStateLabel(r.status)}</span>
                    </td>
                    <td className="num">{formatDays(referralAgeDays(r))}</td>
                    <td>
                      {d ? (
                        <span className={d.passed ? 'badge badge-bad' : undefined}>
                          {d.passed ? 'Overdue: ' : ''}
                          {d.label.toLowerCase()} {formatDateTime(d.at)}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
