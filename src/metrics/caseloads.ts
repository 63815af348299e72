/**
 * Caseloads per keyworker and per team (the agency that leads the journeys): open
 * journeys, those overdue on any deadline, those waiting for their first intervention and
 * those waiting past 21 days. DOMAIN.md: good practice is 40 or fewer per keyworker.
 *
 * Read from the journeys themselves (the open journeys' index of the area's agencies,
 * grouped), so the cost grows with the open journeys of the scope; the overdue flag and the waiting clocks
 * are the ones the lists and the figures use. A past day reads the history instead: whose
 * caseload each journey was in then, and its clocks then.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';
import { STANDARD_DAYS } from './case-facts.ts';
import { CASELOAD } from './case-history.ts';
import { dayOf } from './days.ts';
import type { DrillDialect } from './drill-down.ts';
import { historyIndex } from './history-reader.ts';
import { REVIEW_INTERVAL_DAYS } from './measures/deadlines.ts';
import { metricsDb } from './metric-tables.ts';

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

type CaseloadRow = { lead_agency_id: string; keyworker_id: string | null; open: number | string; overdue: number | string; waiting: number | string; late: number | string };

/**
 * Today's caseloads: the open journeys themselves, their overdue flag and waiting clock. Two
 * walks, merged here: the open journeys' index (migration 105) grouped as it is ordered,
 * and the area's waiting clocks (an agency index range, far fewer) with their journeys'
 * keyworker — instead of fetching every open journey's row and seeking its waiting clock.
 * A waiting clock's agency is its journey's lead agency (case-clocks.ts), never moved.
 */
async function caseloadsNow(db: Kysely<Database>, dialect: DrillDialect, agencyIds: readonly string[], asOfDay: number): Promise<CaseloadRow[]> {
  const overDay = asOfDay - STANDARD_DAYS - 1;
  const hint = (index: string) => (dialect === 'sqlite' ? sql.raw(`indexed by ${index}`) : sql``);
  const [open, waiting] = await Promise.all([
    sql<{ lead_agency_id: string; keyworker_id: string | null; open: number | string; overdue: number | string }>`
      select c.lead_agency_id, c.keyworker_id, count(*) as open, sum(c.overdue) as overdue
      from cases c ${hint('cases_open_caseload')}
      where c.lead_agency_id in (${sql.join(agencyIds)}) and c.closed_at is null
      group by c.lead_agency_id, c.keyworker_id`.execute(db),
    sql<{ lead_agency_id: string; keyworker_id: string | null; waiting: number | string; late: number | string }>`
      select c.lead_agency_id, c.keyworker_id, count(*) as waiting, sum(case when w.day <= ${overDay} then 1 else 0 end) as late
      from metric_case_clocks w ${hint('metric_case_clocks_agency')} join cases c on c.id = w.case_id
      where w.agency_id in (${sql.join(agencyIds)}) and w.metric = 'waiting' and c.lead_agency_id = w.agency_id and c.closed_at is null
      group by c.lead_agency_id, c.keyworker_id`.execute(db),
  ]);
  const key = (r: { lead_agency_id: string; keyworker_id: string | null }) => `${r.lead_agency_id}\u0000${r.keyworker_id ?? ''}`;
  const waits = new Map(waiting.rows.map((r) => [key(r), r]));
  return open.rows.map((r) => ({ ...r, waiting: waits.get(key(r))?.waiting ?? 0, late: waits.get(key(r))?.late ?? 0 }));
}

/** A spell of `alias` running at the end of `day` (history-reader.ts's condition, for a joined alias). */
function running(alias: string, day: number): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(`${alias}.from_day`)} <= ${day} and (${sql.ref(`${alias}.to_day`)} is null or ${sql.ref(`${alias}.to_day`)} > ${day})`;
}

/**
 * Caseloads at the end of a past day, from the history (case-history.ts): the journeys open
 * then, by the agency that led them and the keyworker who held them then; waiting and
 * overdue by the clocks running then (overdue: past the 21-day wait, a review or continuity
 * of care — the deadlines the history keeps).
 */
async function caseloadsThen(db: Kysely<Database>, agencyIds: readonly string[], asOfDay: number): Promise<CaseloadRow[]> {
  const overDay = asOfDay - STANDARD_DAYS - 1;
  const joined = (alias: string, metric: string) =>
    sql`left join metric_case_history ${sql.ref(alias)} on ${sql.ref(`${alias}.case_id`)} = h.case_id and ${sql.ref(`${alias}.metric`)} = ${metric} and ${running(alias, asOfDay)}`;
  const rows = await sql<CaseloadRow>`
    select h.agency_id as lead_agency_id, nullif(h.k, '') as keyworker_id, count(*) as open,
      sum(case when w.day <= ${overDay} or r.day <= ${asOfDay - REVIEW_INTERVAL_DAYS - 1} or o.day <= ${overDay} then 1 else 0 end) as overdue,
      count(w.case_id) as waiting,
      sum(case when w.day <= ${overDay} then 1 else 0 end) as late
    from metric_case_history h ${historyIndex(metricsDb(db), agencyIds.length)}
    ${joined('w', 'waiting')} ${joined('r', 'review_basis')} ${joined('o', 'continuity_open')}
    where h.metric = ${CASELOAD} and h.agency_id in (${sql.join(agencyIds)}) and ${running('h', asOfDay)}
    group by h.agency_id, h.k`.execute(db);
  return rows.rows;
}

/** Who held each of these journeys at the end of a past day (null: nobody), as the caseloads count them. */
export async function keyworkersAt(db: Kysely<Database>, caseIds: readonly string[], asOfDay: number): Promise<Map<string, string | null>> {
  if (caseIds.length === 0) return new Map();
  const r = await sql<{ case_id: string; k: string }>`
    select h.case_id, h.k from metric_case_history h
    where h.case_id in (${sql.join(caseIds)}) and h.metric = ${CASELOAD} and ${running('h', asOfDay)}`.execute(db);
  return new Map(r.rows.map((row) => [row.case_id, row.k === '' ? null : row.k]));
}

/**
 * Caseloads of the agencies in scope, largest first, as of `asOf` for the 21-day count; on
 * a past day (`at.past`), as they stood at its end.
 */
export async function caseloads(
  db: Kysely<Database>,
  dialect: DrillDialect,
  agencyIds: readonly string[],
  asOf: string,
  at: { asOfDay?: number; past?: boolean } = {},
): Promise<{ keyworkers: KeyworkerCaseload[]; teams: TeamCaseload[] }> {
  if (agencyIds.length === 0) return { keyworkers: [], teams: [] };
  const asOfDay = at.asOfDay ?? dayOf(asOf);
  const rows = at.past ? await caseloadsThen(db, agencyIds, asOfDay) : await caseloadsNow(db, dialect, agencyIds, asOfDay);
  const names = await db.selectFrom('agencies').select(['id', 'name']).where('id', 'in', agencyIds).execute();
  const agencyName = new Map(names.map((a) => [a.id, a.name]));
  const workerIds = rows.flatMap((r) => (r.keyworker_id ? [r.keyworker_id] : []));
  const workers = workerIds.length ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', workerIds).execute() : [];
  const workerName = new Map(workers.map((u) => [u.id, u.name]));
  const keyworkers = rows
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
  'waiting = no first intervention yet in the current episode; waitingOver21Days = waiting since before day 21 (day 21 is within). Good practice is 40 or fewer per keyworker. ' +
  'On a past day: the journeys open at its end, by the team and keyworker holding them then; overdue = past the 21-day wait, a review or continuity of care then.';
