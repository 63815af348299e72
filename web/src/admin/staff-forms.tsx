/**
 * An administrator's forms for staff: add an account to an agency, change its role,
 * deactivate or reactivate it (a deactivated account cannot sign in). Checked with the
 * API's own schema first; each change is an event on the account's stream.
 */
import { useState, type FormEvent } from 'react';
import { createUserBody } from '../../../api/schemas/user.ts';
import { api, ApiProblem } from '../lib/api-client.ts';
import { humanise } from '../lib/format.ts';
import { ErrorSummary, type FieldProblem } from '../forms/error-summary.tsx';
import { useLeaveGuard } from '../forms/use-leave-guard.ts';
import { zodProblems } from '../forms/zod-problems.ts';
import { AdminTextField } from './agency-forms.tsx';

/** The roles an account can have. */
export const ROLE_OPTIONS = ['keyworker', 'referrer', 'manager', 'auditor', 'admin'] as const;

/** A staff account as the admin page lists it. */
export interface AdminUser {
  id: string;
  name: string;
  email: string;
  role: string;
  agencyId: string;
  deactivatedAt?: string | null;
  version?: number;
}

const LABELS = { name: 'Name', email: 'Email', role: 'Role', password: 'First password', agencyId: 'Agency' };

/** Adds a staff account to an agency. */
export function AddStaffForm({ agencyId, agencyName, onDone, onCancel }: { agencyId: string; agencyName: string; onDone: (text: string) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [detail, setDetail] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLeaveGuard(name !== '' || email !== '' || password !== '');
  const prefix = `staff-${agencyId}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name: name.trim(), email: email.trim(), role, password, agencyId };
    const found = zodProblems(createUserBody, body, LABELS, prefix).map((p) => (p.fieldId === `${prefix}-role` ? { ...p, message: 'Role: choose what this person does' } : p));
    setProblems(found);
    setDetail(null);
    if (found.length > 0) return;
    setBusy(true);
    try {
      await api('/users', { body });
      onDone(`${body.name} can now sign in to ${agencyName} as ${humanise(role).toLowerCase()}.`);
    } catch (err) {
      setDetail(err instanceof ApiProblem ? err.detail : 'Not saved. Try again.');
    } finally {
      setBusy(false);
    }
  };
  const roleError = problems.find((p) => p.fieldId === `${prefix}-role`)?.message;
  return (
    <form className="action-form" noValidate onSubmit={(e) => void submit(e)} aria-labelledby={`${prefix}-title`} data-admin-form="add-staff">
      <h3 id={`${prefix}-title`}>Add staff to {agencyName}</h3>
      <ErrorSummary problems={problems} detail={detail} />
      <AdminTextField id={`${prefix}-name`} label="Name" value={name} onChange={setName} problems={problems} autoComplete="off" />
      <AdminTextField id={`${prefix}-email`} label="Email" type="email" value={email} onChange={setEmail} problems={problems} autoComplete="off" />
      <div className={`field${roleError ? ' field-error' : ''}`}>
        <label htmlFor={`${prefix}-role`}>Role</label>
        {roleError && (
          <p className="error-text" id={`${prefix}-role-error`}>
            {roleError}
          </p>
        )}
        <select id={`${prefix}-role`} value={role} onChange={(e) => setRole(e.target.value)} aria-invalid={Boolean(roleError)} aria-describedby={roleError ? `${prefix}-role-error` : undefined}>
          <option value="">Choose…</option>
          {ROLE_OPTIONS.map((r) => (
            <option key={r} value={r}>
              {humanise(r)}
            </option>
          ))}
        </select>
      </div>
      <AdminTextField id={`${prefix}-password`} label="First password (at least 12 characters)" type="password" value={password} onChange={setPassword} problems={problems} autoComplete="new-password" />
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          Add staff member
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One account's role and whether it may sign in, changed in place. */
export function StaffRowActions({ user, onDone, onProblem }: { user: AdminUser; onDone: (text: string) => void; onProblem: (text: string) => void }) {
  const [busy, setBusy] = useState(false);
  const send = async (body: Record<string, unknown>, text: string) => {
    setBusy(true);
    try {
      await api(`/users/${user.id}/events`, { body: { ...body, ...(user.version ? { expectedVersion: user.version } : {}) } });
      onDone(text);
    } catch (err) {
      onProblem(err instanceof ApiProblem ? err.detail : 'Not saved. Try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="inline-fields">
      <div className="field">
        <label htmlFor={`role-${user.id}`} className="sr-only">
          Role of {user.name}
        </label>
        <select id={`role-${user.id}`} value={user.role} disabled={busy || Boolean(user.deactivatedAt)} onChange={(e) => void send({ type: 'USER_ROLE_CHANGED', role: e.target.value }, `${user.name} is now ${humanise(e.target.value).toLowerCase()}.`)}>
          {ROLE_OPTIONS.map((r) => (
            <option key={r} value={r}>
              {humanise(r)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        {user.deactivatedAt ? (
          <button type="button" className="secondary" disabled={busy} onClick={() => void send({ type: 'USER_REACTIVATED' }, `${user.name} can sign in again.`)}>
            Reactivate<span className="sr-only"> {user.name}</span>
          </button>
        ) : (
          <button type="button" className="secondary" disabled={busy} onClick={() => void send({ type: 'USER_DEACTIVATED' }, `${user.name} can no longer sign in.`)}>
            Deactivate<span className="sr-only"> {user.name}</span>
          </button>
        )}
      </div>
    </div>
  );
}
