/**
 * Outcome measures over a period: starts within 21 days of referral (episodes), successful
 * completion without re-presentation within 6 months (PHOF C19, people), by substance group
 * (C19a–c), continuity of care within 21 days of release (releases), re-presentations and
 * deaths in treatment (people). See definitions.ts for each rule and its counting unit.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { REPRESENTATION_WINDOW_DAYS, STANDARD_DAYS } from '../case-facts.ts';
import { readSums, sumBy, type SumRow } from '../count-reader.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import { asOfDayOf, type MeasureQuery } from './measure-query.ts';

/** One row of the successful-completion figure (people). */
export interface CompletionRow {
  group: string;
  inTreatment: number;
  completedSuccessfully: number;
  representedWithin6Months: number;
  notRepresented: number;
  windowOpen: number;
  windowOpenShare: number | null;
  share: number | null;
}

/** The PHOF indicators and the episode substance groups each counts (NDTMS substance groups). */
const PHOF_INDICATORS = [
  // Every person in treatment, whatever their episodes' group (recorded or not).
  { indicator: 'C19', substanceGroups: ['opiate', 'non_opiate_only', 'non_opiate_and_alcohol', 'alcohol_only'] },
  { indicator: 'C19a', substanceGroups: ['opiate'] },
  { indicator: 'C19b', substanceGroups: ['non_opiate_only', 'non_opiate_and_alcohol'] },
  { indicator: 'C19c', substanceGroups: ['alcohol_only'] },
] as const;

