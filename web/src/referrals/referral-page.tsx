/**
 * One referral: who sent it where and why (as far as consent allows), its status and
 * deadlines, and the steps this user may take now (accept, reject with a reason, record
 * first contact, complete with the outcome…), each validated by the shared schema.
 */
import { useState } from 'react';
import { REFERRAL_EVENT_SCHEMAS } from '../../../api/schemas/referral-events.ts';
import { api, ApiProblem, listOf } from '../lib/api-client.ts';
import { formatDate, formatDateTime, formatDays, humanise } from '../lib/format.ts';
import { eventActionLabel, referralStateLabel } from '../lib/labels.ts';
import { aboutRecord, useLiveEvents } from '../lib/live.tsx';
import { personName } from '../lib/people.ts';
import { Link } from '../lib/router.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { PersonPanel } from '../components/person-panel.tsx';
import { EventForm } from '../forms/event-form.tsx';
import { currentDeadline, referralAgeDays } from './referral-deadline.ts';
import { statusBadge } from './referral-boxes-page.tsx';
import type { AgencyView, ReferralView } from './referral-types.ts';
import { AttendancePanel } from '../keywork/attendance-panel.tsx';
import { KnownAsNotice } from '../people/known-as-notice.tsx';

const ORDER = REFERRAL_EVENT_SCHEMAS.map((s) => s.shape.type.value as string);
const SCHEMA_BY_TYPE = new Map<string, (typeof REFERRAL_EVENT_SCHEMAS)[number]>(REFERRAL_EVENT_SCHEMAS.map((s) => [s.shape.type.value, s]));

const INTROS: Record<string, string> = {
  REFERRAL_ACCEPTED: 'Accepting a treatment referral opens the person’s journey at your service (or re-opens it as a rapid re-entry).',
  REFERRAL_REJECTED: 'The sender sees your reason.',
  REFERRAL_COMPLETED: 'The outcome goes back to the sender: this closes the loop.',
};

