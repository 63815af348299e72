/**
 * A journey's contact entries on the case page: dated entries (phone, face to face, home
 * visit, letter, three-way meeting) with their author and category. Entries are never
 * changed: a correction is a new entry that names the one it corrects, and both stay.
 * Another agency sees only the categories the person agreed to share with it.
 */
import { useRef, useState, type FormEvent } from 'react';
import { CONTACT_MODES } from '../../../machines/keywork-codes.ts';
import { DATA_CATEGORIES } from '../../../machines/data-categories.ts';
import { recordContactBody } from '../../../api/schemas/keywork.ts';
import { api, ApiProblem } from '../lib/api-client.ts';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { londonToday } from '../lib/london-time.ts';
import { aboutRecord, useLiveEvents } from '../lib/live.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { ErrorSummary, type FieldProblem } from '../forms/error-summary.tsx';
import { useLeaveGuard } from '../forms/use-leave-guard.ts';
import { CATEGORY_LABELS, CONTACT_MODE_LABELS } from './keywork-labels.ts';
import type { ContactEntry, OwnSave } from './keywork-types.ts';

function ContactForm({ caseId, corrects, ownSave, onSaved, onCancel }: { caseId: string; corrects: ContactEntry | null; ownSave: OwnSave; onSaved: (c: ContactEntry) => void; onCancel: () => void }) {
  const today = londonToday();
  const [contactOn, setContactOn] = useState(corrects?.contactOn ?? today);
  const [mode, setMode] = useState<string>(corrects?.mode ?? '');
  const [category, setCategory] = useState<string>(corrects?.category ?? 'treatment_progress');
  const [summary, setSummary] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [detail, setDetail] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLeaveGuard(summary.trim() !== '');
  const errorOf = (id: string) => problems.find((p) => p.fieldId === id)?.message;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDetail(null);
    const found: FieldProblem[] = [];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(contactOn)) found.push({ fieldId: 'contact-on', message: 'Enter the date of the contact' });
    else if (contactOn > today) found.push({ fieldId: 'contact-on', message: 'The date of the contact must be today or in the past' });
    if (!mode) found.push({ fieldId: 'contact-mode', message: 'Choose how the contact was made' });
    if (!summary.trim()) found.push({ fieldId: 'contact-summary', message: 'Enter what was said or done' });
    const body = { contactOn, mode, category, summary: summary.trim(), ...(corrects ? { corrects: corrects.id } : {}) };
    if (found.length === 0 && !recordContactBody.safeParse(body).success) found.push({ fieldId: 'contact-summary', message: 'Check the entry: the summary is at most 4,000 characters' });
    setProblems(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      onSaved(await ownSave(() => api<ContactEntry>(`/cases/${caseId}/contacts`, { body })));
    } catch (err) {
      setDetail(err instanceof ApiProblem ? err.detail : 'The entry was not saved. Try again.');
    } finally {
      setBusy(false);
    }
  };

  const field = (id: string) => ({ 'aria-invalid': Boolean(errorOf(id)), 'aria-describedby': errorOf(id) ? `${id}-error` : undefined });
  const error = (id: string) => (errorOf(id) ? <p className="error-text" id={`${id}-error`}>{errorOf(id)}</p> : null);

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="contact-title" data-keywork-form="record-contact">
      <h3 id="contact-title">{corrects ? 'Correct an entry' : 'Record a contact'}</h3>
      {corrects && <p className="hint">The entry of {formatDate(corrects.contactOn)} stays on the record, marked as corrected by this one.</p>}
      <ErrorSummary problems={problems} detail={detail} />
      <div className="inline-fields">
        <div className={`field${errorOf('contact-on') ? ' field-error' : ''}`}>
          <label htmlFor="contact-on">Date of contact</label>
          {error('contact-on')}
          <input id="contact-on" type="date" max={today} value={contactOn} onChange={(e) => setContactOn(e.target.value)} {...field('contact-on')} />
        </div>
        <div className={`field${errorOf('contact-mode') ? ' field-error' : ''}`}>
          <label htmlFor="contact-mode">How</label>
          {error('contact-mode')}
          <select id="contact-mode" value={mode} onChange={(e) => setMode(e.target.value)} {...field('contact-mode')}>
            <option value="">Choose…</option>
            {CONTACT_MODES.map((m) => (
              <option key={m} value={m}>
                {CONTACT_MODE_LABELS[m]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="contact-category">About</label>
          <select id="contact-category" value={category} onChange={(e) => setCategory(e.target.value)} aria-describedby="contact-category-hint">
            {DATA_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="hint" id="contact-category-hint">
        Another agency sees an entry only if the person agreed to share this kind of information with it.
      </p>
      <div className={`field${errorOf('contact-summary') ? ' field-error' : ''}`}>
        <label htmlFor="contact-summary">What was said or done</label>
        {error('contact-summary')}
        <textarea id="contact-summary" rows={3} maxLength={4000} value={summary} onChange={(e) => setSummary(e.target.value)} {...field('contact-summary')} />
      </div>
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save entry'}
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The contacts panel. */
export function ContactsPanel({ caseId, canWrite, staffName, ownSave }: { caseId: string; canWrite: boolean; staffName: (id: string | null) => string; ownSave: OwnSave }) {
  const list = useResource(async (signal) => (await api<{ items: ContactEntry[] }>(`/cases/${caseId}/contacts`, { signal })).items, [caseId]);
  const [form, setForm] = useState<{ corrects: ContactEntry | null } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useLiveEvents(
    ['case.changed'],
    () => list.refresh(),
    300,
    aboutRecord(caseId),
  );
  const byId = new Map((list.data ?? []).map((c) => [c.id, c]));

  return (
    <div className="panel" data-testid="contacts">
      <h2>Contacts and notes</h2>
      {notice && (
        <div ref={noticeRef} tabIndex={-1}>
          <Notice>
            <span data-testid="contacts-notice">{notice}</span>
          </Notice>
        </div>
      )}
      {list.error && <ProblemMessage problem={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading contacts" />}
      {list.data && list.data.length === 0 && <p className="muted">No contacts recorded.</p>}
      {list.data && list.data.length > 0 && (
        <ul className="record-list">
          {list.data.map((c) => (
            <li key={c.id} data-contact={c.id} className={c.correctedBy ? 'corrected' : undefined}>
              <div>
                <strong>{formatDate(c.contactOn)}</strong> · {CONTACT_MODE_LABELS[c.mode]} · <span className="badge">{CATEGORY_LABELS[c.category as keyof typeof CATEGORY_LABELS] ?? c.category}</span>
                {c.correctedBy && <span className="badge badge-warn"> Corrected by a later entry</span>}
              </div>
              <p className="note-text">{c.summary}</p>
              <div className="muted">
                {staffName(c.authorId)}, {formatDateTime(c.recordedAt)}
                {c.corrects ? ` · corrects the entry of ${formatDate(byId.get(c.corrects)?.contactOn ?? null)}` : ''}
              </div>
              {canWrite && !c.correctedBy && !form && (
                <button type="button" className="link" onClick={() => setForm({ corrects: c })} aria-label={`Correct the entry of ${formatDate(c.contactOn)}`}>
                  Correct this entry
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && !form && (
        <button type="button" className="secondary" onClick={() => setForm({ corrects: null })}>
          Record a contact
        </button>
      )}
      {form && (
        <ContactForm
          caseId={caseId}
          corrects={form.corrects}
          ownSave={ownSave}
          onCancel={() => setForm(null)}
          onSaved={(c) => {
            setForm(null);
            setNotice(`${CONTACT_MODE_LABELS[c.mode]} on ${formatDate(c.contactOn)} recorded.`);
            list.refresh();
            requestAnimationFrame(() => noticeRef.current?.focus());
          }}
        />
      )}
    </div>
  );
}
