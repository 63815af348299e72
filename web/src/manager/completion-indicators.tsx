/**
 * Successful completion as Public Health England publishes it (PHOF C19), beside its three
 * parts by the episode's substance group: C19a opiate, C19b non-opiate, C19c alcohol. Each
 * shows its share with the people counted above and below the line, how many completions
 * are still inside their six months (not in the figure yet), and what it counts.
 */
import { SUBSTANCE_GROUP_LABELS, type SubstanceGroup } from '../../../machines/codes.ts';
import { formatDate, formatPercent } from '../lib/format.ts';
import type { OutcomeMetrics } from './metrics-api.ts';

type Indicator = OutcomeMetrics['successfulCompletion']['indicators'][number];

/** Words for each indicator, as the PHOF tables name them. */
const INDICATOR_NAMES: Record<Indicator['indicator'], string> = {
  C19: 'All substances (C19)',
  C19a: 'Opiate (C19a)',
  C19b: 'Non-opiate (C19b)',
  C19c: 'Alcohol (C19c)',
};

const groupWords = (groups: readonly string[]): string =>
  groups.map((g) => SUBSTANCE_GROUP_LABELS[g as SubstanceGroup] ?? g).join(', ').toLowerCase();

/** What one indicator counts, in words, from the groups the API says it counts. */
export function indicatorDefinition(i: Indicator): string {
  const whose = i.indicator === 'C19' ? 'every episode, whatever its substance group' : `episodes whose substance group is ${groupWords(i.substanceGroups)}`;
  return `People in treatment in the period for ${whose}; of them, those whose last discharge was a successful completion and who did not return to treatment within 6 months.`;
}

/** The four indicators over the headline's scope and period. */
export function CompletionIndicators({ outcomes }: { outcomes: OutcomeMetrics }) {
  const { indicators, definition } = outcomes.successfulCompletion;
  return (
    <div className="panel" data-testid="completion-indicators">
      <h2>Successful completion by substance</h2>
      <p className="hint">
        {formatDate(outcomes.period.from)} to {formatDate(outcomes.period.to)}, the period of the headline figure. People, not journeys: a share is those who completed
        and did not return within 6 months, of everyone in treatment.
      </p>
      <div className="table-wrap">
        <table className="indicators">
          <caption className="sr-only">Successful completion, PHOF C19 and its parts C19a to C19c</caption>
          <thead>
            <tr>
              <th scope="col">Indicator</th>
              <th scope="col" className="num">
                Share
              </th>
              <th scope="col" className="num">
                Completed, not returned
              </th>
              <th scope="col" className="num">
                In treatment
              </th>
              <th scope="col" className="num">
                Still inside 6 months
              </th>
              <th scope="col">What it counts</th>
            </tr>
          </thead>
          <tbody>
            {indicators.map((i) => (
              <tr key={i.indicator} data-testid={`indicator-${i.indicator}`}>
                <th scope="row">{INDICATOR_NAMES[i.indicator]}</th>
                <td className="num" data-testid={`indicator-${i.indicator}-share`}>
                  {formatPercent(i.share)}
                </td>
                <td className="num" data-testid={`indicator-${i.indicator}-numerator`}>
                  {i.notRepresented.toLocaleString('en-GB')}
                </td>
                <td className="num" data-testid={`indicator-${i.indicator}-denominator`}>
                  {i.inTreatment.toLocaleString('en-GB')}
                </td>
                <td className="num">{i.windowOpen.toLocaleString('en-GB')}</td>
                <td className="definition">{indicatorDefinition(i)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary>How successful completion is defined</summary>
        <p className="hint">{definition}</p>
      </details>
    </div>
  );
}
