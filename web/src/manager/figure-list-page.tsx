/**
 * The list behind a figure: the journeys (or referrals) a dashboard figure counts, with the
 * same scope and as-of time, oldest first, named where the manager may see the person. Its
 * total is the figure; it refreshes live as the figure does; Export gives the whole list
 * as CSV with the figure's definition in the first row.
 */
import { useState } from 'react';
import type { z } from 'zod';
import type { journeyListResponse, referralListResponse } from '../../../api/schemas/figure-lists.ts';
import { api, apiDownload, type ApiProblem } from '../lib/api-client.ts';
import { formatDate, formatDateTime, formatDays, humanise } from '../lib/format.ts';
import { useLiveEvents } from '../lib/live.tsx';
import { Link } from '../lib/router.tsx';
import { stageLabel, referralStateLabel } from '../lib/labels.ts';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, ProblemMessage } from '../components/status.tsx';
import { FIGURE_TITLES } from './figure-links.ts';
import { groupLabel } from './group-label.ts';

type JourneyList = z.infer<typeof journeyListResponse>;
type ReferralList = z.infer<typeof referralListResponse>;

const PAGE = 50;

/** The list page; `kind` says which of the two lists, `query` carries figure, stage or state, agency and as-of time. */
export function FigureListPage({ kind, query }: { kind: 'journeys' | 'referrals'; query: URLSearchParams }) {
  const figure = query.get('figure') ?? (kind === 'journeys' ? 'workInProgress' : 'referralsWaiting');
  const stage = query.get('stage') ?? undefined;
  const state = query.get('state') ?? undefined;
  const agencyId = query.get('agencyId') ?? undefined;
  const asOf = query.get('asOf') ?? undefined;
  const breakdown = query.get('breakdown') ?? undefined;
  const group = breakdown ? (query.get('group') ?? undefined) : undefined;
  const filters = { figure, stage, state, agencyId, asOf, ...(breakdown && group ? { breakdown, group } : {}) };
  const key = JSON.stringify(filters);
  // Cursors of the pages before this one, so Previous goes back exactly.
  const [pages, setPages] = useState<{ key: string; cursors: Array<string | undefined> }>({ key, cursors: [undefined] });
  const cursors = pages.key === key ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const [exportProblem, setExportProblem] = useState<ApiProblem | Error | null>(null);
  const [exporting, setExporting] = useState(false);

  const list = useResource(
    (signal) => api<JourneyList | ReferralList>(`/metrics/${kind}`, { query: { ...filters, cursor, limit: PAGE }, signal }),
    [kind, key, cursor],
  );
  useLiveEvents(['metrics.changed'], () => list.refresh(), 500);

  const title = `${FIGURE_TITLES[figure] ?? figure}${stage ? `: ${stageLabel(stage)}` : ''}${state ? `: ${referralStateLabel(state)}` : ''}${breakdown && group ? ` · ${humanise(breakdown)}: ${groupLabel(group)}` : ''}`;
  const exportCsv = async () => {
    setExporting(true);
    setExportProblem(null);
    try {
      await apiDownload(`/metrics/${kind}`, { ...filters, format: 'csv' }, `${figure}${stage ? `-${stage}` : ''}.csv`);
    } catch (err) {
      setExportProblem(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setExporting(false);
    }
  };
  const data = list.data;
  return (
    <section className="page" aria-busy={list.loading}>
      <p>
        <Link to={`/dashboard${agencyId || asOf ? `?${new URLSearchParams({ ...(agencyId ? { agencyId } : {}), ...(asOf ? { asOf } : {}) }).toString()}` : ''}`}>Back to the dashboard</Link>
      </p>
      <div className="page-head">
        <div>
          <h1 data-testid="figure-list-title">{title}</h1>
          {data && (
            <p className="muted">
              <strong data-testid="figure-list-total">{data.total.toLocaleString('en-GB')}</strong> {kind === 'journeys' ? 'journeys' : 'referrals'} · {data.area}
              {asOf ? ` · at the end of ${asOf.slice(0, 10)}` : ' · now'}
            </p>
          )}
        </div>
        <button type="button" className="secondary" onClick={() => void exportCsv()} disabled={exporting} data-testid="export-csv">
          {exporting ? 'Exporting…' : 'Export as CSV'}
        </button>
      </div>
      {exportProblem && <ProblemMessage problem={exportProblem} />}
      {list.error && <ProblemMessage problem={list.error} onRetry={list.reload} />}
      {!data && list.loading && <Loading what="Loading the list" />}
      {data && <p className="hint">{data.definition}</p>}
      {data && data.items.length === 0 && <Empty>No one is in this figure now.</Empty>}
      {data && data.items.length > 0 && (kind === 'journeys' ? <JourneyTable list={data as JourneyList} /> : <ReferralTable list={data as ReferralList} />)}
      {data && (cursors.length > 1 || data.nextCursor) && (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={cursors.length <= 1} onClick={() => setPages({ key, cursors: cursors.slice(0, -1) })}>
            Previous
          </button>
          <span className="muted">
            Page {cursors.length} of {Math.max(1, Math.ceil(data.total / PAGE))}
          </span>
          <button type="button" className="secondary" disabled={!data.nextCursor} onClick={() => data.nextCursor && setPages({ key, cursors: [...cursors, data.nextCursor] })}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}

function withheld() {
  return <span className="muted">Name withheld</span>;
}

function JourneyTable({ list }: { list: JourneyList }) {
  return (
    <div className="table-wrap">
      <table data-testid="figure-list">
        <caption className="sr-only">Journeys in this figure, longest first</caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Agency</th>
            <th scope="col">Keyworker</th>
            <th scope="col">Stage</th>
            <th scope="col">Since</th>
            <th scope="col" className="num">Days</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((j) => (
            <tr key={j.id} data-testid="figure-list-row">
              <th scope="row">{j.person ? <Link to={`/cases/${j.id}`}>{j.person.name}</Link> : withheld()}</th>
              <td>{j.agency.name}</td>
              <td>{j.keyworker?.name ?? <span className="muted">Unassigned</span>}</td>
              <td>
                {stageLabel(j.stage)}
                {j.overdue && <span className="badge badge-bad"> overdue</span>}
              </td>
              <td>{formatDate(j.since)}</td>
              <td className="num">{formatDays(j.days)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReferralTable({ list }: { list: ReferralList }) {
  return (
    <div className="table-wrap">
      <table data-testid="figure-list">
        <caption className="sr-only">Referrals in this figure, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col">Sent</th>
            <th scope="col" className="num">Waiting</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((r) => (
            <tr key={r.id} data-testid="figure-list-row">
              <th scope="row">{r.person ? <Link to={`/referrals/${r.id}`}>{r.person.name}</Link> : withheld()}</th>
              <td>{r.from.name}</td>
              <td>{r.to.name}</td>
              <td>{referralStateLabel(r.state)}</td>
              <td>{formatDateTime(r.sentAt)}</td>
              <td className="num">{formatDays(r.days)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
