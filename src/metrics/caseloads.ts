/**
 * Caseloads per keyworker and per team (the agency that leads the journeys): open
 * journeys, those overdue on any deadline, those waiting for their first intervention and
 * those waiting past 21 days. DOMAIN.md: good practice is 40 or fewer per keyworker.
 *
 * Read from the journeys themselves (open rows of the area's agencies, grouped), so the
 * cost grows with the open journeys of the scope; the overdue flag and the waiting clocks
 * are the ones the lists and the figures use.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { STANDARD_DAYS } from './case-facts.ts';
import { dayOf } from './days.ts';

/** One keyworker's caseload (or a team's unassigned journeys, `keyworker: null`). */
export interface KeyworkerCaseload {
  agency: { id: string; name: string };
  keyworker: { id: string; name: string } | null;
  open: number;
  overdue: number;
  waiting: number;
  waitingOver21Days: number;
}

/** A team's totals. */
export interface TeamCaseload {
  agency: { id: string; name: string };
  keyworkers: number;
  open: number;
  unassigned: number;
  overdue: number;
  waiting: number;
  waitingOver21Days: number;
}

/** Caseloads of the agencies in scope, largest first, as of `asOf` for the 21-day count. */
export async function caseloads(db: Kysely<Database>, agencyIds: readonly string[], asOf: string): Promise<{ keyworkers: KeyworkerCaseload[]; teams: TeamCaseload[] }> {
  if (agencyIds.length === 0) return { keyworkers: [], teams: [] };
  const overDay = dayOf(asOf) - STANDARD_DAYS - 1;
  const agencies = sql.join(agencyIds.map((a) => sql`${a}`));
  const rows = await sql<{ lead_agency_id: string; keyworker_id: string | null; open: number | string; overdue: number | string; waiting: number | string; late: number | string }>`
    select c.lead_agency_id, c.keyworker_id, count(*) as open, sum(c.overdue) as overdue,
      sum(case when w.case_id is null then 0 else 1 end) as waiting,
      sum(case when w.day <= ${overDay} then 1 else 0 end) as late
    from cases c left join metric_case_clocks w on w.case_id = c.id and w.metric = 'waiting'
    where c.lead_agency_id in (${agencies}) and c.closed_at is null
    group by c.lead_agency_id, c.keyworker_id`.execute(db);
  const names = await db.selectFrom('agencies').select(['id', 'name']).where('id', 'in', agencyIds).execute();
  const agencyName = new Map(names.map((a) => [a.id, a.name]));
  const workerIds = rows.rows.flatMap((r) => (r.keyworker_id ? [r.keyworker_id] : []));
  const workers = workerIds.length ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', workerIds).execute() : [];
  const workerName = new Map(workers.map((u) => [u.id, u.name]));
  const keyworkers = rows.rows
    .map(
      (r): KeyworkerCaseload => ({
        agency: { id: r.lead_agency_id, name: agencyName.get(r.lead_agency_id) ?? r.lead_agency_id },
        keyworker: r.keyworker_id ? { id: r.keyworker_id, name: workerName.get(r.keyworker_id) ?? 'Former member of staff' } : null,
        open: Number(r.open),
        overdue: Number(r.overdue ?? 0),
        waiting: Number(r.waiting ?? 0),
        waitingOver21Days: Number(r.late ?? 0),
      }),
    )
    .sort((a, b) => b.open - a.open || (a.keyworker?.name ?? '').localeCompare(b.keyworker?.name ?? ''));
  const teams = new Map<string, TeamCaseload>();
  for (const k of keyworkers) {
    const t = teams.get(k.agency.id) ?? { agency: k.agency, keyworkers: 0, open: 0, unassigned: 0, overdue: 0, waiting: 0, waitingOver21Days: 0 };
    if (k.keyworker) t.keyworkers += 1;
    else t.unassigned += k.open;
    t.open += k.open;
    t.overdue += k.overdue;
    t.waiting += k.waiting;
    t.waitingOver21Days += k.waitingOver21Days;
    teams.set(k.agency.id, t);
  }
  return { keyworkers, teams: [...teams.values()].sort((a, b) => b.open - a.open || a.agency.name.localeCompare(b.agency.name)) };
}

/** What the caseload table counts. */
export const CASELOAD_DEFINITION =
  'Open journeys led by each team, per keyworker (unassigned apart): overdue = past any deadline now (21-day wait, review, continuity of care, check-up); ' +
  'waiting = no first intervention yet in the current episode; waitingOver21Days = waiting since before day 21 (day 21 is within). Good practice is 40 or fewer per keyworker.';
