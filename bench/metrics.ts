/**
 * Measures endpoints (and the lists behind the figures) at growing scale: for each cohort size the synthetic cohort is seeded
 * (seeds/cohort.ts, which rebuilds the measures afterwards), the API is started, and every
 * `GET /api/v1/metrics/…` route is called sequentially by an area manager; we report
 * p50/p95 response time per route and size, so growth (or its absence) shows.
 *
 * Sizes (env): BENCH_METRICS_SIZES (people per cohort, comma-separated; default
 * 3300,33000,330000 — national scale takes minutes to seed; empty for none), BENCH_METRICS_REQUESTS (100
 * per route and size), BENCH_DIR (parent of the temp dirs; default the OS temp dir),
 * BENCH_METRICS_KEEP (a folder: keep each size's store there as pathways-<people>.db and
 * reuse it next time — seeding national scale takes a long while; the measures are
 * rebuilt on every run, and timed, unless BENCH_METRICS_REBUILD=0 with a kept store), BENCH_METRICS_ROUTES
 * (`lists`: only the lists behind the figures).
 *
 * Then what keeping the measures costs the engine: the same concurrent journeys (64
 * callers, BENCH_METRICS_WRITE_JOURNEYS each, 8 by default; 0 skips it) on a fresh store
 * with and without the measures attached, in the same run: transitions/s, CPU per
 * transition and pages written per transition (WAL frames; the WAL is not checkpointed
 * while it runs).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken } from '../src/auth/bearer-tokens.ts';
import { metricsRoutes } from '../api/routes/metrics-routes.ts';
import { startServer } from '../api/server.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { rebuildMetrics } from '../src/metrics/rebuild.ts';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import { attachMetrics } from '../src/metrics/attach-metrics.ts';
import { seedCohort } from '../seeds/cohort.ts';
import { loadDemoArea } from '../seeds/demo-area.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';
import { JOURNEY } from './engine.ts';

// Every route undivided and by the breakdowns and periods that cost most (as of the
// bench's 2026-11-25): a year or ten of outcomes, a year of daily or weekly flows. Flows are
// bounded by their answer: a year of weekly flows by ethnicity is some 10,000 rows.
const YEAR = 'from=2025-11-26';
const TEN_YEARS = 'from=2016-11-27';
const MONTH_END = 'asOf=2026-10-31T12:00:00.000Z';
const DIMS = ['sex', 'age_band', 'ethnicity', 'postcode_district', 'referral_source', 'substance'];
const ROUTES = [
  'summary',
  'wip',
  'wip?breakdown=ethnicity',
  'time-in-stage',
  ...DIMS.map((d) => `time-in-stage?breakdown=${d}`),
  'flow',
  'flow?breakdown=ethnicity',
  'flow?breakdown=referral_source',
  `flow?${YEAR}`,
  `flow?granularity=week&${YEAR}`,
  `flow?breakdown=ethnicity&${YEAR}`,
  `flow?breakdown=postcode_district&${YEAR}`,
  'deadlines',
  'deadlines?breakdown=postcode_district',
  'deadlines?breakdown=referral_source',
  'outcomes',
  ...DIMS.map((d) => `outcomes?breakdown=${d}`),
  `outcomes?breakdown=referral_source&${TEN_YEARS}`,
  'outcomes?breakdown=postcode_district&from=2026-10-29',
  'referrals-waiting',
  'referrals-waiting?breakdown=ethnicity',
  'referrals-waiting?breakdown=postcode_district',
  // The lists behind the figures (issue: p95 ≤ 100 ms at national scale), and the drawing's breaches.
  'journeys',
  'journeys?figure=workInProgress&stage=inTreatment',
  'journeys?figure=waitingOver21Days',
  'journeys?figure=reviewsOverdue&limit=200',
  // Where people were at the end of a past month (the history of counted states), and one breakdown cell's list.
  `summary?${MONTH_END}`,
  `journeys?figure=workInProgress&${MONTH_END}`,
  `journeys?figure=workInProgress&stage=inTreatment&${MONTH_END}`,
  `journeys?figure=waitingOver21Days&${MONTH_END}`,
  'journeys?figure=workInProgress&stage=inTreatment&breakdown=age_band&group=25-34',
];

// Every list behind a figure, today and a year back (where people were on that day, from
// the histories); the paged ones also at a later page, reached by following the cursor.
const YEAR_BACK = 'asOf=2025-11-25T12:00:00.000Z';
const PAGED_LISTS = [
  'journeys?figure=workInProgress',
  'journeys?figure=workInProgress&stage=inTreatment',
  'journeys?figure=workInProgress&stage=inTreatment&breakdown=age_band&group=25-34',
  'journeys?figure=waitingOver21Days',
  'journeys?figure=reviewsOverdue',
  'journeys?figure=continuityOver21Days',
  'referrals?figure=referralsWaiting',
  'referrals?figure=referralsNotAcknowledged',
  'referrals?figure=referralsNotContacted',
];
const WHOLE_LISTS = ['caseloads', 'stage-breaches'];
const LIST_ROUTES = [...PAGED_LISTS, ...WHOLE_LISTS].flatMap((r) => [r, `${r}${r.includes('?') ? '&' : '?'}${YEAR_BACK}`]);
const PAGES_ON = 10;

function sizesFromEnv(): number[] {
  const raw = process.env.BENCH_METRICS_SIZES ?? '3300,33000,330000';
  // Empty: only the engine's write cost.
  if (raw.trim() === '') return [];
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`BENCH_METRICS_SIZES must be positive integers, got "${raw}"`);
  return sizes;
}

async function runSize(people: number, requests: number): Promise<Figure[]> {
  const keep = process.env.BENCH_METRICS_KEEP;
  const dir = keep ?? mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-metrics-'));
  const store = await openStore(`sqlite:${join(dir, keep ? `pathways-${people}.db` : 'pathways.db')}`);
  try {
    await migrate(store);
    await loadDemoArea(store);
    process.stdout.write(`   seeding ${people.toLocaleString('en-GB')} people… `);
    const seeded = await seedCohort(store, { people, referenceDate: '2026-11-25', rebuildMetrics: false });
    // A kept store's measures are current (the seed's run rebuilt them, migrations keep them): BENCH_METRICS_REBUILD=0 skips the rebuild.
    const rebuilt = keep && process.env.BENCH_METRICS_REBUILD === '0' ? await measuresKept(store) : await rebuildMetrics(store);
    console.log(
      `${rebuilt.journeys.toLocaleString('en-GB')} journeys, ${rebuilt.events.toLocaleString('en-GB')} events` +
        `${seeded.alreadySeeded ? ' (kept from an earlier run)' : ` seeded in ${(seeded.ms / 1000).toFixed(1)} s`}; measures rebuilt in ${(rebuilt.ms / 1000).toFixed(1)} s`,
    );
    const journeys = rebuilt.journeys.toLocaleString('en-GB');
    const figures: Figure[] = [
      { name: `rebuild of the measures, ${journeys} journeys`, value: rebuilt.ms, unit: 'ms', note: `${rebuilt.events.toLocaleString('en-GB')} events replayed, ${rebuilt.counterRows.toLocaleString('en-GB')} counter rows` },
    ];

    // A manager at the agency leading most journeys reads the measures of its area.
    const busiest = await store.db
      .selectFrom('cases')
      .select(['lead_agency_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('lead_agency_id')
      .orderBy('n', 'desc')
      .executeTakeFirstOrThrow();
    const managerId = `bench-manager-${people}`;
    await store.db.deleteFrom('auth_tokens').where('user_id', '=', managerId).execute();
    await store.db.deleteFrom('users').where('id', '=', managerId).execute();
    await store.db
      .insertInto('users')
      .values({ id: managerId, email: `${managerId}@example.test`, name: 'Bench Manager', password_hash: 'x', role: 'manager', agency_id: busiest.lead_agency_id, created_at: new Date().toISOString(), disabled_at: null })
      .execute();
    const now = () => new Date('2026-11-25T12:00:00.000Z');
    const { token } = await issueToken(store.db, managerId, now(), 600);
    const engine = createEngine(store, { now });
    attachMetrics(engine);
    const server = await startServer({ store, engine, now, routes: metricsRoutes, port: 0, webDist: null });
    try {
      const routes: string[] = [];
      if (process.env.BENCH_METRICS_ROUTES !== 'lists') routes.push(...ROUTES);
      for (const route of LIST_ROUTES) {
        routes.push(route);
        if (!PAGED_LISTS.some((p) => route.startsWith(p))) continue;
        // A later page: the cursor after following PAGES_ON pages of the default size.
        let cursor: string | null = null;
        for (let i = 0; i < PAGES_ON; i += 1) {
          const res: Response = await fetch(`${server.url}/api/v1/metrics/${route}${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
          const next: string | null = ((await res.json()) as { nextCursor: string | null }).nextCursor;
          if (!next) break;
          cursor = next;
        }
        if (cursor) routes.push(`${route}&cursor=${cursor}`);
      }
      for (const route of routes) {
        const url = `${server.url}/api/v1/metrics/${route}`;
        const times: number[] = [];
        for (let i = 0; i < requests + 5; i += 1) {
          const t0 = performance.now();
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${route} answered ${res.status}`);
          if (i >= 5) times.push(performance.now() - t0); // the first few warm caches up
        }
        const note = `${journeys} journeys, ${requests} sequential requests`;
        figures.push({ name: `GET /metrics/${route} p50 @ ${people.toLocaleString('en-GB')} people`, value: percentile(times, 0.5), unit: 'ms', note });
        figures.push({ name: `GET /metrics/${route} p95 @ ${people.toLocaleString('en-GB')} people`, value: percentile(times, 0.95), unit: 'ms', note });
        console.log(`   ${route}: p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms`);
      }
    } finally {
      await server.close();
      await engine.close();
    }
    return figures;
  } finally {
    await store.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** What a rebuild would report, read from a kept store's measures instead (no time). */
