/** The three outcome trends managers watch: waiting time, successful completion, continuity of care. */
import { ShareLineChart, type SharePoint } from './line-chart.tsx';
import type { OutcomeTrend } from './metrics-api.ts';

/** Charts for one breakdown group. */
export function TrendCharts({ trend, group }: { trend: OutcomeTrend; group: string }) {
  const waiting: SharePoint[] = trend.map(({ period, outcomes }) => {
    const row = outcomes.startedWithin21Days.rows.find((r) => r.group === group);
    return { label: period.label, value: row?.share ?? null, numerator: row?.within ?? 0, denominator: row?.started ?? 0 };
  });
  const completion: SharePoint[] = trend.map(({ period, outcomes }) => {
    const row = outcomes.successfulCompletion.rows.find((r) => r.group === group);
    return { label: period.label, value: row?.share ?? null, numerator: row?.notRepresented ?? 0, denominator: row?.inTreatment ?? 0 };
  });
  const continuity: SharePoint[] = trend.map(({ period, outcomes }) => {
    const row = outcomes.continuityOfCare.rows.find((r) => r.group === group);
    return { label: period.label, value: row?.share ?? null, numerator: row?.engagedWithin21Days ?? 0, denominator: row?.released ?? 0 };
  });
  const first = trend[0]?.outcomes;
  return (
    <>
      <div className="grid grid-3">
        <ShareLineChart id="chart-waiting" title="Started treatment within 21 days" points={waiting} target={0.98} targetLabel="about 98% nationally" />
        <ShareLineChart id="chart-completion" title="Successful completion, not re-presenting" points={completion} />
        <ShareLineChart id="chart-continuity" title="Continuity of care after release" points={continuity} target={0.75} targetLabel="national ambition 75%" />
      </div>
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
