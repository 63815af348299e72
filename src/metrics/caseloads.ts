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
import { caseloadSpellsSql } from '../db/migrations/112-caseload-spell-indexes.ts';
import type { Database } from '../db/schema.ts';
import { STANDARD_DAYS } from './case-facts.ts';
import { CASELOAD } from './case-history.ts';
import { dayOf } from './days.ts';
import type { DrillDialect } from './drill-down.ts';
import { REVIEW_INTERVAL_DAYS } from './measures/deadlines.ts';
import { runningSpells } from './running-spells.ts';

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
 * and the area's waiting clocks, each carrying its journey's keyworker (migration 116), by
 * their index in (team, keyworker) order — grouped as it is ordered too, with no seek per
 * journey. A waiting clock's agency is its journey's lead agency (case-clocks.ts), never
 * moved, and a waiting clock runs only on an open journey.
 *
 * On SQLite (no statistics) both walks name their index.
 */
async function caseloadsNow(db: Kysely<Database>, dialect: DrillDialect, agencyIds: readonly string[], asOfDay: number): Promise<CaseloadRow[]> {
  const overDay = asOfDay - STANDARD_DAYS - 1;
  const sqlite = dialect === 'sqlite';
  const hint = (index: string) => (sqlite ? sql.raw(`indexed by ${index}`) : sql``);
  const open = await sql<{ lead_agency_id: string; keyworker_id: string | null; open: number | string; overdue: number | string }>`
      select c.lead_agency_id, c.keyworker_id, count(*) as open, sum(c.overdue) as overdue
      from cases c ${hint('cases_open_caseload')}
      where c.lead_agency_id in (${sql.join(agencyIds)}) and c.closed_at is null
      group by c.lead_agency_id, c.keyworker_id`.execute(db);
  const waiting = await sql<{ lead_agency_id: string; keyworker_id: string | null; waiting: number | string; late: number | string }>`
      select w.agency_id as lead_agency_id, w.keyworker_id, count(*) as waiting, sum(case when w.day <= ${overDay} then 1 else 0 end) as late
      from metric_case_clocks w ${hint('metric_case_clocks_keyworker')}
      where w.agency_id in (${sql.join(agencyIds)}) and w.metric = 'waiting'
      group by w.agency_id, w.keyworker_id`.execute(db);
  const key = (r: { lead_agency_id: string; keyworker_id: string | null }) => `${r.lead_agency_id}\u0000${r.keyworker_id ?? ''}`;
  const waits = new Map(waiting.rows.map((r) => [key(r), r]));
  return open.rows.map((r) => ({ ...r, waiting: waits.get(key(r))?.waiting ?? 0, late: waits.get(key(r))?.late ?? 0 }));
}

