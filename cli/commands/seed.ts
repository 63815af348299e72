/**
 * `pathways seed`: migrates the store, loads the reference codes and the Northbridge demo
 * area, then a deterministic synthetic cohort (see seeds/cohort.ts), and prints what it
 * made. Also `seedDemo`, the same steps for callers in code (the demo server).
 */
import { DEFAULT_COHORT_SEED, seedCohort, todayUtc, type CohortOptions, type CohortResult } from '../../seeds/cohort.ts';
import { loadDemoArea, type DemoAreaResult } from '../../seeds/demo-area.ts';
import { createProgressBar, formatSeconds } from '../../seeds/progress-bar.ts';
import { loadReferenceCodes } from '../../seeds/reference-codes.ts';
import { openStore, type Store } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';
import { parseCommandArgs, type OptionSpec } from '../command-args.ts';
import type { Command } from '../main.ts';

/** People seeded when `--people` is not given. */
export const DEFAULT_SEED_PEOPLE = 2000;

/** Parsed `pathways seed` options. */
export interface SeedArgs {
  people: number;
  seed: number;
  referenceDate: string;
  areaOnly: boolean;
  workers: number | undefined;
}

const USAGE =
  'Usage: pathways seed [--people N] [--seed S] [--reference-date YYYY-MM-DD] [--area-only] [--workers W]\n\n' +
  'Migrates the store named by DATABASE_URL, loads the reference codes and the Northbridge demo\n' +
  'area (agencies, staff, demo logins), then N synthetic people and their journeys, referrals,\n' +
  'consents, events and timers. Idempotent: codes and the area are upserted, and a cohort whose\n' +
  'seed is already in the store is not written twice.\n\n' +
  `  --people N               people to generate (default ${DEFAULT_SEED_PEOPLE}; 330000 is national scale)\n` +
  `  --seed S                 random seed, an integer (default ${DEFAULT_COHORT_SEED}); same seed, same data\n` +
  '  --reference-date D       every seeded fact happens before midnight UTC of D (default today)\n' +
  '  --area-only              load the codes and the demo area, no cohort\n' +
  '  --workers W              generator threads (default: one per core for 20000 people or more)';

/** The options `pathways seed` takes. */
const SEED_OPTIONS: Record<string, OptionSpec> = {
  people: { type: 'string', hint: 'a whole number of people (e.g. --people 330000)' },
  seed: { type: 'string', hint: 'an integer (e.g. --seed 42)' },
  'reference-date': { type: 'string', hint: 'a calendar date YYYY-MM-DD (e.g. --reference-date 2026-04-01)' },
  workers: { type: 'string', hint: 'a whole number from 0 to 64' },
  'area-only': { type: 'boolean' },
};

/** Reads the command line; a string is a usage error to show. */
export function parseSeedArgs(args: readonly string[], today: string = todayUtc()): SeedArgs | string {
  const parsed = parseCommandArgs(args, SEED_OPTIONS);
  if (typeof parsed === 'string') return parsed;
  const { people, seed, 'reference-date': referenceDate, workers, 'area-only': areaOnly } = parsed.values as Record<string, string | undefined> & { 'area-only'?: boolean };
  const out: SeedArgs = { people: DEFAULT_SEED_PEOPLE, seed: DEFAULT_COHORT_SEED, referenceDate: today, areaOnly: areaOnly === true, workers: undefined };
  if (people !== undefined) {
    if (!/^\d+$/.test(people.replace(/_/g, ''))) return `--people needs ${SEED_OPTIONS.people!.hint}, got "${people}"`;
    out.people = Number(people.replace(/_/g, ''));
    if (!Number.isSafeInteger(out.people)) return `--people ${people} is too large`;
  }
  if (seed !== undefined) {
    if (!/^-?\d+$/.test(seed) || !Number.isSafeInteger(Number(seed))) return `--seed needs ${SEED_OPTIONS.seed!.hint}, got "${seed}"`;
    out.seed = Number(seed);
  }
  if (referenceDate !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(referenceDate) || new Date(`${referenceDate}T00:00:00Z`).toISOString().slice(0, 10) !== referenceDate) {
      return `--reference-date needs ${SEED_OPTIONS['reference-date']!.hint}, got "${referenceDate}"`;
    }
    if (referenceDate > today) return `--reference-date ${referenceDate} is in the future (today is ${today}): seeded facts must already have happened`;
    out.referenceDate = referenceDate;
  }
  if (workers !== undefined) {
    if (!/^\d+$/.test(workers) || Number(workers) > 64) return `--workers needs ${SEED_OPTIONS.workers!.hint}, got "${workers}"`;
    out.workers = Number(workers);
  }
  return out;
}

