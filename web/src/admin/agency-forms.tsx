/**
 * An administrator's forms for agencies: add one, correct its name or area, deactivate or
 * reactivate it. Each is checked with the API's own schema first; the API records each
 * change as an event on the agency's stream.
 */
import { useState, type FormEvent } from 'react';
import { AGENCY_KINDS, createAgencyBody } from '../../../api/schemas/agency.ts';
import { api, ApiProblem } from '../lib/api-client.ts';
import { humanise } from '../lib/format.ts';
import { ErrorSummary, type FieldProblem } from '../forms/error-summary.tsx';
import { useLeaveGuard } from '../forms/use-leave-guard.ts';
import { zodProblems } from '../forms/zod-problems.ts';

/** An agency as the admin page lists it. */
export interface AdminAgency {
  id: string;
  name: string;
  kind: string;
  area: string;
  deactivatedAt?: string | null;
  version?: number;
}

const LABELS = { name: 'Name', kind: 'Kind of agency', area: 'Area' };

/** A text field of the admin forms, with its error beside it. */
export function AdminTextField({ id, label, value, onChange, problems, type = 'text', autoComplete }: { id: string; label: string; value: string; onChange: (v: string) => void; problems: FieldProblem[]; type?: string; autoComplete?: string }) {
  const error = problems.find((p) => p.fieldId === id)?.message;
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {error && (
        <p className="error-text" id={`${id}-error`}>
          {error}
        </p>
      )}
      <input id={id} type={type} value={value} autoComplete={autoComplete} onChange={(e) => onChange(e.target.value)} aria-invalid={Boolean(error)} aria-describedby={error ? `${id}-error` : undefined} />
    </div>
  );
}

/** Adds an agency. */
export function AddAgencyForm({ defaultArea, onDone, onCancel }: { defaultArea: string; onDone: (text: string) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState('');
  const [area, setArea] = useState(defaultArea);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [detail, setDetail] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLeaveGuard(name !== '' || kind !== '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name: name.trim(), kind, area: area.trim() };
    const found = zodProblems(createAgencyBody, body, LABELS, 'agency-new');
    if (!kind) {
      const i = found.findIndex((p) => p.fieldId === 'agency-new-kind');
      if (i >= 0) found[i] = { fieldId: 'agency-new-kind', message: 'Choose the kind of agency' };
    }
    setProblems(found);
    setDetail(null);
    if (found.length > 0) return;
    setBusy(true);
    try {
      await api('/agencies', { body });
      onDone(`${body.name} added.`);
    } catch (err) {
      setDetail(err instanceof ApiProblem ? err.detail : 'Not saved. Try again.');
    } finally {
      setBusy(false);
    }
  };
  const kindError = problems.find((p) => p.fieldId === 'agency-new-kind')?.message;
  return (
    <form className="action-form" noValidate onSubmit={(e) => void submit(e)} aria-labelledby="agency-new-title" data-admin-form="add-agency">
      <h3 id="agency-new-title">Add an agency</h3>
      <ErrorSummary problems={problems} detail={detail} />
      <AdminTextField id="agency-new-name" label="Name" value={name} onChange={setName} problems={problems} />
      <div className={`field${kindError ? ' field-error' : ''}`}>
        <label htmlFor="agency-new-kind">Kind of agency</label>
        {kindError && (
          <p className="error-text" id="agency-new-kind-error">
            {kindError}
          </p>
        )}
        <select id="agency-new-kind" value={kind} onChange={(e) => setKind(e.target.value)} aria-invalid={Boolean(kindError)} aria-describedby={kindError ? 'agency-new-kind-error' : undefined}>
          <option value="">Choose…</option>
          {AGENCY_KINDS.map((k) => (
            <option key={k} value={k}>
              {humanise(k)}
            </option>
          ))}
        </select>
      </div>
      <AdminTextField id="agency-new-area" label="Area" value={area} onChange={setArea} problems={problems} />
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          Add agency
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Corrects an agency's name or area. */
export function EditAgencyForm({ agency, onDone, onCancel }: { agency: AdminAgency; onDone: (text: string) => void; onCancel: () => void }) {
  const [name, setName] = useState(agency.name);
  const [area, setArea] = useState(agency.area);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [detail, setDetail] = useState<string | null>(null);
  useLeaveGuard(name !== agency.name || area !== agency.area);
  const prefix = `agency-${agency.id}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: FieldProblem[] = [];
    if (!name.trim()) found.push({ fieldId: `${prefix}-name`, message: 'Name: enter the agency’s name' });
    if (!area.trim()) found.push({ fieldId: `${prefix}-area`, message: 'Area: enter the area the agency serves' });
    if (found.length === 0 && name.trim() === agency.name && area.trim() === agency.area) found.push({ fieldId: `${prefix}-name`, message: 'Nothing has changed: change the name or the area' });
    setProblems(found);
    setDetail(null);
    if (found.length > 0) return;
    const changes = { ...(name.trim() !== agency.name ? { name: name.trim() } : {}), ...(area.trim() !== agency.area ? { area: area.trim() } : {}) };
    try {
      await api(`/agencies/${agency.id}/events`, { body: { type: 'AGENCY_DETAILS_CORRECTED', changes, ...(agency.version ? { expectedVersion: agency.version } : {}) } });
      onDone(`${name.trim()} saved.`);
    } catch (err) {
      setDetail(err instanceof ApiProblem ? err.detail : 'Not saved. Try again.');
    }
  };
  return (
    <form className="action-form" noValidate onSubmit={(e) => void submit(e)} aria-labelledby={`${prefix}-title`} data-admin-form="edit-agency">
      <h3 id={`${prefix}-title`}>Correct {agency.name}</h3>
      <ErrorSummary problems={problems} detail={detail} />
      <AdminTextField id={`${prefix}-name`} label="Name" value={name} onChange={setName} problems={problems} />
      <AdminTextField id={`${prefix}-area`} label="Area" value={area} onChange={setArea} problems={problems} />
      <div className="form-actions">
        <button type="submit">Save</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
