/**
 * One journey: the person (as far as this user may see), the stage, what is due, the care
 * package, the actions allowed now and the full timeline. It refreshes live when someone
 * else moves the journey, and explains it when that happens mid-form.
 *
 * The user's own save comes back over the live socket too, and on a busy machine it can
 * arrive before the save's answer, or after the answer but before the page has re-rendered
 * (the live handler of the last render still sees the form open and the old version). So
 * the handler judges by what it is told the moment it happens — the form open, a save on
 * its way, the version the user's own saves reached — never by the last render. A booking,
 * an attendance or a contact entry saved in the panels moves the journey too, but its
 * answer does not say to which version: the page reads the journey again before it counts
 * such a save as finished, and takes the version it reads as the user's own.
 */
import { useCallback, useRef, useState } from 'react';
import type { ApiProblem} from '../lib/api-client.ts';
import { api, listOf } from '../lib/api-client.ts';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { eventActionLabel, stageLabel, stateValueLabel } from '../lib/labels.ts';
import { aboutRecord, useLiveEvents } from '../lib/live.tsx';
import { personName } from '../lib/people.ts';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { PersonPanel } from '../components/person-panel.tsx';
import { fieldLabel, valueLabel } from '../forms/field-words.ts';
import { CaseActions } from './case-actions.tsx';
import { CarePackagePanel } from './care-package-panel.tsx';
import { CaseTimeline } from './case-timeline.tsx';
import { AppointmentsPanel } from '../keywork/appointments-panel.tsx';
import { ContactsPanel } from '../keywork/contacts-panel.tsx';
import type { OwnSave } from '../keywork/keywork-types.ts';
import type { CaseView, TimelineEntry } from './case-types.ts';
import type { AgencyView } from '../referrals/referral-types.ts';
import { nextDue, overdueLabels } from './due-items.ts';

interface StaffMember {
  id: string;
  name: string;
  role: string;
}

function stateWords(c: CaseView): string {
  if (!c.state) return stageLabel(c.stage);
  const [top, child] = c.state.split('.');
  return stateValueLabel(child ? { [top ?? '']: child } : top);
}

/** The fields a live message may name its journey by. */
const JOURNEY_FIELDS = ['id', 'caseId', 'streamId'];