/** What `seedDemo` did. */
export interface SeedDemoResult {
  codes: number;
  area: DemoAreaResult;
  cohort: CohortResult | null;
}

/**
 * Migrates and loads everything the demo needs: reference codes, the Northbridge area and
 * a cohort of `people` (none when 0). Safe to call on every start.
 */
export async function seedDemo(store: Store, options: CohortOptions): Promise<SeedDemoResult> {
  await migrate(store);
  const codes = await loadReferenceCodes(store.db);
  const area = await loadDemoArea(store);
  const cohort = options.people > 0 ? await seedCohort(store, options) : null;
  return { codes, area, cohort };
}

const table = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `    ${k.padEnd(40)} ${n.toLocaleString('en-GB').padStart(9)}`)
    .join('\n');

function printSummary(result: SeedDemoResult, elapsedMs: number): void {
  const { area, cohort } = result;
  console.log(`Reference codes: ${result.codes}. Demo area: ${area.agencies} agencies, ${area.users} staff (${area.usersCreated} new).`);
  if (cohort?.alreadySeeded) console.log(`Cohort of seed ${cohort.seed} is already in the store: nothing written.`);
  else if (cohort) {
    const n = (v: number): string => v.toLocaleString('en-GB');
    console.log(`Cohort (seed ${cohort.seed}, reference date ${cohort.referenceDate}): ${n(cohort.people)} people, ${n(cohort.journeys)} journeys.`);
    console.log(`  Journeys by state on the reference date:\n${table(cohort.journeysByState)}`);
    console.log(`  Closed journeys by discharge reason:\n${table(cohort.closedByReason)}`);
    console.log(`  Referrals: ${n(cohort.referrals)}\n${table(cohort.referralsByState)}`);
    console.log(`  Consents: ${n(cohort.consents)}. Events: ${n(cohort.events)}. Timers: ${n(cohort.timers)} (${n(cohort.pendingTimers)} pending).`);
    console.log(`  Generated and written in ${formatSeconds(cohort.ms / 1000)} (${n(Math.round(cohort.journeys / Math.max(cohort.ms / 1000, 0.001)))} journeys/s); measures rebuilt in ${formatSeconds(cohort.metricsMs / 1000)}.`);
    if (cohort.offTarget > 0) console.log(`  Warning: ${cohort.offTarget} journeys did not end in the stage their scenario aimed at.`);
  }
  console.log(`Done in ${formatSeconds(elapsedMs / 1000)}.`);
}

export const seedCommand: Command = {
  summary: 'Load reference codes, the Northbridge demo area and a synthetic cohort',
  usage: USAGE,
  async run(args, config) {
    const parsed = parseSeedArgs(args);
    if (typeof parsed === 'string') {
      console.error(`pathways seed: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    const started = performance.now();
    const store = await openStore(config.databaseUrl, { pgPoolSize: config.pgPoolSize });
    try {
      const people = parsed.areaOnly ? 0 : parsed.people;
      const result = await seedDemo(store, {
        people,
        seed: parsed.seed,
        referenceDate: parsed.referenceDate,
        ...(parsed.workers !== undefined ? { workers: parsed.workers } : {}),
        progress: createProgressBar({ unit: 'people', total: people }),
        metricsProgress: (events) => createProgressBar({ unit: 'events replayed into the measures', total: events }),
      });
      printSummary(result, performance.now() - started);
      return 0;
    } finally {
      await store.close();
    }
  },
};
