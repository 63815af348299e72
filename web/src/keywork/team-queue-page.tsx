/**
 * The team queue: journeys with no keyworker (an accepted treatment referral opens one) and
 * accepted referrals not yet on anyone's caseload, with each keyworker's caseload size
 * beside their name, so the person assigning can share the work fairly.
 */
import { useRef, useState } from 'react';
import { api, ApiProblem } from '../lib/api-client.ts';
import { formatDate } from '../lib/format.ts';
import { stageLabel } from '../lib/labels.ts';
import { useLiveEvents } from '../lib/live.tsx';
import { Link } from '../lib/router.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { valueLabel } from '../forms/field-words.ts';
import type { TeamQueue } from './keywork-types.ts';

function AssignRow({ journey, keyworkers, onAssigned }: { journey: TeamQueue['journeys'][number]; keyworkers: TeamQueue['keyworkers']; onAssigned: (text: string) => void }) {
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const assign = async () => {
    if (!to) {
      setProblem('Choose the keyworker to assign');
      document.getElementById(`assign-${journey.id}`)?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api(`/cases/${journey.id}/assignment`, { body: { keyworkerId: to } });
      onAssigned(`${journey.personName} is now on ${keyworkers.find((k) => k.id === to)?.name ?? 'the keyworker'}’s caseload.`);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err.detail : 'Not assigned. Try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-queue-case={journey.id}>
      <div>
        <Link to={`/cases/${journey.id}`}>{journey.personName}</Link> · {stageLabel(journey.stage)} · referred {formatDate(journey.referredOn)} ({valueLabel('referralSource', journey.referralSource)})
        {journey.overdue && <span className="badge badge-bad"> overdue</span>}
      </div>
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
      <div className="inline-fields">
        <div className="field">
          <label htmlFor={`assign-${journey.id}`}>Keyworker</label>
          <select id={`assign-${journey.id}`} value={to} onChange={(e) => setTo(e.target.value)}>
            <option value="">Choose…</option>
            {keyworkers.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.caseload} on caseload)
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="button" disabled={busy} onClick={() => void assign()}>
            Assign
          </button>
        </div>
      </div>
    </li>
  );
}

/** The team queue page. */
export function TeamQueuePage() {
  const queue = useResource((signal) => api<TeamQueue>('/team-queue', { signal }), []);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useLiveEvents(['case.changed', 'referral.changed'], () => queue.refresh(), 400);
  if (queue.loading && !queue.data) return <Loading what="Loading the team queue" />;
  if (queue.error && !queue.data) return <ProblemMessage problem={queue.error} onRetry={queue.reload} />;
  const q = queue.data;
  if (!q) return null;
  return (
    <section className="page" data-testid="team-queue">
      <h1>Team queue</h1>
      {notice && (
        <div ref={noticeRef} tabIndex={-1}>
          <Notice>
            <span data-testid="team-queue-notice">{notice}</span>
          </Notice>
        </div>
      )}
      <div className="panel">
        <h2>Waiting for a keyworker</h2>
        {q.journeys.length === 0 ? (
          <Empty>Every open journey has a keyworker.</Empty>
        ) : (
          <ul className="record-list">
            {q.journeys.map((j) => (
              <AssignRow
                key={j.id}
                journey={j}
                keyworkers={q.keyworkers}
                onAssigned={(text) => {
                  setNotice(text);
                  queue.refresh();
                  requestAnimationFrame(() => noticeRef.current?.focus());
                }}
              />
            ))}
          </ul>
        )}
      </div>
      {q.referrals.length > 0 && (
        <div className="panel">
          <h2>Accepted referrals</h2>
          <ul className="record-list">
            {q.referrals.map((r) => (
              <li key={r.id}>
                <Link to={`/referrals/${r.id}`}>
                  {r.kind.replace(/_/g, ' ')} referral from {r.fromAgencyName}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="panel">
        <h2>Caseloads</h2>
        <ul className="record-list" data-testid="caseloads">
          {q.keyworkers.map((k) => (
            <li key={k.id}>
              {k.name}: {k.caseload} {k.caseload === 1 ? 'journey' : 'journeys'}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