/** A spell of `alias` running at the end of `day` (history-reader.ts's condition, for a joined alias). */
function running(alias: string, day: number): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(`${alias}.from_day`)} <= ${day} and (${sql.ref(`${alias}.to_day`)} is null or ${sql.ref(`${alias}.to_day`)} > ${day})`;
}

/** At most this many keyworkers' ranges in one statement (8 classes each: SQLite allows 500 selects in a compound). */
const KEYWORKERS_PER_READ = 60;

/**
 * How many journeys each keyworker (and each team's unassigned) held at the end of a past
 * day: the caseload spells running then. On SQLite, each keyworker's are a few short ranges
 * of the caseload index (migration 112), one per length class, found after listing the
 * keyworkers each team's spells name (one seek each); PostgreSQL groups them itself.
 */
async function openThen(db: Kysely<Database>, sqlite: boolean, agencyIds: readonly string[], asOfDay: number, perRead = KEYWORKERS_PER_READ): Promise<Array<{ lead_agency_id: string; keyworker_id: string | null; open: number | string }>> {
  if (!sqlite) {
    const r = await sql<{ lead_agency_id: string; keyworker_id: string | null; open: number | string }>`
      select h.agency_id as lead_agency_id, nullif(h.k, '') as keyworker_id, count(*) as open from metric_case_history h
      where h.agency_id in (${sql.join(agencyIds)}) and h.metric = ${CASELOAD} and ${running('h', asOfDay)}
      group by h.agency_id, h.k`.execute(db);
    return r.rows;
  }
  const holders: Array<{ agency: string; k: string }> = [];
  for (const agency of agencyIds) {
    for (let after: string | null = null; ; ) {
      const next: { k: string } | undefined = (
        await sql<{ k: string }>`
          select h.k from metric_case_history h indexed by metric_case_history_caseload
          where h.agency_id = ${agency} and ${sql.raw(caseloadSpellsSql('h'))} and ${after === null ? sql`h.k >= ''` : sql`h.k > ${after}`}
          order by h.k limit 1`.execute(db)
      ).rows[0];
      if (!next) break;
      holders.push({ agency, k: next.k });
      after = next.k;
    }
  }
  const out: Array<{ lead_agency_id: string; keyworker_id: string | null; open: number }> = [];
  for (let i = 0; i < holders.length; i += perRead) {
    const arms = holders.slice(i, i + perRead).map((h) =>
      runningSpells({
        table: 'metric_case_history',
        index: 'metric_case_history_caseload',
        sqlite,
        select: sql`${h.agency} as agency_id, ${h.k} as k, count(*) as n`,
        where: sql`h.agency_id = ${h.agency} and h.k = ${h.k}`,
        asOfDay,
      }),
    );
    const r = await sql<{ agency_id: string; k: string; n: number }>`${sql.join(arms, sql` union all `)}`.execute(db);
    const sums = new Map<string, { lead_agency_id: string; keyworker_id: string | null; open: number }>();
    for (const row of r.rows) {
      const key = `${row.agency_id}\u0000${row.k}`;
      const hit = sums.get(key) ?? { lead_agency_id: row.agency_id, keyworker_id: row.k === '' ? null : row.k, open: 0 };
      hit.open += Number(row.n);
      sums.set(key, hit);
    }
    out.push(...[...sums.values()].filter((g) => g.open > 0));
  }
  return out;
}

/**
 * Caseloads at the end of a past day, from the history (case-history.ts): the journeys open
 * then, by the agency that led them and the keyworker who held them then; waiting and
 * overdue by the clocks running then (overdue: past the 21-day wait, a review or continuity
 * of care — the deadlines the history keeps).
 *
 * Two reads, merged here: the caseload spells running then, counted per keyworker
 * (`openThen`); and the journeys waiting or overdue then — the waiting, review and
 * continuity spells running then, by the length-class index (migration 110), far fewer —
 * each with its caseload spell then (a seek of the caseload index by journey, migration
 * 112), grouped. Rather than seeking three clocks for every journey open then.
 */
async function caseloadsThen(db: Kysely<Database>, dialect: DrillDialect, agencyIds: readonly string[], asOfDay: number, perRead?: number): Promise<CaseloadRow[]> {
  const sqlite = dialect === 'sqlite';
  const overDay = asOfDay - STANDARD_DAYS - 1;
  const agencies = sql.join(agencyIds);
  const open = await openThen(db, sqlite, agencyIds, asOfDay, perRead);
  const flagged = (metric: string, select: RawBuilder<unknown>, clockBy?: number) =>
    runningSpells({
      table: 'metric_case_history',
      index: 'metric_case_history_running',
      sqlite,
      select,
      where: sql`h.agency_id in (${agencies}) and h.metric = ${metric}${clockBy === undefined ? sql`` : sql` and h.day <= ${clockBy}`}`,
      asOfDay,
    });
  const lateWait = sql`case when h.day <= ${overDay} then 1 else 0 end`;
  const spells = sql.join(
    [
      flagged('waiting', sql`h.case_id, 1 as waiting, ${lateWait} as late, ${lateWait} as overdue`),
      flagged('review_basis', sql`h.case_id, 0 as waiting, 0 as late, 1 as overdue`, asOfDay - REVIEW_INTERVAL_DAYS - 1),
      flagged('continuity_open', sql`h.case_id, 0 as waiting, 0 as late, 1 as overdue`, overDay),
    ],
    sql` union all `,
  );
  const flags = await sql<{ lead_agency_id: string; k: string; waiting: number | string; late: number | string; overdue: number | string }>`
    select c.agency_id as lead_agency_id, c.k, sum(f.waiting) as waiting, sum(f.late) as late, sum(f.overdue) as overdue
    from (select s.case_id, max(s.waiting) as waiting, max(s.late) as late, max(s.overdue) as overdue from (${spells}) as s group by s.case_id) as f
    cross join metric_case_history c ${sqlite ? sql.raw('indexed by metric_case_history_caseload_case') : sql``}
    where c.case_id = f.case_id and ${sql.raw(caseloadSpellsSql('c'))} and ${running('c', asOfDay)} and c.agency_id in (${agencies})
    group by c.agency_id, c.k`.execute(db);
  const key = (agency: string, keyworker: string | null) => `${agency}\u0000${keyworker ?? ''}`;
  const byKey = new Map(flags.rows.map((r) => [key(r.lead_agency_id, r.k), r]));
  return open.map((r) => {
    const f = byKey.get(key(r.lead_agency_id, r.keyworker_id));
    return { ...r, overdue: f?.overdue ?? 0, waiting: f?.waiting ?? 0, late: f?.late ?? 0 };
  });
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
  at: {
    asOfDay?: number;
    past?: boolean;
    /** A past day on SQLite: keyworkers' ranges per statement (default 60, within SQLite's 500 selects; tests split smaller). */
    keyworkersPerRead?: number;
  } = {},
): Promise<{ keyworkers: KeyworkerCaseload[]; teams: TeamCaseload[] }> {
  if (agencyIds.length === 0) return { keyworkers: [], teams: [] };
  const asOfDay = at.asOfDay ?? dayOf(asOf);
  const rows = at.past ? await caseloadsThen(db, dialect, agencyIds, asOfDay, at.keyworkersPerRead) : await caseloadsNow(db, dialect, agencyIds, asOfDay);
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