async function measuresKept(store: Awaited<ReturnType<typeof openStore>>): Promise<Awaited<ReturnType<typeof rebuildMetrics>>> {
  const count = async (table: 'cases' | 'referrals' | 'events'): Promise<number> =>
    Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { journeys: await count('cases'), referrals: await count('referrals'), events: await count('events'), counterRows: 0, ms: 0 };
}

interface WriteRun {
  transitionsPerSecond: number;
  cpuMicros: number;
  pages: number;
  perCommit: number;
}

/** `callers` concurrent callers each running `journeys` journeys for people of varied breakdowns. */
async function writeRun(store: Awaited<ReturnType<typeof openStore>>, engine: Engine, tag: string, callers: number, journeys: number): Promise<WriteRun> {
  const at = new Date().toISOString();
  const agencyId = `write-${tag}`;
  await store.db.insertInto('agencies').values({ id: agencyId, name: `Write bench ${tag}`, kind: 'treatment_provider', area: 'Bench', created_at: at }).execute();
  const people = Array.from({ length: 40 }, (_, i) => `write-${tag}-${i}`);
  for (const [i, id] of people.entries()) {
    await store.db
      .insertInto('people')
      .values({
        id,
        given_name: 'Bench',
        family_name: `Person ${i}`,
        date_of_birth: `${1960 + (i % 40)}-03-0${1 + (i % 9)}`,
        sex: i % 2 === 0 ? 'female' : 'male',
        ethnicity: ['white_british', 'asian_indian', 'black_african', 'mixed_other', null][i % 5] ?? null,
        postcode_district: `NB${i % 12}`,
        details: JSON.stringify({ substanceGroup: ['opiate', 'alcohol_only', 'non_opiate'][i % 3] }),
        created_by_agency_id: agencyId,
        created_at: at,
      })
      .execute();
  }
  const actor = { userId: null, agencyId };
  const wal = `${store.sqlite?.name ?? ''}-wal`;
  const walBytes = (): number => statSync(wal, { throwIfNoEntry: false })?.size ?? 0;
  const pageSize = Number(store.sqlite?.pragma('page_size', { simple: true }) ?? 4096);
  store.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
  store.sqlite?.pragma('wal_autocheckpoint = 0');
  const walBefore = walBytes();
  const stats = engine.stats();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let j = 0; j < journeys; j += 1) {
        const personId = people[(c * journeys + j) % people.length] as string;
        const opened = await engine.openCase({ personId, leadAgencyId: agencyId, referralSource: ['self', 'gp', 'probation'][j % 3] as string, referredOn: at.slice(0, 10), actor });
        let version = opened.row.version;
        for (const event of JOURNEY) version = (await engine.apply({ stream: 'case', id: opened.row.id, event, expectedVersion: version, actor })).row.version;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = engine.stats();
  const transitions = callers * journeys * (1 + JOURNEY.length);
  const pages = (walBytes() - walBefore) / (pageSize + 24);
  store.sqlite?.pragma('wal_autocheckpoint = 1000');
  store.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
  return {
    transitionsPerSecond: transitions / seconds,
    cpuMicros: (cpu.user + cpu.system) / transitions,
    pages: pages / transitions,
    perCommit: (after.units - stats.units) / Math.max(1, after.commits - stats.commits),
  };
}

