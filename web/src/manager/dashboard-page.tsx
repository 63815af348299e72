/**
 * The manager's live dashboard: the pathway as a diagram with people and waits per
 * stage, deadline breaches, successful completion with C19a–c, outcome trends and
 * referrals waiting per agency. It listens on the socket: the stage counts a message
 * carries go on screen at once, then the measures it names are refetched (at most a few
 * times a second).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { DIMENSIONS } from '../../../machines/measure-dimensions.ts';
import { api, listOf } from '../lib/api-client.ts';
import { formatDateTime, formatPercent, humanise } from '../lib/format.ts';
import { useLiveEvents, useLiveStatus } from '../lib/live.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Loading, ProblemMessage } from '../components/status.tsx';
import { Link } from '../lib/router.tsx';
import { BreachesPanel, type LiveBreach } from './breaches-panel.tsx';
import { CaseloadPanel } from './caseload-panel.tsx';
import { CompletionIndicators } from './completion-indicators.tsx';
import { groupLabel } from './group-label.ts';
import { journeysPath, referralsPath, type FigureScope } from './figure-links.ts';
import { lastMonths, loadCaseloads, loadLiveMetrics, loadOutcomeTrend, type LiveMetrics, type MetricsFilter } from './metrics-api.ts';
import { PathwayDiagram, type StageFigures } from './pathway-diagram.tsx';
import { ReferralsWaitingPanel } from './referrals-waiting-panel.tsx';
import { TrendCharts } from './trend-charts.tsx';

interface Agency {
  id: string;
  name: string;
  kind: string;
  area: string;
}

/** Stage figures for one breakdown group from the live measures (breaches are known undivided only). */
function stageFigures(m: LiveMetrics, group: string): Record<string, StageFigures> {
  const out: Record<string, StageFigures> = {};
  const blank = (): StageFigures => ({ count: 0, medianDays: null, p90Days: null, breaches: group === 'all' ? 0 : null });
  for (const row of m.wip.workInProgress.rows) {
    if (row.group !== group) continue;
    (out[row.stage] ??= blank()).count += row.count;
  }
  for (const row of m.timeInStage.timeInStage.rows) {
    if (row.group !== group) continue;
    const f = (out[row.stage] ??= { ...blank(), count: row.count });
    f.medianDays = row.medianDays;
    f.p90Days = row.p90Days;
  }
  if (group === 'all') {
    for (const row of m.stageBreaches.rows) {
      const f = (out[row.stage] ??= blank());
      f.breaches = (f.breaches ?? 0) + row.count;
    }
  }
  return out;
}

/** The area's open journeys as `metrics.changed` carries them (docs/ARCHITECTURE.md, "Live updates"). */
interface LiveWorkInProgress {
  total: number;
  byStage: Record<string, number>;
  byAgency: Array<{ agencyId: string; stage: string; count: number }>;
}

function liveWorkInProgressOf(payload: unknown): LiveWorkInProgress | null {
  const wip = payload && typeof payload === 'object' ? (payload as { workInProgress?: unknown }).workInProgress : undefined;
  if (!wip || typeof wip !== 'object') return null;
  const w = wip as Partial<LiveWorkInProgress>;
  return typeof w.total === 'number' && w.byStage && Array.isArray(w.byAgency) ? (w as LiveWorkInProgress) : null;
}

/**
 * The measures with the stage counts of the newest `metrics.changed` laid over them, where
 * the message is newer than the answer (`at` counts messages; an answer fetched after
 * message N holds at least its changes). Only for "now": a past day does not move. The
 * message is undivided, so the drawing takes it only with no breakdown chosen; the open
 * journeys headline always.
 */
function withLiveCounts(data: LiveMetrics, live: { at: number; wip: LiveWorkInProgress } | null, filter: MetricsFilter): LiveMetrics {
  if (!live || filter.asOf) return data;
  const byStage: Record<string, number> = {};
  if (filter.agencyId) {
    for (const r of live.wip.byAgency) if (r.agencyId === filter.agencyId) byStage[r.stage] = (byStage[r.stage] ?? 0) + r.count;
  } else {
    Object.assign(byStage, live.wip.byStage);
  }
  const total = Object.values(byStage).reduce((a, b) => a + b, 0);
  let out = data;
  if (live.at > data.fetchedAt.summary) {
    out = { ...out, summary: { ...out.summary, workInProgress: { ...out.summary.workInProgress, total, byStage } } };
  }
  if (live.at > data.fetchedAt.wip && filter.breakdown === 'all') {
    const w = out.wip.workInProgress;
    const rows = [...w.rows.filter((r) => r.group !== 'all'), ...Object.entries(byStage).map(([stage, count]) => ({ stage, group: 'all', count }))];
    const byAgency = filter.agencyId ? live.wip.byAgency.filter((r) => r.agencyId === filter.agencyId) : live.wip.byAgency;
    out = { ...out, wip: { ...out.wip, workInProgress: { ...w, total, rows, byAgency } } };
  }
  return out;
}