/** The case page. */
export function CasePage({ caseId }: { caseId: string }) {
  const { user } = useSession();
  const [open, setOpenState] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'warn' | 'info'; text: string } | null>(null);

  const journey = useResource((signal) => api<CaseView>(`/cases/${caseId}`, { signal }), [caseId]);
  const timeline = useResource(async (signal) => listOf<TimelineEntry>(await api(`/cases/${caseId}/timeline`, { signal })), [caseId]);
  const agencies = useResource(async (signal) => listOf<AgencyView>(await api('/agencies', { signal })), []);
  const staff = useResource(async (signal) => {
    if (user?.role !== 'keyworker' && user?.role !== 'manager') return [] as StaffMember[];
    return listOf<StaffMember>(await api('/users', { signal }));
  }, [user?.role]);

  const refresh = useCallback(() => {
    journey.refresh();
    timeline.refresh();
  }, [journey, timeline]);

  // The form open, saves on their way, and the newest version the user's own saves made.
  const mine = useRef({ open: null as string | null, saving: 0, version: 0 });
  const setOpen = useCallback((type: string | null) => {
    mine.current.open = type;
    setOpenState(type);
  }, []);
  const onSaving = useCallback((saving: boolean) => {
    mine.current.saving += saving ? 1 : -1;
  }, []);
  // A panel's save: on its way until the journey has been read again after its answer, and
  // the version read is the user's own (a colleague's change in that moment is taken for
  // it, as any change told while a save is on its way is). If that read fails, the save's
  // live change may still be told as someone else's: the notice then says no more than
  // that the journey moved.
  const ownSave = useCallback<OwnSave>(
    async (save) => {
      const m = mine.current;
      m.saving += 1;
      try {
        const answer = await save();
        const now = await api<CaseView>(`/cases/${caseId}`).catch(() => null);
        if (now) m.version = Math.max(m.version, now.version);
        return answer;
      } finally {
        m.saving -= 1;
      }
    },
    [caseId],
  );

  useLiveEvents(
    ['case.changed'],
    (_name, payload) => {
      const p = payload as { version?: number };
      const m = mine.current;
      // Someone else's change: newer than the journey on screen and than the user's own
      // saves. Told only while a form is open and none is being saved: a save's own answer
      // says "saved", or explains the conflict if someone else got there first.
      if (m.open && m.saving === 0 && typeof p.version === 'number' && journey.data && p.version > Math.max(journey.data.version, m.version)) {
        setNotice({ tone: 'warn', text: 'Someone else has just updated this journey. Your form still uses the version you opened; saving will tell you if it no longer fits.' });
      }
      refresh();
    },
    200,
    aboutRecord(caseId, JOURNEY_FIELDS),
  );

  const agencyName = (id: string) => agencies.data?.find((a) => a.id === id)?.name ?? 'another agency';
  const userName = (id: string | null) => {
    if (!id) return 'system';
    if (id === user?.id) return 'you';
    return staff.data?.find((s) => s.id === id)?.name ?? 'staff at another agency';
  };

  if (journey.loading && !journey.data) return <Loading what="Loading the journey" />;
  if (journey.error && !journey.data) {
    return (
      <section className="page">
        <h1>Journey</h1>
        <ProblemMessage problem={journey.error} onRetry={journey.reload} />
        <p>
          <Link to="/caseload">Back to the caseload</Link>
        </p>
      </section>
    );
  }
  const c = journey.data;
  if (!c) return null;
  const flags = overdueLabels(c);
  const due = nextDue(c);
  const keyworkers = (staff.data ?? []).filter((s) => s.role === 'keyworker');
  const canEditPackage = c.allowedEvents.includes('CARE_PLAN_AGREED');

  const onDone = (next: CaseView, type: string) => {
    mine.current.version = Math.max(mine.current.version, next.version);
    setNotice({ tone: 'ok', text: `${eventActionLabel(type)}: saved. The journey is now ${stageLabel(next.stage).toLowerCase()}.` });
    refresh();
  };
  const onConflict = (problem: ApiProblem) => {
    const text =
      problem.code === 'version_conflict'
        ? 'Someone else changed this journey while you were working on it, so your change was not saved. The page now shows the latest version: check it, then try again if it still applies.'
        : `That step is no longer allowed: ${problem.detail} The page now shows what you can do.`;
    setNotice({ tone: 'warn', text });
    refresh();
  };

  return (
    <section className="page" data-case-version={c.version} data-stage={c.stage}>
      <p>
        <Link to="/caseload">← Caseload</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>{personName(c.person)}</h1>
          <p>
            <span className="badge badge-info" data-testid="case-stage">
              {stateWords(c)}
            </span>{' '}
            {flags.map((f) => (
              <span key={f} className="badge badge-bad" style={{ marginRight: 4 }}>
                {f}
              </span>
            ))}
            <span className="muted">
              {' '}
              Referred {formatDate(c.referredOn)} ({valueLabel('referralSource', c.referralSource ?? '')})
            </span>
          </p>
        </div>
      </div>
      {!c.closedAt && (
        <p>
          <Link to={`/referrals/new?personId=${c.personId}&caseId=${c.id}`}>Refer to another agency</Link>
        </p>
      )}
      {notice && (
        <Notice tone={notice.tone}>
          <span data-testid="case-notice">{notice.text}</span>{' '}
          <button type="button" className="link" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </Notice>
      )}
      {journey.error && <ProblemMessage problem={journey.error} onRetry={journey.reload} />}
      <div className="case-layout">
        <div>
          <PersonPanel person={c.person} withheld={c.withheld} />
          <div className="panel">
            <h2>Journey</h2>
            <dl className="facts">
              <dt>Stage</dt>
              <dd>{stateWords(c)}</dd>
              <dt>In stage since</dt>
              <dd>{formatDateTime(c.stageEnteredAt)}</dd>
              <dt>Keyworker</dt>
              <dd>{c.keyworkerId ? userName(c.keyworkerId) : 'Not assigned'}</dd>
              <dt>Next due</dt>
              <dd>{due ? `${due.label}, ${formatDate(due.dueAt)}` : 'Nothing scheduled'}</dd>
              {c.representations ? (
                <>
                  <dt>Re-presentations</dt>
                  <dd>{c.representations}</dd>
                </>
              ) : null}
              {c.discharge && (
                <>
                  <dt>Discharged</dt>
                  <dd>
                    {formatDate(c.discharge.dischargedOn)}: {valueLabel('reason', c.discharge.reason)}
                  </dd>
                </>
              )}
              {c.closure && (
                <>
                  <dt>Closed</dt>
                  <dd>
                    {formatDate(c.closure.closedOn)}
                    {c.closure.sustainedRecovery ? ' (recovery sustained)' : ''}
                  </dd>
                </>
              )}
              {c.continuity && (
                <>
                  <dt>Released from custody</dt>
                  <dd>
                    {formatDate(c.continuity.releasedOn)}
                    {c.continuity.engagedOn ? `, engaged ${formatDate(c.continuity.engagedOn)}` : ', not yet engaged'}
                  </dd>
                </>
              )}
            </dl>
            {c.checkups && c.checkups.length > 0 && (
              <>
                <h3>Recovery check-ups</h3>
                <ul>
                  {c.checkups.map((k) => (
                    <li key={k.index}>
                      {k.dueDays !== null ? `Day ${k.dueDays}` : 'Extra'}: {k.completedOn ? `done ${formatDate(k.completedOn)}` : k.due ? 'due now' : 'not yet due'}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
          <CarePackagePanel c={c} onEdit={canEditPackage ? () => setOpen('CARE_PLAN_AGREED') : undefined} />
        </div>
        <div>
          <CaseActions c={c} keyworkers={keyworkers} open={open} setOpen={setOpen} onSaving={onSaving} onDone={onDone} onConflict={onConflict} />
          <AppointmentsPanel caseId={c.id} canWrite={c.allowedEvents.includes('APPOINTMENT_BOOKED')} staffName={userName} ownSave={ownSave} onChanged={refresh} />
          <ContactsPanel caseId={c.id} canWrite={c.allowedEvents.includes('CONTACT_RECORDED')} staffName={userName} ownSave={ownSave} />
          <div className="panel">
            <h2>Timeline</h2>
            {timeline.error && <ProblemMessage problem={timeline.error} onRetry={timeline.reload} />}
            {timeline.loading && !timeline.data && <Loading what="Loading the timeline" />}
            {timeline.data && <CaseTimeline items={timeline.data} userName={userName} agencyName={agencyName} />}
          </div>
          {c.assessment && (
            <div className="panel">
              <h2>Assessment</h2>
              <p className="muted">Completed {formatDate(c.assessment.completedOn)}</p>
              <dl className="facts">
                {c.substanceGroup && (
                  <>
                    <dt>{fieldLabel('substanceGroup')}</dt>
                    <dd>{valueLabel('substanceGroup', c.substanceGroup)}</dd>
                  </>
                )}
                {Object.entries(c.assessment.domains).map(([k, v]) => (
                  <div key={k} style={{ display: 'contents' }}>
                    <dt>{fieldLabel(k)}</dt>
                    <dd>{typeof v !== 'string' ? '—' : k === 'housingNeed' || k === 'injectingStatus' ? valueLabel(k, v) : v}</dd>
                  </div>
                ))}
              </dl>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
