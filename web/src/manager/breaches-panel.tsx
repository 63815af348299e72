/**
 * Deadline breaches: people waiting past 21 days, overdue reviews, released people not
 * engaged, and referrals not acknowledged or contacted in time per receiving agency —
 * plus the breaches the socket has announced since the page opened.
 */
import { formatDateTime, formatDays, humanise } from '../lib/format.ts';
import { Empty } from '../components/status.tsx';
import type { DeadlineMetrics } from './metrics-api.ts';
import { Link } from '../lib/router.tsx';
import { journeysPath, referralsPath, type FigureScope } from './figure-links.ts';

/** A `deadline.breached` message as it arrived. */
export interface LiveBreach {
  receivedAt: Date;
  payload: Record<string, unknown>;
}

const DEADLINE_WORDS: Record<string, string> = {
  waiting_time: 'Waiting time passed 21 days',
  review: 'Six-monthly review became due',
  continuity_of_care: 'Released from custody, not engaged within 21 days',
  acknowledge: 'Referral not acknowledged in time',
  first_contact: 'Referral: no first contact in time',
};

function describeBreach(p: Record<string, unknown>): string {
  const deadline = typeof p.deadline === 'string' ? p.deadline : '';
  const stream = p.stream === 'case' ? 'journey' : p.stream === 'referral' ? 'referral' : '';
  return `${DEADLINE_WORDS[deadline] ?? humanise(deadline || 'deadline passed')}${stream ? ` (${stream})` : ''}`;
}

/** The breaches panel. */
export function BreachesPanel({ deadlines, group, agencyName, live, scope }: { deadlines: DeadlineMetrics; group: string; agencyName: (id: string) => string; live: LiveBreach[]; scope: FigureScope }) {
  const journeys = [
    { key: 'waitingOver21Days', label: 'Waiting more than 21 days for treatment', fig: deadlines.waitingOver21Days },
    { key: 'reviewsOverdue', label: 'Six-monthly review overdue', fig: deadlines.reviewsOverdue },
    { key: 'continuityOver21Days', label: 'Released from custody, not engaged after 21 days', fig: deadlines.continuityOver21Days },
  ] as const;
  const referrals = [
    ...deadlines.referralsNotAcknowledged.byAgency.map((r) => ({ ...r, what: 'not acknowledged', figure: 'referralsNotAcknowledged' as const })),
    ...deadlines.referralsNotContacted.byAgency.map((r) => ({ ...r, what: 'no first contact', figure: 'referralsNotContacted' as const })),
  ].sort((a, b) => b.oldestAgeDays - a.oldestAgeDays);
  return (
    <div className="panel" data-testid="breaches">
      <h2>Deadline breaches</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Breach</th>
              <th scope="col" className="num">People</th>
              <th scope="col" className="num">Median wait</th>
              <th scope="col" className="num">Longest</th>
            </tr>
          </thead>
          <tbody>
            {journeys.map(({ key, label, fig }) => {
              const row = fig.rows.find((r) => r.group === group);
              return (
                <tr key={key} title={fig.definition}>
                  <th scope="row">{label}</th>
                  <td className="num" data-testid={`breach-${key}`}>
                    {row?.count ? <Link to={journeysPath(key, scope)} aria-label={`${row.count}: open the list of ${label.toLowerCase()}`}>{row.count}</Link> : 0}
                  </td>
                  <td className="num">{formatDays(row?.medianDays ?? null)}</td>
                  <td className="num">{formatDays(row?.maxDays ?? null)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3>Referrals past their deadline, by receiving agency</h3>
      {referrals.length === 0 ? (
        <Empty>No referral is past its acknowledge-by or first-contact-by deadline.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Receiving agency</th>
                <th scope="col">Late for</th>
                <th scope="col" className="num">Referrals</th>
                <th scope="col" className="num">Oldest</th>
              </tr>
            </thead>
            <tbody>
              {referrals.map((r) => (
                <tr key={`${r.agencyId}-${r.what}`}>
                  <th scope="row">{agencyName(r.agencyId)}</th>
                  <td>{r.what}</td>
                  <td className="num">
                    <Link to={referralsPath(r.figure, { ...scope, agencyId: r.agencyId })} className="badge badge-bad" aria-label={`${r.count} referrals ${r.what} at ${agencyName(r.agencyId)}: open the list`}>
                      {r.count}
                    </Link>
                  </td>
                  <td className="num">{formatDays(r.oldestAgeDays)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Announced since you opened this page</h3>
      {live.length === 0 ? (
        <p className="muted">None yet. New breaches appear here as they happen.</p>
      ) : (
        <ol className="timeline" aria-live="polite" data-testid="live-breaches">
          {live.map((b, i) => (
            <li key={i} className="timer">
              <strong>{describeBreach(b.payload)}</strong> <span className="when">{formatDateTime(b.receivedAt.toISOString())}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