/** The engine's cost of keeping the measures: the same load without and with them, on a fresh store. */
async function writeCost(journeys: number): Promise<Figure[]> {
  const callers = 64;
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-metric-writes-'));
  const store = await openStore(`sqlite:${join(dir, 'pathways.db')}`);
  try {
    await migrate(store);
    const runs: Array<[string, WriteRun]> = [];
    // Twice each, alternating, so a warm-up or a neighbour's burst does not favour one side.
    for (const round of [1, 2]) {
      for (const withMeasures of [false, true]) {
        const engine = createEngine(store);
        const detach = withMeasures ? attachMetrics(engine) : () => undefined;
        const run = await writeRun(store, engine, `${withMeasures ? 'm' : 'n'}${round}`, callers, journeys);
        detach();
        await engine.close();
        runs.push([withMeasures ? 'with measures' : 'without measures', run]);
        console.log(
          `   writes ${withMeasures ? 'with' : 'without'} measures (round ${round}): ${run.transitionsPerSecond.toFixed(0)} transitions/s, ` +
            `${run.cpuMicros.toFixed(0)} µs CPU and ${run.pages.toFixed(2)} pages per transition, ${run.perCommit.toFixed(1)} per commit`,
        );
      }
    }
    const figures: Figure[] = [];
    for (const label of ['without measures', 'with measures']) {
      const mine = runs.filter(([l]) => l === label).map(([, r]) => r);
      const mean = (f: (r: WriteRun) => number): number => mine.reduce((s, r) => s + f(r), 0) / mine.length;
      const note = `${callers} concurrent callers × ${journeys} journeys of ${1 + JOURNEY.length} transitions, fresh store, mean of 2 rounds`;
      figures.push({ name: `engine ${label}: transitions/s`, value: Math.round(mean((r) => r.transitionsPerSecond)), unit: 'transitions/s', note });
      figures.push({ name: `engine ${label}: CPU per transition`, value: Math.round(mean((r) => r.cpuMicros)), unit: 'µs', note });
      figures.push({ name: `engine ${label}: pages written per transition`, value: Number(mean((r) => r.pages).toFixed(2)), unit: 'pages', note: 'WAL frames / transitions' });
    }
    return figures;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bench: BenchModule = {
  name: 'metrics',
  summary: 'measures endpoints p50/p95 at 3,300, 33,000 and 330,000 seeded people (BENCH_METRICS_SIZES)',
  async run() {
    const requests = envInt('BENCH_METRICS_REQUESTS', 100);
    const figures: Figure[] = [];
    for (const people of sizesFromEnv()) figures.push(...(await runSize(people, requests)));
    const writeJourneys = envInt('BENCH_METRICS_WRITE_JOURNEYS', 8, 0);
    if (writeJourneys > 0) figures.push(...(await writeCost(writeJourneys)));
    return figures;
  },
};
