/**
 * The three outcome trends managers watch: waiting time, successful completion, continuity
 * of care — one line per group when the dashboard is broken down, each point with its
 * numerator and denominator, the current month marked as still running.
 */
import { ShareLineChart, type SharePoint, type ShareSeries } from './line-chart.tsx';
import { groupLabel } from './group-label.ts';
import type { OutcomeTrend } from './metrics-api.ts';

type Outcomes = OutcomeTrend[number]['outcomes'];

function seriesOf(trend: OutcomeTrend, groups: readonly string[], point: (o: Outcomes, group: string) => Omit<SharePoint, 'label' | 'partial'>): ShareSeries[] {
  return groups.map((group) => ({
    name: groupLabel(group),
    points: trend.map(({ period, outcomes }) => ({ label: period.label, partial: period.partial, ...point(outcomes, group) })),
  }));
}

/** Charts for the given breakdown groups (`['all']` undivided). */
export function TrendCharts({ trend, groups }: { trend: OutcomeTrend; groups: readonly string[] }) {
  const waiting = seriesOf(trend, groups, (o, g) => {
    const row = o.startedWithin21Days.rows.find((r) => r.group === g);
    return { value: row?.share ?? null, numerator: row?.within ?? 0, denominator: row?.started ?? 0 };
  });
  const completion = seriesOf(trend, groups, (o, g) => {
    const row = o.successfulCompletion.rows.find((r) => r.group === g);
    return { value: row?.share ?? null, numerator: row?.notRepresented ?? 0, denominator: row?.inTreatment ?? 0 };
  });
  const continuity = seriesOf(trend, groups, (o, g) => {
    const row = o.continuityOfCare.rows.find((r) => r.group === g);
    return { value: row?.share ?? null, numerator: row?.engagedWithin21Days ?? 0, denominator: row?.released ?? 0 };
  });
  const first = trend[0]?.outcomes;
  return (
    <>
      <div className="grid grid-3">
        <ShareLineChart id="chart-waiting" title="Started treatment within 21 days" series={waiting} target={0.98} targetLabel="about 98% nationally" />
        <ShareLineChart id="chart-completion" title="Successful completion, not re-presenting" series={completion} />
        <ShareLineChart id="chart-continuity" title="Continuity of care after release" series={continuity} target={0.75} targetLabel="national ambition 75%" />
      </div>
      <p className="hint">Each month counts its own period; the current month is still running (drawn open, “so far”) and its figure will change.</p>
      <p className="hint">
        Successful completion counts people, and a completion only once its 6 months have passed without a return to treatment anywhere: the
        last six months&apos; figures rise as their completions become final.
      </p>
      {first && (
        <details>
          <summary>How these are defined</summary>
          <dl className="facts">
            <dt>Waiting time</dt>
            <dd>{first.startedWithin21Days.definition}</dd>
            <dt>Completion</dt>
            <dd>{first.successfulCompletion.definition}</dd>
            <dt>Continuity</dt>
            <dd>{first.continuityOfCare.definition}</dd>
          </dl>
        </details>
      )}
    </>
  );
}