export interface Outcomes {
  startedWithin21Days: { definition: string; rows: Array<{ group: string; started: number; within: number; share: number | null }> };
  successfulCompletion: {
    definition: string;
    rows: CompletionRow[];
    /** PHOF C19 (everyone) and C19a–c (by the episodes' substance group), whatever the breakdown asked. */
    indicators: Array<CompletionRow & { indicator: string; substanceGroups: string[] }>;
  };
  continuityOfCare: {
    definition: string;
    rows: Array<{ group: string; released: number; engagedWithin21Days: number; engagedLater: number; awaiting: number; share: number | null }>;
  };
  representations: { definition: string; rows: Array<{ group: string; count: number }> };
  deathsInTreatment: { definition: string; rows: Array<{ group: string; deaths: number; inTreatment: number }> };
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** Outcomes for the period `q.fromDay`–`q.toDay`, as known at `q.asOf`. */
export async function outcomes(db: MetricsDb, q: MeasureQuery): Promise<Outcomes> {
  const asOfDay = asOfDayOf(q);
  const base = { agencyIds: q.agencyIds, dim: q.dim };
  // Episode and release figures from the counters (each summed in the database); the
  // people figures from the person-level episode rows, once by the breakdown asked and
  // once by PHOF indicator.
  const [period, awaiting, people, byIndicator] = await Promise.all([
    readSums(db, { ...base, metrics: ['started', 'release', 'engaged'], dayFrom: q.fromDay, dayTo: q.toDay }),
    readSums(db, { ...base, metrics: ['continuity_open'], dayFrom: Math.max(q.fromDay, asOfDay - STANDARD_DAYS), dayTo: q.toDay }),
    personOutcomes(db, q, asOfDay, q.dim === 'all' ? sql<string>`'all'` : sql<string>`${sql.ref(q.dim)}`),
    personOutcomes(db, q, asOfDay, INDICATOR_OF_EPISODE),
  ]);
  const byGroup = (rows: SumRow[], metric: string, k?: string): Map<string, number> =>
    sumBy(rows.filter((r) => r.metric === metric && (k === undefined || r.k === k)), (r) => r.value);
  const startedAll = byGroup(period, 'started');
  const startedWithin = byGroup(period, 'started', 'within');
  const released = byGroup(period, 'release');
  const within = byGroup(period, 'engaged', 'within');
  const later = byGroup(period, 'engaged', 'beyond');
  const waiting = byGroup(awaiting, 'continuity_open');

  const groups = (...maps: Array<Map<string, unknown>>): string[] => [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  const get = (m: Map<string, number>, g: string): number => m.get(g) ?? 0;
  const completion = (p: PersonCounts | undefined, group: string): CompletionRow => {
    const c = p ?? EMPTY;
    return {
      group,
      inTreatment: c.inTreatment,
      completedSuccessfully: c.completed,
      representedWithin6Months: c.represented,
      notRepresented: c.notRepresented,
      windowOpen: c.windowOpen,
      windowOpenShare: ratio(c.windowOpen, c.completed),
      share: ratio(c.notRepresented, c.inTreatment),
    };
  };
  const everyone = await (q.dim === 'all' ? Promise.resolve(people) : personOutcomes(db, q, asOfDay, sql<string>`'all'`));

  return {
    startedWithin21Days: {
      definition: FIGURE_DEFINITIONS.startedWithin21Days,
      rows: groups(startedAll).map((group) => ({
        group,
        started: get(startedAll, group),
        within: get(startedWithin, group),
        share: ratio(get(startedWithin, group), get(startedAll, group)),
      })),
    },
    successfulCompletion: {
      definition: FIGURE_DEFINITIONS.successfulCompletion,
      rows: groups(people).filter((g) => hasCompletionFigures(people.get(g))).map((group) => completion(people.get(group), group)),
      indicators: PHOF_INDICATORS.map(({ indicator, substanceGroups }) => ({
        indicator,
        substanceGroups: [...substanceGroups],
        ...completion(indicator === 'C19' ? everyone.get('all') : byIndicator.get(indicator), indicator),
      })),
    },
    continuityOfCare: {
      definition: FIGURE_DEFINITIONS.continuityOfCare,
      rows: groups(released).map((group) => ({
        group,
        released: get(released, group),
        engagedWithin21Days: get(within, group),
        engagedLater: get(later, group),
        awaiting: get(waiting, group),
        share: ratio(get(within, group), get(released, group)),
      })),
    },
    representations: {
      definition: FIGURE_DEFINITIONS.representations,
      rows: groups(people).filter((g) => (people.get(g)?.representations ?? 0) > 0).map((group) => ({ group, count: people.get(group)?.representations ?? 0 })),
    },
    deathsInTreatment: {
      definition: FIGURE_DEFINITIONS.deathsInTreatment,
      rows: groups(people)
        .filter((g) => (people.get(g)?.deaths ?? 0) > 0 || (people.get(g)?.inTreatment ?? 0) > 0)
        .map((group) => ({ group, deaths: people.get(group)?.deaths ?? 0, inTreatment: people.get(group)?.inTreatment ?? 0 })),
    },
  };
}

/** The people figures of one group. */
interface PersonCounts {
  inTreatment: number;
  completed: number;
  represented: number;
  notRepresented: number;
  windowOpen: number;
  deaths: number;
  representations: number;
}

const EMPTY: PersonCounts = { inTreatment: 0, completed: 0, represented: 0, notRepresented: 0, windowOpen: 0, deaths: 0, representations: 0 };

function hasCompletionFigures(c: PersonCounts | undefined): boolean {
  return c !== undefined && (c.inTreatment > 0 || c.completed > 0);
}

/** The PHOF indicator an episode counts under, by its substance group (null: no indicator beyond C19). */
const INDICATOR_OF_EPISODE = sql<string>`case substance when 'opiate' then 'C19a' when 'non_opiate_only' then 'C19b' when 'non_opiate_and_alcohol' then 'C19b' when 'alcohol_only' then 'C19c' else null end`;

/**
 * The people figures per group (`group`, an expression over an episode row: a breakdown
 * column, a PHOF indicator, or 'all'). A person counts once in each group they have an
 * episode in; see definitions.ts (successfulCompletion) for the rule of each number.
 */
async function personOutcomes(db: MetricsDb, q: MeasureQuery, asOfDay: number, group: RawBuilder<string>): Promise<Map<string, PersonCounts>> {
  const out = new Map<string, PersonCounts>();
  if (q.agencyIds.length === 0) return out;
  const counts = (g: string): PersonCounts => {
    let c = out.get(g);
    if (!c) {
      c = { ...EMPTY };
      out.set(g, c);
    }
    return c;
  };
  const episodes = db.selectFrom('metric_person_episodes').where('agency_id', 'in', q.agencyIds);
  const inPeriod = (column: 'end_day' | 'returned_day'): Expression<SqlBool> => sql<SqlBool>`${sql.ref(column)} between ${q.fromDay} and ${q.toDay}`;
  const [inTreatment, exits, deaths, returns] = await Promise.all([
    // In treatment in the period: an episode started on or before its end, not ended before its start.
    episodes
      .select([group.as('grp') as never, sql<number>`count(distinct person_key)`.as('n')])
      .where('start_day', 'is not', null)
      .where('start_day', '<=', q.toDay)
      .where((eb) => eb.or([eb('end_day', 'is', null), eb('end_day', '>=', q.fromDay)]))
      .groupBy(sql`grp`)
      .execute() as Promise<Array<{ grp: string | null; n: number | string }>>,
    // Every discharge from treatment in the period: the person's last one decides.
    episodes
      .select([group.as('grp') as never, 'person_key', 'end_day', 'successful', 'returned_day'])
      .where('start_day', 'is not', null)
      .where(inPeriod('end_day'))
      .execute() as Promise<Array<{ grp: string | null; person_key: string; end_day: number; successful: number; returned_day: number | null }>>,
    episodes
      .select([group.as('grp') as never, sql<number>`count(distinct person_key)`.as('n')])
      .where('died', '=', 1)
      .where(inPeriod('end_day'))
      .groupBy(sql`grp`)
      .execute() as Promise<Array<{ grp: string | null; n: number | string }>>,
    episodes
      .select([group.as('grp') as never, sql<number>`count(*)`.as('n')])
      .where(inPeriod('returned_day'))
      .where('returned_day', '<=', asOfDay)
      .groupBy(sql`grp`)
      .execute() as Promise<Array<{ grp: string | null; n: number | string }>>,
  ]);
  for (const r of inTreatment) if (r.grp !== null) counts(r.grp).inTreatment = Number(r.n);
  for (const r of deaths) if (r.grp !== null) counts(r.grp).deaths = Number(r.n);
  for (const r of returns) if (r.grp !== null) counts(r.grp).representations = Number(r.n);

  // The last discharge of each person in the period (per group): successful only when every
  // discharge on that day was; re-presented when a return within 182 days is known by the as-of day.
  const last = new Map<string, { grp: string; day: number; successful: boolean; returned: boolean }>();
  for (const e of exits) {
    if (e.grp === null) continue;
    const key = `${e.grp}\u0000${e.person_key}`;
    const day = Number(e.end_day);
    const successful = Number(e.successful) === 1;
    const returned = e.returned_day !== null && Number(e.returned_day) <= asOfDay;
    const seen = last.get(key);
    if (!seen || day > seen.day) last.set(key, { grp: e.grp, day, successful, returned });
    else if (day === seen.day) last.set(key, { grp: e.grp, day, successful: seen.successful && successful, returned: seen.returned || returned });
  }
  for (const l of last.values()) {
    if (!l.successful) continue;
    const c = counts(l.grp);
    c.completed += 1;
    if (l.returned) c.represented += 1;
    else if (asOfDayIsPastWindow(l.day, asOfDay)) c.notRepresented += 1;
    else c.windowOpen += 1;
  }
  return out;
}

/** True once the 182 days after a discharge on `day` have all passed by `asOfDay` (day 182 is still within). */
function asOfDayIsPastWindow(day: number, asOfDay: number): boolean {
  return asOfDay - day > REPRESENTATION_WINDOW_DAYS;
}
