/**
 * The audit trail for auditors: who saw, shared or overrode what, when and why. Filters
 * live in the address (`#/audit?personId=…&flagged=true`), so a search can be shared
 * with a colleague; pages load on demand with the API's cursor.
 */
import { useState, type FormEvent } from 'react';
import { api, listOf, nextCursorOf } from '../lib/api-client.ts';
import { ApiProblem } from '../lib/api-problem.ts';
import { formatDateTime, humanise } from '../lib/format.ts';
import { AUDIT_ACTIONS, type AuditEntry } from '../../../api/schemas/audit.ts';
import { navigate } from '../lib/router.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, ProblemMessage } from '../components/status.tsx';


const FILTERS = ['personId', 'userId', 'agencyId', 'action', 'flagged', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function short(id: string | null): string {
  return id ? `${id.slice(0, 8)}…` : '—';
}

/** One detail value in words: lists joined, nested records as their own small lists. */
function DetailValue({ value }: { value: unknown }) {
  if (Array.isArray(value)) return <>{value.map((v) => (typeof v === 'string' ? humanise(v) : String(v as number))).join(', ')}</>;
  if (value && typeof value === 'object') return <DetailList detail={value as Record<string, unknown>} />;
  if (typeof value === 'boolean') return <>{value ? 'Yes' : 'No'}</>;
  // Ids in details are references, not content: shown short, the rest as written.
  if (typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(value)) return <>{short(value)}</>;
  return <>{typeof value === 'string' ? humanise(value) : String(value)}</>;
}

/** An entry's details as a list of named values, never raw JSON. */
function DetailList({ detail }: { detail: Record<string, unknown> }) {
  const entries = Object.entries(detail).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return null;
  return (
    <dl className="detail-list">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{humanise(k)}</dt>
          <dd>
            <DetailValue value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The audit page. */
export function AuditPage({ query }: { query: URLSearchParams }) {
  const filters: Filters = {};
  for (const f of FILTERS) {
    const v = query.get(f);
    if (v) filters[f] = v;
  }
  const key = JSON.stringify(filters);
  const [draft, setDraft] = useState<Filters>(filters);
  const [more, setMore] = useState<{ key: string; items: AuditEntry[]; cursor: string | null }>({ key, items: [], cursor: null });
  const [moreError, setMoreError] = useState<ApiProblem | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const toQuery = (f: Filters) => ({
    ...f,
    from: f.from ? new Date(`${f.from}T00:00:00Z`).toISOString() : undefined,
    to: f.to ? new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000).toISOString() : undefined,
    limit: 50,
  });

  const page = useResource(async (signal) => {
    const body = await api<unknown>('/audit', { query: toQuery(filters), signal });
    return { items: listOf<AuditEntry>(body), cursor: nextCursorOf(body) };
  }, [key]);

  const extra = more.key === key ? more.items : [];
  const cursor = more.key === key && more.items.length > 0 ? more.cursor : (page.data?.cursor ?? null);
  const items = [...(page.data?.items ?? []), ...extra];

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(draft)) if (v) params.set(k, v.trim());
    navigate(`/audit${params.toString() ? `?${params.toString()}` : ''}`);
  };

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const body = await api<unknown>('/audit', { query: { ...toQuery(filters), cursor } });
      setMore({ key, items: [...extra, ...listOf<AuditEntry>(body)], cursor: nextCursorOf(body) });
    } catch (err) {
      if (err instanceof ApiProblem) setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const set = (k: keyof Filters, v: string) => setDraft((d) => ({ ...d, [k]: v || undefined }));

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>Audit trail</h1>
          <p className="muted">Every read of personal data, every share and every override, newest first.</p>
        </div>
      </div>
      <form className="panel filters" onSubmit={apply} aria-label="Filter the audit trail">
        <div className="field">
          <label htmlFor="a-person">Person id</label>
          <input id="a-person" value={draft.personId ?? ''} onChange={(e) => set('personId', e.target.value)} size={38} />
        </div>
        <div className="field">
          <label htmlFor="a-user">User id</label>
          <input id="a-user" value={draft.userId ?? ''} onChange={(e) => set('userId', e.target.value)} size={38} />
        </div>
        <div className="field">
          <label htmlFor="a-action">Action</label>
          <select id="a-action" value={draft.action ?? ''} onChange={(e) => set('action', e.target.value)}>
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {humanise(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="a-from">From</label>
          <input id="a-from" type="date" value={draft.from ?? ''} onChange={(e) => set('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="a-to">To</label>
          <input id="a-to" type="date" value={draft.to ?? ''} onChange={(e) => set('to', e.target.value)} />
        </div>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={draft.flagged === 'true'} onChange={(e) => set('flagged', e.target.checked ? 'true' : '')} />
            Flagged for review only
          </label>
        </div>
        <div className="form-actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft({});
              navigate('/audit');
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {page.error && <ProblemMessage problem={page.error} onRetry={page.reload} />}
      {page.loading && <Loading what="Loading the audit trail" />}
      {!page.loading && !page.error && items.length === 0 && <Empty>No audit entries match these filters.</Empty>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="audit-table">
            <caption className="sr-only">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When (UK time)</th>
                <th scope="col">Action</th>
                <th scope="col">User</th>
                <th scope="col">Person</th>
                <th scope="col">Record</th>
                <th scope="col">Purpose and detail</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{formatDateTime(e.at)}</td>
                  <td>
                    {humanise(e.action)} {e.flagged && <span className="badge badge-bad">Flagged</span>}
                  </td>
                  <td>
                    {e.userId ? (
                      <button type="button" className="link" onClick={() => navigate(`/audit?userId=${e.userId}`)} aria-label={`Show entries by ${e.userName ?? 'this user'}`}>
                        {e.userName ?? short(e.userId)}
                      </button>
                    ) : (
                      'System'
                    )}
                    {e.agencyName && <div className="muted">{e.agencyName}</div>}
                  </td>
                  <td title={e.personId ?? undefined}>
                    {e.personId ? (
                      <button type="button" className="link" onClick={() => navigate(`/audit?personId=${e.personId}`)} aria-label={`Show entries about person ${e.personId}`}>
                        {short(e.personId)}
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {humanise(e.entityType)} <span className="muted">{short(e.entityId)}</span>
                  </td>
                  <td>
                    {e.purpose && <strong>{e.purpose}. </strong>}
                    <DetailList detail={e.detail} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ProblemMessage problem={moreError} />
      {cursor && (
        <p>
          <button type="button" className="secondary" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Show older entries'}
          </button>
        </p>
      )}
    </section>
  );
}