const HEADLINES = [
  { key: 'waitingOver21Days', label: 'Waiting over 21 days', kind: 'count', bad: true, list: 'journeys' },
  { key: 'reviewsOverdue', label: 'Reviews overdue', kind: 'count', bad: true, list: 'journeys' },
  { key: 'continuityOver21Days', label: 'Released, not engaged after 21 days', kind: 'count', bad: true, list: 'journeys' },
  { key: 'referralsNotAcknowledged', label: 'Referrals not acknowledged in time', kind: 'count', bad: true, list: 'referrals' },
  { key: 'startedWithin21Days', label: 'Started within 21 days', kind: 'share', bad: false },
  { key: 'successfulCompletion', label: 'Successful completion (PHOF C19)', kind: 'share', bad: false },
  { key: 'continuityOfCare', label: 'Continuity of care within 21 days', kind: 'share', bad: false },
  { key: 'representations', label: 'Re-presentations (12 months)', kind: 'count', bad: false },
] as const;

/**
 * A calendar day as an as-of time: the API reads "where were people at the end of that day"
 * in the service's calendar (Europe/London), so any instant of the day names it; midday UTC
 * is that day in London summer and winter alike (23:59 UTC is the next day in summer).
 */
function endOfDay(date: string): string {
  return `${date}T12:00:00.000Z`;
}

