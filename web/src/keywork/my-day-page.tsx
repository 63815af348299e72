/**
 * "My day": one list of what is due for this keyworker — appointments today, follow-up
 * tasks (done with one click, or handed to a colleague with a reason), reviews due,
 * journeys whose 21-day wait is nearly up, referrals to acknowledge and consents running
 * out. Everything links to the record it is about, by the person's name.
 */
import { useRef, useState } from 'react';
import { api, ApiProblem, listOf } from '../lib/api-client.ts';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { londonDateTime } from '../lib/london-time.ts';
import { useLiveEvents } from '../lib/live.tsx';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { APPOINTMENT_KIND_LABELS, APPOINTMENT_STATUS_LABELS, appointmentBadge, TASK_KIND_LABELS } from './keywork-labels.ts';
import type { MyDay, StaffMember, Task } from './keywork-types.ts';

function TaskRow({ task, colleagues, onChanged }: { task: Task; colleagues: StaffMember[]; onChanged: (text: string) => void }) {
  const [handing, setHanding] = useState(false);
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (body: Record<string, unknown>, text: string) => {
    setBusy(true);
    setProblem(null);
    try {
      await api(`/tasks/${task.id}/events`, { body });
      onChanged(text);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err.detail : 'Not saved. Try again.');
    } finally {
      setBusy(false);
    }
  };
  const overdue = task.dueOn < new Date().toISOString().slice(0, 10);
  return (
    <li data-task={task.id}>
      <div>
        <strong>{TASK_KIND_LABELS[task.kind]}</strong>: <Link to={`/cases/${task.caseId}`}>{task.personName}</Link>{' '}
        <span className={overdue ? 'badge badge-bad' : 'badge'}>due {formatDate(task.dueOn)}</span>
      </div>
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="button" disabled={busy} data-action="TASK_COMPLETED" onClick={() => void send({ type: 'TASK_COMPLETED' }, `${TASK_KIND_LABELS[task.kind]} for ${task.personName}: done.`)}>
          Mark as done
        </button>
        <button type="button" className="secondary" aria-expanded={handing} onClick={() => setHanding(!handing)}>
          Give to a colleague
        </button>
      </div>
      {handing && (
        <form
          className="action-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!to) {
              setProblem('Choose the colleague to give this task to');
              document.getElementById(`to-${task.id}`)?.focus();
              return;
            }
            const name = colleagues.find((c) => c.id === to)?.name ?? 'a colleague';
            void send({ type: 'TASK_ASSIGNED', assigneeId: to, ...(reason.trim() ? { reason: reason.trim() } : {}) }, `${TASK_KIND_LABELS[task.kind]} for ${task.personName}: given to ${name}.`);
          }}
        >
          <div className="field">
            <label htmlFor={`to-${task.id}`}>Colleague</label>
            <select id={`to-${task.id}`} value={to} onChange={(e) => setTo(e.target.value)}>
              <option value="">Choose…</option>
              {colleagues.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`why-${task.id}`}>
              Reason <span className="muted">(optional)</span>
            </label>
            <input id={`why-${task.id}`} type="text" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <div className="form-actions">
            <button type="submit" disabled={busy}>
              Give task
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

/** The my-day page. */
export function MyDayPage() {
  const { user } = useSession();
  const day = useResource((signal) => api<MyDay>('/my-day', { signal }), []);
  const staff = useResource(async (signal) => listOf<StaffMember>(await api('/users', { signal })), []);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useLiveEvents(['case.changed', 'referral.changed'], () => day.refresh(), 400);
  const colleagues = (staff.data ?? []).filter((s) => s.id !== user?.id && (s.role === 'keyworker' || s.role === 'manager'));

  const changed = (text: string) => {
    setNotice(text);
    day.refresh();
    requestAnimationFrame(() => noticeRef.current?.focus());
  };

  if (day.loading && !day.data) return <Loading what="Loading your day" />;
  if (day.error && !day.data) return <ProblemMessage problem={day.error} onRetry={day.reload} />;
  const d = day.data;
  if (!d) return null;
  const nothing = d.appointments.length + d.tasks.length + d.reviewsDue.length + d.waitingNear21Days.length + d.referralsToAcknowledge.length + d.consentsExpiring.length === 0;

  return (
    <section className="page" data-testid="my-day">
      <h1>My day</h1>
      <p className="muted">{formatDate(d.date)}</p>
      {notice && (
        <div ref={noticeRef} tabIndex={-1}>
          <Notice>
            <span data-testid="my-day-notice">{notice}</span>
          </Notice>
        </div>
      )}
      {nothing && <Empty>Nothing is due today.</Empty>}
      <div className="panel">
        <h2>Appointments today</h2>
        {d.appointments.length === 0 ? (
          <p className="muted">No appointments today.</p>
        ) : (
          <ul className="record-list">
            {d.appointments.map((a) => (
              <li key={a.id} data-appointment={a.id}>
                <strong>{londonDateTime(a.startsAt).time}</strong> <Link to={`/cases/${a.caseId}`}>{a.personName}</Link> · {APPOINTMENT_KIND_LABELS[a.kind]}{' '}
                <span className={appointmentBadge(a.status)}>{APPOINTMENT_STATUS_LABELS[a.status]}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="panel">
        <h2>Tasks</h2>
        {d.tasks.length === 0 ? (
          <p className="muted">No tasks.</p>
        ) : (
          <ul className="record-list" data-testid="my-tasks">
            {d.tasks.map((t) => (
              <TaskRow key={t.id} task={t} colleagues={colleagues} onChanged={changed} />
            ))}
          </ul>
        )}
      </div>
      {d.reviewsDue.length > 0 && (
        <div className="panel">
          <h2>Reviews due</h2>
          <ul className="record-list">
            {d.reviewsDue.map((r) => (
              <li key={r.caseId}>
                <Link to={`/cases/${r.caseId}`}>{r.personName}</Link> {r.due ? <span className="badge badge-bad">due now</span> : <span className="badge">due {formatDate(r.dueAt)}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {d.waitingNear21Days.length > 0 && (
        <div className="panel">
          <h2>Waiting near 21 days</h2>
          <ul className="record-list">
            {d.waitingNear21Days.map((r) => (
              <li key={r.caseId}>
                <Link to={`/cases/${r.caseId}`}>{r.personName}</Link> <span className="badge badge-warn">21 days on {formatDate(r.dueAt)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {d.referralsToAcknowledge.length > 0 && (
        <div className="panel">
          <h2>Referrals to acknowledge</h2>
          <ul className="record-list">
            {d.referralsToAcknowledge.map((r) => (
              <li key={r.id}>
                <Link to={`/referrals/${r.id}`}>
                  {r.kind.replace(/_/g, ' ')} referral from {r.fromAgencyName}
                </Link>{' '}
                {r.acknowledgeBy && <span className="badge">acknowledge by {formatDateTime(r.acknowledgeBy)}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {d.consentsExpiring.length > 0 && (
        <div className="panel">
          <h2>Consents expiring</h2>
          <ul className="record-list">
            {d.consentsExpiring.map((c) => (
              <li key={c.id}>
                <Link to={`/cases/${c.caseId}`}>{c.personName}</Link>: sharing with {c.toAgencyName ?? `every ${String(c.toAgencyKind).replace(/_/g, ' ')}`} ends {formatDate(c.validUntil)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
