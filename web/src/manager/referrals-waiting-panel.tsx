/** Referrals waiting on each receiving agency, as bars with their age. */
import { formatDays } from '../lib/format.ts';
import { referralStateLabel } from '../lib/labels.ts';
import { Empty } from '../components/status.tsx';
import type { ReferralsWaitingMetrics } from './metrics-api.ts';
import { Link } from '../lib/router.tsx';
import { referralsPath, type FigureScope } from './figure-links.ts';

/** The referrals-waiting panel. */
export function ReferralsWaitingPanel({ data, group, agencyName, scope }: { data: ReferralsWaitingMetrics; group: string; agencyName: (id: string) => string; scope: FigureScope }) {
  const byAgency = new Map<string, { count: number; oldest: number; states: string[] }>();
  for (const r of data.referralsWaiting.rows) {
    if (r.group !== group) continue;
    const a = byAgency.get(r.agencyId) ?? { count: 0, oldest: 0, states: [] };
    a.count += r.count;
    a.oldest = Math.max(a.oldest, r.maxDays ?? 0);
    a.states.push(`${r.count} ${referralStateLabel(r.state).toLowerCase()}`);
    byAgency.set(r.agencyId, a);
  }
  // Oldest first: the agency keeping someone waiting longest leads.
  const rows = [...byAgency.entries()].sort((a, b) => b[1].oldest - a[1].oldest || b[1].count - a[1].count);
  const max = Math.max(1, ...rows.map(([, r]) => r.count));
  return (
    <div className="panel" data-testid="referrals-waiting">
      <h2>Referrals waiting per agency</h2>
      {rows.length === 0 ? (
        <Empty>No referral is waiting on any agency.</Empty>
      ) : (
        <ul className="bars">
          {rows.map(([agencyId, r]) => (
            <li key={agencyId}>
              <Link to={referralsPath('referralsWaiting', { ...scope, agencyId })} data-testid="waiting-link">
                {agencyName(agencyId)}
              </Link>
              <span className="bar" style={{ width: `${(r.count / max) * 100}%` }} aria-hidden="true" />
              <span>
                <strong>{r.count}</strong> <span className="muted">({r.states.join(', ')}; oldest {formatDays(r.oldest)})</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="hint">{data.referralsWaiting.definition}</p>
    </div>
  );
}
