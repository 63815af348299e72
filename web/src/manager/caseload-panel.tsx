/**
 * Caseloads per team and per keyworker: open journeys, overdue, waiting for a first
 * intervention and waiting past 21 days (GET /api/v1/metrics/caseloads). Good practice is
 * 40 or fewer per keyworker; larger caseloads are marked.
 */
import type { z } from 'zod';
import type { caseloadResponse } from '../../../api/schemas/figure-lists.ts';
import { Empty } from '../components/status.tsx';

type Caseloads = z.infer<typeof caseloadResponse>;

/** Caseloads above this are marked (DOMAIN.md: good practice 40 or fewer). */
const GOOD_PRACTICE = 40;

/** The caseload panel. */
export function CaseloadPanel({ data }: { data: Caseloads }) {
  return (
    <div className="panel" data-testid="caseloads">
      <h2>Teams and keyworkers</h2>
      {data.teams.length === 0 ? (
        <Empty>No open journeys.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Caseload per team and keyworker</caption>
            <thead>
              <tr>
                <th scope="col">Team / keyworker</th>
                <th scope="col" className="num">Open</th>
                <th scope="col" className="num">Overdue</th>
                <th scope="col" className="num">Waiting</th>
                <th scope="col" className="num">Waiting over 21 days</th>
              </tr>
            </thead>
            <tbody>
              {data.teams.map((t) => (
                <TeamRows key={t.agency.id} team={t} keyworkers={data.keyworkers.filter((k) => k.agency.id === t.agency.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">{data.definition}</p>
    </div>
  );
}

function TeamRows({ team, keyworkers }: { team: Caseloads['teams'][number]; keyworkers: Caseloads['keyworkers'] }) {
  return (
    <>
      <tr className="group-row">
        <th scope="row">
          {team.agency.name} <span className="muted">({team.keyworkers} keyworkers)</span>
        </th>
        <td className="num">{team.open}</td>
        <td className="num">{team.overdue}</td>
        <td className="num">{team.waiting}</td>
        <td className="num">{team.waitingOver21Days}</td>
      </tr>
      {keyworkers.map((k) => (
        <tr key={k.keyworker?.id ?? `unassigned-${team.agency.id}`}>
          <th scope="row" className="indent">
            {k.keyworker?.name ?? 'Unassigned'}
          </th>
          <td className="num">
            {k.open}
            {k.keyworker && k.open > GOOD_PRACTICE && <span className="badge badge-bad"> over {GOOD_PRACTICE}</span>}
          </td>
          <td className="num">{k.overdue}</td>
          <td className="num">{k.waiting}</td>
          <td className="num">{k.waitingOver21Days}</td>
        </tr>
      ))}
    </>
  );
}
