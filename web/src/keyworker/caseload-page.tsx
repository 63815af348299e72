/**
 * A keyworker's caseload (or, for managers and partner staff, the journeys they may see),
 * with what is due first: overdue items, then the soonest deadline. It refreshes itself
 * when a journey changes.
 */
import { api, listOf, nextCursorOf } from '../lib/api-client.ts';
import { daysBetween, formatDate, formatDays } from '../lib/format.ts';
import { stageLabel } from '../lib/labels.ts';
import { useLiveEvents } from '../lib/live.tsx';
import { personName } from '../lib/people.ts';
import { Link, navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, ProblemMessage } from '../components/status.tsx';
import type { CaseView } from './case-types.ts';
import { compareByDue, nextDue, overdueLabels } from './due-items.ts';

const STAGES = ['referred', 'screening', 'assessment', 'carePlanning', 'inTreatment', 'recoveryCheckups', 'rapidReentry', 'inCustody', 'closed'] as const;

/** The caseload page; filters live in the address. */
export function CaseloadPage({ query }: { query: URLSearchParams }) {
  const { user } = useSession();
  const isKeyworker = user?.role === 'keyworker';
  const scope = query.get('scope') ?? (isKeyworker ? 'mine' : 'all');
  const stage = query.get('stage') ?? '';
  const overdue = query.get('overdue') === 'true';
  const key = `${scope}|${stage}|${overdue}`;

  const cases = useResource(async (signal) => {
    const items: CaseView[] = [];
    let cursor: string | null = null;
    // A caseload is tens of journeys; take up to 400 so "due first" sorts the whole list.
    for (let page = 0; page < 2; page++) {
      const body: unknown = await api('/cases', {
        query: { keyworker: scope === 'mine' ? 'me' : undefined, stage: stage || undefined, overdue: overdue ? 'true' : undefined, limit: 200, cursor },
        signal,
      });
      items.push(...listOf<CaseView>(body));
      cursor = nextCursorOf(body);
      if (!cursor) break;
    }
    return { items: items.sort(compareByDue), more: cursor !== null };
  }, [key]);

  useLiveEvents(['case.changed'], () => cases.refresh(), 500);

  const setFilter = (name: string, value: string) => {
    const params = new URLSearchParams(query);
    if (value) params.set(name, value);
    else params.delete(name);
    navigate(`/caseload?${params.toString()}`);
  };

  const items = cases.data?.items ?? [];
  const overdueCount = items.filter((c) => c.overdue?.any).length;

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>{isKeyworker && scope === 'mine' ? 'My caseload' : 'Journeys'}</h1>
          {cases.data && (
            <p className="muted" data-testid="caseload-summary">
              {items.length} {items.length === 1 ? 'journey' : 'journeys'}
              {overdueCount > 0 ? `, ${overdueCount} with something overdue` : ', nothing overdue'}
              {cases.data.more ? ' (showing the first 400)' : ''}
            </p>
          )}
        </div>
        <form className="filters" aria-label="Filter journeys" onSubmit={(e) => e.preventDefault()}>
          {isKeyworker && (
            <div className="field">
              <label htmlFor="c-scope">Whose</label>
              <select id="c-scope" value={scope} onChange={(e) => setFilter('scope', e.target.value)}>
                <option value="mine">Mine</option>
                <option value="all">Everyone my agency can see</option>
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor="c-stage">Stage</label>
            <select id="c-stage" value={stage} onChange={(e) => setFilter('stage', e.target.value)}>
              <option value="">Any stage</option>
              {STAGES.map((s) => (
                <option key={s} value={s}>
                  {stageLabel(s)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="check">
              <input type="checkbox" checked={overdue} onChange={(e) => setFilter('overdue', e.target.checked ? 'true' : '')} />
              Only overdue
            </label>
          </div>
        </form>
      </div>
      {cases.error && <ProblemMessage problem={cases.error} onRetry={cases.reload} />}
      {cases.loading && <Loading what="Loading journeys" />}
      {!cases.loading && !cases.error && items.length === 0 && (
        <Empty>{scope === 'mine' ? 'No journeys are assigned to you with these filters.' : 'No journeys match these filters.'}</Empty>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="caseload">
            <caption className="sr-only">Journeys, overdue and soonest due first</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Stage</th>
                <th scope="col">Due</th>
                <th scope="col">Referred</th>
                <th scope="col" className="num">In stage</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => {
                const due = nextDue(c);
                const flags = overdueLabels(c);
                return (
                  <tr key={c.id} data-case-id={c.id}>
                    <td>
                      <Link to={`/cases/${c.id}`}>{personName(c.person)}</Link>
                    </td>
                    <td>
                      <span className="badge badge-info">{stageLabel(c.stage)}</span>
                    </td>
                    <td>
                      {flags.map((f) => (
                        <span key={f} className="badge badge-bad" style={{ marginRight: 4 }}>
                          {f}
                        </span>
                      ))}
                      {due ? (
                        <span className={flags.length ? 'muted' : undefined}>
                          {flags.length ? ' · ' : ''}
                          {due.label} {formatDate(due.dueAt)}
                        </span>
                      ) : flags.length === 0 && !c.consentsExpiring?.length ? (
                        <span className="muted">Nothing due</span>
                      ) : null}
                      {c.consentsExpiring?.map((e) => (
                        <div key={e.id} className="consent-warning">
                          <Link to={`/people/${e.personId}`} className="badge badge-warn">
                            Consent to share with {e.toAgencyName ?? `every ${String(e.toAgencyKind).replace(/_/g, ' ')}`} ends {formatDate(e.validUntil)}
                          </Link>
                        </div>
                      ))}
                    </td>
                    <td>{formatDate(c.referredOn)}</td>
                    <td className="num">{formatDays(daysBetween(c.stageEnteredAt))}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