/** The referral page. */
export function ReferralPage({ referralId }: { referralId: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'warn'; text: string } | null>(null);
  const ref = useResource((signal) => api<ReferralView>(`/referrals/${referralId}`, { signal }), [referralId]);
  const agencies = useResource(async (signal) => listOf<AgencyView>(await api('/agencies', { signal })), []);
  useLiveEvents(
    ['referral.changed'],
    () => ref.refresh(),
    200,
    aboutRecord(referralId, ['id', 'referralId']),
  );

  if (ref.loading && !ref.data) return <Loading what="Loading the referral" />;
  if (ref.error && !ref.data) {
    return (
      <section className="page">
        <h1>Referral</h1>
        <ProblemMessage problem={ref.error} onRetry={ref.reload} />
        <p>
          <Link to="/referrals?box=inbox">Back to referrals</Link>
        </p>
      </section>
    );
  }
  const r = ref.data;
  if (!r) return null;
  const agencyName = (id: string) => agencies.data?.find((a) => a.id === id)?.name ?? '…';
  const allowed = r.allowedEvents.filter((t) => SCHEMA_BY_TYPE.has(t)).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const schema = open ? SCHEMA_BY_TYPE.get(open) : undefined;
  const deadline = currentDeadline(r);

  const send = async (body: Record<string, unknown>) => {
    try {
      const next = await api<ReferralView>(`/referrals/${r.id}/events`, { body });
      setOpen(null);
      setNotice({ tone: 'ok', text: `${eventActionLabel(String(body.type))}: saved. The referral is now ${referralStateLabel(next.status).toLowerCase()}.` });
      ref.refresh();
    } catch (err) {
      if (err instanceof ApiProblem && (err.code === 'version_conflict' || err.code === 'invalid_transition')) {
        setOpen(null);
        setNotice({ tone: 'warn', text: `Someone else has moved this referral on, so your step was not saved. ${err.detail} The page now shows the latest.` });
        ref.refresh();
        return;
      }
      throw err;
    }
  };

  return (
    <section className="page" data-referral-status={r.status}>
      <p>
        <Link to={`/referrals?box=${r.direction}`}>← {r.direction === 'inbox' ? 'Inbox' : 'Outbox'}</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>
            {humanise(r.kind)} referral{r.form ? ` (${r.form})` : ''}: {personName(r.person)}
          </h1>
          <p>
            <span className={statusBadge(r.status)} data-testid="referral-status">
              {referralStateLabel(r.status)}
            </span>{' '}
            {r.urgency === 'urgent' && <span className="badge badge-warn">Urgent</span>}{' '}
            {r.safeguardingOverride && <span className="badge badge-bad">Sent without consent (safeguarding)</span>}
          </p>
        </div>
      </div>
      {notice && (
        <Notice tone={notice.tone}>
          <span data-testid="referral-notice">{notice.text}</span>
        </Notice>
      )}
      {r.direction === 'inbox' && (
        <KnownAsNotice
          referralId={r.id}
          {...(allowed.includes('REFERRAL_ACCEPTED') ? { onAcceptAndLink: (personId: string) => send({ type: 'REFERRAL_ACCEPTED', expectedVersion: r.version, knownAsPersonId: personId }) } : {})}
        />
      )}
      <div className="case-layout">
        <div>
          <PersonPanel person={r.person} withheld={r.withheld} />
          <div className="panel">
            <h2>Referral</h2>
            <dl className="facts">
              <dt>From</dt>
              <dd>{agencyName(r.fromAgencyId)}</dd>
              <dt>To</dt>
              <dd>{agencyName(r.toAgencyId)}</dd>
              <dt>Sent</dt>
              <dd>
                {formatDateTime(r.requestedAt ?? r.createdAt)} ({formatDays(referralAgeDays(r))} ago)
              </dd>
              <dt>Reason</dt>
              <dd>{r.reason ?? <span className="muted">Withheld (no consent to share it with your agency)</span>}</dd>
              {deadline && (
                <>
                  <dt>{deadline.label}</dt>
                  <dd>
                    <span className={deadline.passed ? 'badge badge-bad' : undefined}>
                      {formatDateTime(deadline.at)}
                      {deadline.passed ? ' (passed)' : ''}
                    </span>
                  </dd>
                </>
              )}
              {r.acceptedAt && (
                <>
                  <dt>Accepted</dt>
                  <dd>{formatDateTime(r.acceptedAt)}</dd>
                </>
              )}
              {r.firstContactOn && (
                <>
                  <dt>First contact</dt>
                  <dd>{formatDate(r.firstContactOn)}</dd>
                </>
              )}
              {r.outcome && (
                <>
                  <dt>Outcome</dt>
                  <dd data-testid="referral-outcome">{r.outcome}</dd>
                </>
              )}
              {r.rejectionReason && (
                <>
                  <dt>Rejected because</dt>
                  <dd>{r.rejectionReason}</dd>
                </>
              )}
              {r.failureReason && (
                <>
                  <dt>Failed because</dt>
                  <dd>{r.failureReason}</dd>
                </>
              )}
              {r.cancellationReason && (
                <>
                  <dt>Cancelled because</dt>
                  <dd>{r.cancellationReason}</dd>
                </>
              )}
              {r.safeguardingOverride && (
                <>
                  <dt>Safeguarding justification</dt>
                  <dd>{r.safeguardingOverride.justification}</dd>
                </>
              )}
            </dl>
            {r.caseId && (
              <p>
                <Link to={`/cases/${r.caseId}`}>Open the journey</Link>
              </p>
            )}
          </div>
          {r.direction === 'outbox' && <AttendancePanel referralId={r.id} />}
        </div>
        <div>
          <div className="panel" data-testid="referral-actions">
            <h2>Actions</h2>
            {allowed.length === 0 ? (
              <p className="muted">{r.closedAt ? 'This referral is closed.' : 'Nothing for you to do on this referral now.'}</p>
            ) : (
              <div className="actions" role="group" aria-label="Actions allowed now">
                {allowed.map((t) => (
                  <button key={t} type="button" className={t === 'REFERRAL_ACCEPTED' ? undefined : 'secondary'} aria-expanded={open === t} data-action={t} onClick={() => setOpen(open === t ? null : t)}>
                    {eventActionLabel(t)}
                  </button>
                ))}
              </div>
            )}
            {open && schema && (
              <EventForm
                key={open}
                title={eventActionLabel(open)}
                schema={schema}
                envelope={{ type: open, expectedVersion: r.version }}
                // Linking on acceptance is offered beside "probably known to you as …", with the record named.
                hiddenFields={['knownAsPersonId']}
                intro={INTROS[open] ? <p className="hint">{INTROS[open]}</p> : undefined}
                submitLabel={eventActionLabel(open)}
                onSubmit={send}
                onCancel={() => setOpen(null)}
              />
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