/** The dashboard page; `query` may carry `agencyId` and `asOf` (a list's back link does). */
export function DashboardPage({ query }: { query?: URLSearchParams } = {}) {
  const [breakdown, setBreakdown] = useState<string>('all');
  const [group, setGroup] = useState<string>('all');
  const [agencyId, setAgencyId] = useState<string>(query?.get('agencyId') ?? '');
  const [asOfDate, setAsOfDate] = useState<string>((query?.get('asOf') ?? '').slice(0, 10));
  const asOf = asOfDate ? endOfDay(asOfDate) : undefined;
  const scope: FigureScope = { agencyId: agencyId || undefined, asOf };
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  const [breaches, setBreaches] = useState<LiveBreach[]>([]);
  const live = useLiveStatus();
  const filter: MetricsFilter = useMemo(() => ({ breakdown, ...(agencyId ? { agencyId } : {}), ...(asOf ? { asOf } : {}) }), [breakdown, agencyId, asOf]);
  const months = useMemo(() => lastMonths(6), []);

  // Live messages received (the order of answers against messages), the measures they said
  // moved since the last load began ('all' after a reconnect), and the newest stage counts.
  const messages = useRef(0);
  const moved = useRef<Set<string> | 'all'>('all');
  const lastLoad = useRef<{ filter: MetricsFilter; data: LiveMetrics } | null>(null);
  const [liveWip, setLiveWip] = useState<{ at: number; wip: LiveWorkInProgress } | null>(null);
  const metrics = useResource(async (signal) => {
    const started = messages.current;
    const measures = moved.current;
    moved.current = new Set();
    const last = lastLoad.current;
    // Same filters as the answer on screen: fetch only what moved; otherwise everything.
    const refresh = last && last.filter === filter && measures !== 'all' ? { previous: last.data, measures } : undefined;
    try {
      const data = await loadLiveMetrics(filter, signal, refresh, started);
      lastLoad.current = { filter, data };
      return data;
    } catch (err) {
      moved.current = 'all';
      throw err;
    }
  }, [filter]);
  const shown = useMemo(() => (metrics.data ? withLiveCounts(metrics.data, liveWip, filter) : undefined), [metrics.data, liveWip, filter]);
  const trend = useResource((signal) => loadOutcomeTrend(filter, months, signal), [filter, months]);
  const agencies = useResource(async (signal) => listOf<Agency>(await api('/agencies', { signal })), []);
  const loads = useResource((signal) => loadCaseloads(filter, signal), [filter]);

  // Flash the stages whose figures moved since the last fetch.
  const previous = useRef<Record<string, StageFigures> | null>(null);
  const effectiveGroup = breakdown === 'all' ? 'all' : group;
  const figures = useMemo(() => (shown ? stageFigures(shown, effectiveGroup) : {}), [shown, effectiveGroup]);
  // The drawing shows one group's figures when broken down, so its stages open that group's list.
  const groupScope: FigureScope = breakdown === 'all' ? scope : { ...scope, breakdown, group: effectiveGroup };
  useEffect(() => {
    if (!shown) return;
    setUpdatedAt(new Date());
    const before = previous.current;
    previous.current = figures;
    if (!before) return;
    const moved = new Set(Object.keys({ ...before, ...figures }).filter((s) => before[s]?.count !== figures[s]?.count || before[s]?.medianDays !== figures[s]?.medianDays));
    if (moved.size === 0) return;
    setChanged(moved);
    const t = setTimeout(() => setChanged(new Set()), 1500);
    return () => clearTimeout(t);
  }, [shown, figures]);

  // The server coalesces `metrics.changed` per area; a refetch already running absorbs more.
  // No delay of our own: the server already sends at most one per area per 250 ms, and a
  // refresh asked for while one runs is folded into one more. The stage counts the message
  // carries go on screen at once; the refetch brings the waits and breaches after them.
  useLiveEvents(
    ['metrics.changed'],
    (_name, payload) => {
      messages.current += 1;
      const named = payload && typeof payload === 'object' ? (payload as { measures?: unknown }).measures : undefined;
      const wip = liveWorkInProgressOf(payload);
      // Undivided and now, the message's counts are all `GET /metrics/wip` would answer: not fetched again.
      const covered = wip && filter.breakdown === 'all' && !filter.asOf ? 'wip' : null;
      if (Array.isArray(named) && moved.current !== 'all') {
        for (const m of named) if (m !== covered) moved.current.add(String(m));
      } else moved.current = 'all';
      if (wip) setLiveWip({ at: messages.current, wip });
      metrics.refresh();
    },
    0,
  );
  useLiveEvents(['metrics.changed'], () => trend.refresh(), 3000);
  useLiveEvents(['metrics.changed'], () => loads.refresh(), 1000);
  useLiveEvents(
    ['deadline.breached'],
    (_name, payload) => {
      if (payload && typeof payload === 'object' && !('reconnected' in payload)) {
        setBreaches((list) => [{ receivedAt: new Date(), payload: payload as Record<string, unknown> }, ...list].slice(0, 20));
      }
      metrics.refresh();
    },
    0,
  );

  const groups = useMemo(() => {
    if (!shown || breakdown === 'all') return [];
    return [...new Set(shown.wip.workInProgress.rows.map((r) => r.group))].filter((g) => g !== 'all').sort();
  }, [shown, breakdown]);
  // Side by side in the trends: the six largest groups (by open journeys).
  const trendGroups = useMemo(() => {
    if (!shown || breakdown === 'all') return ['all'];
    const size = new Map<string, number>();
    for (const r of shown.wip.workInProgress.rows) if (r.group !== 'all') size.set(r.group, (size.get(r.group) ?? 0) + r.count);
    return [...size.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 6).map(([g]) => g);
  }, [shown, breakdown]);
  useEffect(() => {
    if (breakdown !== 'all' && groups.length > 0 && !groups.includes(group)) setGroup(groups[0] ?? 'all');
  }, [breakdown, groups, group]);

  const agencyName = (id: string) => agencies.data?.find((a) => a.id === id)?.name ?? 'Unknown agency';
  const areaAgencies = (agencies.data ?? []).filter((a) => !shown || a.area === shown.summary.area);
  const summary = shown?.summary;
  const c19 = shown?.outcomes.successfulCompletion.indicators.find((i) => i.indicator === 'C19');

  return (
    <section className="page" aria-busy={metrics.loading}>
      <div className="page-head">
        <div>
          <h1>Pathway dashboard</h1>
          <p className="muted">
            {shown ? `${shown.summary.area} · ` : ''}
            <span className="updated" data-testid="dashboard-updated" aria-live="off">
              {updatedAt ? `Updated ${formatDateTime(updatedAt.toISOString())} UTC` : 'Loading figures'}
              {live === 'live' ? ' · updating live' : live === 'offline' ? ' · live updates paused, reconnecting' : ''}
            </span>
          </p>
        </div>
        <form className="filters" aria-label="Breakdown filters" onSubmit={(e) => e.preventDefault()}>
          <div className="field">
            <label htmlFor="f-breakdown">Break down by</label>
            <select id="f-breakdown" value={breakdown} onChange={(e) => setBreakdown(e.target.value)}>
              {DIMENSIONS.map((d) => (
                <option key={d} value={d}>
                  {d === 'all' ? 'Everyone' : humanise(d)}
                </option>
              ))}
            </select>
          </div>
          {breakdown !== 'all' && (
            <div className="field">
              <label htmlFor="f-group">Show</label>
              <select id="f-group" value={group} onChange={(e) => setGroup(e.target.value)}>
                {groups.map((g) => (
                  <option key={g} value={g}>
                    {groupLabel(g)}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor="f-asof">As at the end of</label>
            <input
              id="f-asof"
              type="date"
              value={asOfDate}
              max={new Date().toISOString().slice(0, 10)}
              onChange={(e) => setAsOfDate(e.target.value)}
              aria-describedby="f-asof-hint"
            />
            <span id="f-asof-hint" className="hint">
              {asOfDate ? (
                <button type="button" className="link" onClick={() => setAsOfDate('')}>
                  Back to now
                </button>
              ) : (
                'Now; pick a past day to see where people were at its end'
              )}
            </span>
          </div>
          <div className="field">
            <label htmlFor="f-agency">Agency</label>
            <select id="f-agency" value={agencyId} onChange={(e) => setAgencyId(e.target.value)}>
              <option value="">Whole area</option>
              {areaAgencies.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
        </form>
      </div>

      {metrics.error && <ProblemMessage problem={metrics.error} onRetry={metrics.reload} />}
      {!shown && metrics.loading && <Loading what="Loading live figures" />}

      {summary && (
        <div className="stat-row" data-testid="headline-figures">
          <Link className="stat stat-link" to={journeysPath('workInProgress', scope)} title={summary.workInProgress.definition}>
            <div className="label">Open journeys</div>
            <div className="value" data-testid="wip-total">
              {summary.workInProgress.total.toLocaleString('en-GB')}
            </div>
          </Link>
          {HEADLINES.map((h) => {
            const fig = summary[h.key];
            const v = fig.value;
            const body = (
              <>
                <div className="label">{h.label}</div>
                <div className="value" data-testid={`headline-${h.key}`} style={h.bad && v ? { color: 'var(--bad)' } : undefined}>
                  {h.kind === 'share' ? formatPercent(v) : (v ?? 0).toLocaleString('en-GB')}
                </div>
                {h.key === 'successfulCompletion' && c19 && (
                  <p className="def" data-testid="headline-successfulCompletion-of">
                    {c19.notRepresented.toLocaleString('en-GB')} of {c19.inTreatment.toLocaleString('en-GB')} people; by substance below
                  </p>
                )}
              </>
            );
            if ('list' in h) {
              const to = h.list === 'journeys' ? journeysPath(h.key, scope) : referralsPath(h.key, scope);
              return (
                <Link className="stat stat-link" key={h.key} to={to} title={fig.definition} data-testid={`headline-link-${h.key}`}>
                  {body}
                </Link>
              );
            }
            return (
              <div className="stat" key={h.key} title={fig.definition}>
                {body}
              </div>
            );
          })}
        </div>
      )}
      {shown && <CompletionIndicators outcomes={shown.outcomes} />}

      {shown && (
        <>
          <div className="panel">
            <h2>Where people are now{breakdown !== 'all' ? ` · ${humanise(breakdown)}: ${groupLabel(effectiveGroup)}` : ''}</h2>
            <PathwayDiagram figures={figures} changed={changed} stageHref={(stage: string) => `#${journeysPath('workInProgress', groupScope, stage)}`} />
            <p className="hint">{shown.timeInStage.timeInStage.definition}</p>
          </div>
          <div className="grid grid-2">
            <BreachesPanel deadlines={shown.deadlines} group={effectiveGroup} agencyName={agencyName} live={breaches} scope={scope} />
            <ReferralsWaitingPanel data={shown.referralsWaiting} group={effectiveGroup} agencyName={agencyName} scope={scope} />
          </div>
        </>
      )}

      {loads.error && <ProblemMessage problem={loads.error} onRetry={loads.reload} />}
      {loads.data && <CaseloadPanel data={loads.data} />}

      <div className="panel">
        <h2>Outcomes over the last six months</h2>
        {trend.error && <ProblemMessage problem={trend.error} onRetry={trend.reload} />}
        {!trend.data && trend.loading && <Loading what="Loading outcome trends" />}
        {breakdown !== 'all' && <p className="hint">The {trendGroups.length} largest groups by {humanise(breakdown).toLowerCase()}, side by side.</p>}
        {trend.data && <TrendCharts trend={trend.data} groups={trendGroups} />}
      </div>
    </section>
  );
}
