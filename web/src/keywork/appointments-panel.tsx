/**
 * A journey's appointments on the case page: book one (date and time in London time,
 * kind, with whom), then record what happened — attended, did not attend, or cancelled by
 * the person or the service. A did-not-attend makes the follow-up task the journey's rules
 * ask for, and goes back to the referrer where the person agreed.
 */
import { useRef, useState, type FormEvent } from 'react';
import { APPOINTMENT_KINDS, CUSTODY_APPOINTMENT_KINDS, type AppointmentKind } from '../../../machines/keywork-codes.ts';
import { bookAppointmentBody } from '../../../api/schemas/keywork.ts';
import { api, ApiProblem } from '../lib/api-client.ts';
import { formatDateTime } from '../lib/format.ts';
import { londonInstant, londonToday } from '../lib/london-time.ts';
import { aboutRecord, useLiveEvents } from '../lib/live.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { ErrorSummary, type FieldProblem } from '../forms/error-summary.tsx';
import { useLeaveGuard } from '../forms/use-leave-guard.ts';
import { APPOINTMENT_KIND_LABELS, APPOINTMENT_STATUS_LABELS, appointmentBadge } from './keywork-labels.ts';
import type { Appointment, OwnSave } from './keywork-types.ts';

interface Props {
  caseId: string;
  /** Whether this user keeps the journey's diary (the lead agency's keyworkers and managers, journey open). */
  canWrite: boolean;
  /** Names for ids of staff. */
  staffName: (id: string | null) => string;
  /** Runs each save, so the page knows the journey's next version is its own. */
  ownSave: OwnSave;
  /** Called after a change, so the rest of the page refreshes. */
  onChanged: () => void;
}

type Settle = { id: string; action: 'attended' | 'missed' | 'cancelled' } | null;

const NEEDS_PARTNER: ReadonlySet<AppointmentKind> = new Set(['three_way_jobcentre', 'three_way_probation', 'required_assessment', 'follow_up_assessment']);

