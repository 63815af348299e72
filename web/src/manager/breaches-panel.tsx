/**
 * Deadline breaches: people waiting past 21 days, overdue reviews, released people not
 * engaged, and referrals not acknowledged or contacted in time per receiving agency —
 * plus the breaches the socket has announced since the page opened.
 */
import { formatDateTime, formatDays, humanise } from '../lib/format.ts';
import { Empty } from '../components/status.tsx';
import type { DeadlineMetrics } from './metrics-api.ts';

/** A `deadline.breached` message as it arrived. */
export interface LiveBreach {
  receivedAt: Date;
  payload: Record<string, unknown>;
}

function describeBreach(p: Record<string, unknown>): string {
  const what = typeof p.type === 'string' ? p.type : typeof p.timer === 'string' ? p.timer : typeof p.kind === 'string' ? p.kind : 'Deadline';
  const stream = typeof p.stream === 'string' ? p.stream : typeof p.streamType === 'string' ? p.streamType : '';
  return `${humanise(what)}${stream ? ` (${stream === 'case' ? 'journey' : stream})` : ''}`;
}

/** The breaches panel. */
export function BreachesPanel({ deadlines, group, agencyName, live }: { deadlines: DeadlineMetrics; group: string; agencyName: (id: string) => string; live: LiveBreach[] }) {
  const journeys = [
    { key: 'waitingOver21Days', label: 'Waiting more than 21 days for treatment', fig: deadlines.waitingOver21Days },
    { key: 'reviewsOverdue', label: 'Six-monthly review overdue', fig: deadlines.reviewsOverdue },
    { key: 'continuityOver21Days', label: 'Released from custody, not engaged after 21 days', fig: deadlines.continuityOver21Days },
  ] as const;
  const referrals = [
    ...deadlines.referralsNotAcknowledged.byAgency.map((r) => ({ ...r, what: 'not acknowledged' })),
    ...deadlines.referralsNotContacted.byAgency.map((r) => ({ ...r, what: 'no first contact' })),
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
                    {row?.count ?? 0}
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
        <ul className="bars">
          {referrals.map((r) => (
            <li key={`${r.agencyId}-${r.what}`}>
              <span>
                {agencyName(r.agencyId)} <span className="muted">· {r.what}</span>
              </span>
              <span className="badge badge-bad">{r.count}</span>
              <span className="muted">oldest {formatDays(r.oldestAgeDays)}</span>
            </li>
          ))}
        </ul>
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
