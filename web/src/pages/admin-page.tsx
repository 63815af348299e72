/**
 * Administrators: the agencies and staff of the area (they cannot read case records). Add
 * an agency or a staff account, correct an agency, change a role, deactivate or reactivate
 * either; each result is announced where the user is looking. The follow-up rules in force
 * are shown read-only.
 */
import { useRef, useState } from 'react';
import { api, ApiProblem, listOf } from '../lib/api-client.ts';
import { humanise } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { AddAgencyForm, EditAgencyForm, type AdminAgency } from '../admin/agency-forms.tsx';
import { AddStaffForm, StaffRowActions, type AdminUser } from '../admin/staff-forms.tsx';
import { FollowUpRules } from '../admin/follow-up-rules.tsx';

type Open = { form: 'add-agency' } | { form: 'edit-agency'; id: string } | { form: 'add-staff'; id: string } | null;

/** The admin page. */
export function AdminPage() {
  const { user } = useSession();
  const data = useResource(async (signal) => {
    const [agencies, users] = await Promise.all([api('/agencies', { signal }), api('/users', { signal })]);
    return { agencies: listOf<AdminAgency>(agencies), users: listOf<AdminUser>(users) };
  }, []);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'warn'; text: string } | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const announce = (text: string, tone: 'ok' | 'warn' = 'ok') => {
    setOpen(null);
    setNotice({ tone, text });
    data.refresh();
    requestAnimationFrame(() => noticeRef.current?.focus());
  };
  const agencyEvent = async (a: AdminAgency, type: 'AGENCY_DEACTIVATED' | 'AGENCY_REACTIVATED') => {
    try {
      await api(`/agencies/${a.id}/events`, { body: { type, ...(a.version ? { expectedVersion: a.version } : {}) } });
      announce(type === 'AGENCY_DEACTIVATED' ? `${a.name} deactivated: it no longer receives referrals.` : `${a.name} reactivated.`);
    } catch (err) {
      announce(err instanceof ApiProblem ? err.detail : 'Not saved. Try again.', 'warn');
    }
  };
  return (
    <section className="page" data-testid="admin">
      <h1>Agencies and staff</h1>
      {notice && (
        <div ref={noticeRef} tabIndex={-1}>
          <Notice tone={notice.tone}>
            <span data-testid="admin-notice">{notice.text}</span>
          </Notice>
        </div>
      )}
      {data.error && <ProblemMessage problem={data.error} onRetry={data.reload} />}
      {data.loading && !data.data && <Loading what="Loading agencies and staff" />}
      {open?.form === 'add-agency' ? (
        <AddAgencyForm defaultArea={user?.agency?.area ?? ''} onDone={announce} onCancel={() => setOpen(null)} />
      ) : (
        <p>
          <button type="button" onClick={() => setOpen({ form: 'add-agency' })}>
            Add an agency
          </button>
        </p>
      )}
      {data.data && data.data.agencies.length === 0 && <Empty>No agencies yet.</Empty>}
      {data.data?.agencies.map((a) => {
        const staff = data.data?.users.filter((u) => u.agencyId === a.id) ?? [];
        return (
          <div className="panel" key={a.id} data-agency={a.id}>
            <h2>
              {a.name} <span className="badge">{humanise(a.kind)}</span> {a.deactivatedAt && <span className="badge badge-warn">Deactivated</span>}
            </h2>
            <p className="muted">{a.area}</p>
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setOpen({ form: 'edit-agency', id: a.id })}>
                Correct details<span className="sr-only"> of {a.name}</span>
              </button>
              <button type="button" className="secondary" onClick={() => void agencyEvent(a, a.deactivatedAt ? 'AGENCY_REACTIVATED' : 'AGENCY_DEACTIVATED')}>
                {a.deactivatedAt ? 'Reactivate' : 'Deactivate'}
                <span className="sr-only"> {a.name}</span>
              </button>
              <button type="button" className="secondary" onClick={() => setOpen({ form: 'add-staff', id: a.id })}>
                Add staff<span className="sr-only"> to {a.name}</span>
              </button>
            </div>
            {open?.form === 'edit-agency' && open.id === a.id && <EditAgencyForm agency={a} onDone={announce} onCancel={() => setOpen(null)} />}
            {open?.form === 'add-staff' && open.id === a.id && <AddStaffForm agencyId={a.id} agencyName={a.name} onDone={announce} onCancel={() => setOpen(null)} />}
            {staff.length === 0 ? (
              <p className="muted">No staff accounts.</p>
            ) : (
              <ul className="record-list">
                {staff.map((u) => (
                  <li key={u.id} data-user={u.id}>
                    <div>
                      <strong>{u.name}</strong> · {u.email} {u.deactivatedAt && <span className="badge badge-warn">Cannot sign in</span>}
                    </div>
                    <StaffRowActions user={u} onDone={announce} onProblem={(text) => announce(text, 'warn')} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      <FollowUpRules />
    </section>
  );
}