function BookForm({ caseId, ownSave, onBooked, onCancel }: { caseId: string; ownSave: OwnSave; onBooked: (a: Appointment) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<string>('');
  const [date, setDate] = useState(londonToday());
  const [time, setTime] = useState('');
  const [withWhom, setWithWhom] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [detail, setDetail] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLeaveGuard(kind !== '' || time !== '' || withWhom !== '');
  const errorOf = (id: string) => problems.find((p) => p.fieldId === id)?.message;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDetail(null);
    const found: FieldProblem[] = [];
    if (!kind) found.push({ fieldId: 'appt-kind', message: 'Choose the kind of appointment' });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) found.push({ fieldId: 'appt-date', message: 'Enter the date of the appointment, for example 6 March 2026' });
    if (!/^\d{2}:\d{2}$/.test(time)) found.push({ fieldId: 'appt-time', message: 'Enter the time of the appointment, for example 14:00' });
    const startsAt = found.length === 0 ? londonInstant(date, time) : null;
    if (found.length === 0 && !startsAt) found.push({ fieldId: 'appt-date', message: 'Enter a real date and time' });
    const body = { kind, startsAt, ...(withWhom.trim() ? { withWhom: withWhom.trim() } : {}) };
    if (found.length === 0 && !bookAppointmentBody.safeParse(body).success) found.push({ fieldId: 'appt-kind', message: 'Check the appointment’s details' });
    setProblems(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      onBooked(await ownSave(() => api<Appointment>(`/cases/${caseId}/appointments`, { body })));
    } catch (err) {
      setDetail(err instanceof ApiProblem ? err.detail : 'The appointment was not booked. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="book-title" data-keywork-form="book-appointment">
      <h3 id="book-title">Book an appointment</h3>
      <ErrorSummary problems={problems} detail={detail} />
      <div className={`field${errorOf('appt-kind') ? ' field-error' : ''}`}>
        <label htmlFor="appt-kind">Kind of appointment</label>
        {errorOf('appt-kind') && <p className="error-text" id="appt-kind-error">{errorOf('appt-kind')}</p>}
        <select id="appt-kind" value={kind} onChange={(e) => setKind(e.target.value)} aria-invalid={Boolean(errorOf('appt-kind'))} aria-describedby={errorOf('appt-kind') ? 'appt-kind-error' : undefined}>
          <option value="">Choose…</option>
          {APPOINTMENT_KINDS.map((k) => (
            <option key={k} value={k}>
              {APPOINTMENT_KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="inline-fields">
        <div className={`field${errorOf('appt-date') ? ' field-error' : ''}`}>
          <label htmlFor="appt-date">Date</label>
          {errorOf('appt-date') && <p className="error-text" id="appt-date-error">{errorOf('appt-date')}</p>}
          <input id="appt-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} aria-invalid={Boolean(errorOf('appt-date'))} aria-describedby={errorOf('appt-date') ? 'appt-date-error' : undefined} />
        </div>
        <div className={`field${errorOf('appt-time') ? ' field-error' : ''}`}>
          <label htmlFor="appt-time">Time (UK time)</label>
          {errorOf('appt-time') && <p className="error-text" id="appt-time-error">{errorOf('appt-time')}</p>}
          <input id="appt-time" type="time" value={time} onChange={(e) => setTime(e.target.value)} aria-invalid={Boolean(errorOf('appt-time'))} aria-describedby={errorOf('appt-time') ? 'appt-time-error' : undefined} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="appt-with">
          With whom <span className="muted">(optional)</span>
        </label>
        <p className="hint" id="appt-with-hint">
          {kind && NEEDS_PARTNER.has(kind as AppointmentKind) ? 'Name the work coach, probation officer or custody team member.' : 'For example the keyworker or group facilitator.'}
        </p>
        <input id="appt-with" type="text" value={withWhom} maxLength={200} onChange={(e) => setWithWhom(e.target.value)} aria-describedby="appt-with-hint" />
      </div>
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Booking…' : 'Book appointment'}
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SettleForm({ appointment, action, ownSave, onDone, onCancel }: { appointment: Appointment; action: 'attended' | 'missed' | 'cancelled'; ownSave: OwnSave; onDone: (a: Appointment) => void; onCancel: () => void }) {
  const custody = CUSTODY_APPOINTMENT_KINDS.has(appointment.kind);
  const [outcome, setOutcome] = useState('');
  const [by, setBy] = useState<'' | 'person' | 'service'>('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [detail, setDetail] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLeaveGuard(outcome !== '' || reason !== '');
  const title = action === 'attended' ? 'Record attendance' : action === 'missed' ? 'Record did not attend' : 'Record a cancellation';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: FieldProblem[] = [];
    if (action === 'attended' && custody && !outcome.trim()) found.push({ fieldId: `outcome-${appointment.id}`, message: 'Enter the outcome of the assessment: the custody team is told it' });
    if (action === 'cancelled' && !by) found.push({ fieldId: `by-${appointment.id}-person`, message: 'Say who cancelled: the person or the service' });
    setProblems(found);
    setDetail(null);
    if (found.length > 0) return;
    const body =
      action === 'attended'
        ? { type: 'APPOINTMENT_ATTENDED', ...(outcome.trim() ? { outcome: outcome.trim() } : {}) }
        : action === 'missed'
          ? { type: 'APPOINTMENT_MISSED' }
          : { type: 'APPOINTMENT_CANCELLED', by, ...(reason.trim() ? { reason: reason.trim() } : {}) };
    setBusy(true);
    try {
      onDone(await ownSave(() => api<Appointment>(`/appointments/${appointment.id}/events`, { body })));
    } catch (err) {
      setDetail(err instanceof ApiProblem ? err.detail : 'Not saved. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`settle-${appointment.id}`} data-keywork-form={`settle-${action}`}>
      <h3 id={`settle-${appointment.id}`}>{title}</h3>
      <ErrorSummary problems={problems} detail={detail} />
      {action === 'missed' && <p className="hint">A follow-up task is made for you: re-engage within 2 working days.</p>}
      {action === 'attended' && (
        <div className="field">
          <label htmlFor={`outcome-${appointment.id}`}>
            Outcome {custody ? '' : <span className="muted">(optional)</span>}
          </label>
          <textarea id={`outcome-${appointment.id}`} rows={2} value={outcome} maxLength={2000} onChange={(e) => setOutcome(e.target.value)} />
        </div>
      )}
      {action === 'cancelled' && (
        <>
          <fieldset className="field">
            <legend>Who cancelled?</legend>
            {(['person', 'service'] as const).map((b) => (
              <label key={b} className="check">
                <input type="radio" id={`by-${appointment.id}-${b}`} name={`by-${appointment.id}`} checked={by === b} onChange={() => setBy(b)} />
                {b === 'person' ? 'The person' : 'The service'}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={`reason-${appointment.id}`}>
              Reason <span className="muted">(optional)</span>
            </label>
            <input id={`reason-${appointment.id}`} type="text" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </div>
        </>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The appointments panel. */
export function AppointmentsPanel({ caseId, canWrite, staffName, ownSave, onChanged }: Props) {
  const list = useResource(async (signal) => (await api<{ items: Appointment[] }>(`/cases/${caseId}/appointments`, { signal })).items, [caseId]);
  const [booking, setBooking] = useState(false);
  const [settle, setSettle] = useState<Settle>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useLiveEvents(
    ['case.changed'],
    () => list.refresh(),
    200,
    aboutRecord(caseId),
  );

  const done = (text: string) => {
    setBooking(false);
    setSettle(null);
    setNotice(text);
    list.refresh();
    onChanged();
    // The result, not the top of the page, is where the user's attention goes next.
    requestAnimationFrame(() => noticeRef.current?.focus());
  };

  return (
    <div className="panel" data-testid="appointments">
      <h2>Appointments</h2>
      {notice && (
        <div ref={noticeRef} tabIndex={-1}>
          <Notice>
            <span data-testid="appointments-notice">{notice}</span>
          </Notice>
        </div>
      )}
      {list.error && <ProblemMessage problem={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading appointments" />}
      {list.data && list.data.length === 0 && <p className="muted">No appointments booked.</p>}
      {list.data && list.data.length > 0 && (
        <ul className="record-list">
          {list.data.map((a) => (
            <li key={a.id} data-appointment={a.id} data-status={a.status}>
              <div>
                <strong>{APPOINTMENT_KIND_LABELS[a.kind]}</strong> · {formatDateTime(a.startsAt)} <span className={appointmentBadge(a.status)}>{APPOINTMENT_STATUS_LABELS[a.status]}</span>
              </div>
              <div className="muted">
                {a.withWhom ? `With ${a.withWhom}. ` : ''}Booked by {staffName(a.bookedBy)}
                {a.settledAt ? `; recorded by ${staffName(a.settledBy)}, ${formatDateTime(a.settledAt)}` : ''}
                {a.outcome ? `. Outcome: ${a.outcome}` : ''}
                {a.cancellationReason ? `. Reason: ${a.cancellationReason}` : ''}
              </div>
              {canWrite && a.status === 'booked' && settle?.id !== a.id && (
                <div className="actions" role="group" aria-label={`What happened at the ${APPOINTMENT_KIND_LABELS[a.kind].toLowerCase()} on ${formatDateTime(a.startsAt)}`}>
                  <button type="button" className="secondary" onClick={() => setSettle({ id: a.id, action: 'attended' })}>
                    Attended
                  </button>
                  <button type="button" className="secondary" onClick={() => setSettle({ id: a.id, action: 'missed' })}>
                    Did not attend
                  </button>
                  <button type="button" className="secondary" onClick={() => setSettle({ id: a.id, action: 'cancelled' })}>
                    Cancelled
                  </button>
                </div>
              )}
              {settle?.id === a.id && (
                <SettleForm
                  appointment={a}
                  action={settle.action}
                  ownSave={ownSave}
                  onCancel={() => setSettle(null)}
                  onDone={(after) => done(`${APPOINTMENT_KIND_LABELS[after.kind]}: ${APPOINTMENT_STATUS_LABELS[after.status].toLowerCase()} — saved.${after.status === 'did_not_attend' ? ' A follow-up task is in your day.' : ''}`)}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && !booking && (
        <button type="button" className="secondary" onClick={() => setBooking(true)}>
          Book an appointment
        </button>
      )}
      {booking && <BookForm caseId={caseId} ownSave={ownSave} onCancel={() => setBooking(false)} onBooked={(a) => done(`${APPOINTMENT_KIND_LABELS[a.kind]} booked for ${formatDateTime(a.startsAt)}.`)} />}
    </div>
  );
}
