/**
 * Seeding at national scale: 330,000 people (PATHWAYS_BENCH_SEED_PEOPLE to change) and
 * their journeys, referrals, consents, events and timers into a fresh SQLite file, as
 * `pathways seed` does. Reports the seed time, journeys per second and the peak memory
 * (resident-set high-water mark of the process, worker threads included).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedCohort } from '../seeds/cohort.ts';
import { createProgressBar } from '../seeds/progress-bar.ts';
import { seedDemo } from '../cli/commands/seed.ts';
import { openStore } from '../src/db/database.ts';
import { envInt, type BenchModule, type Figure } from './bench-types.ts';

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

export const bench: BenchModule = {
  name: 'seed',
  summary: 'seed a national-scale synthetic cohort into SQLite (PATHWAYS_BENCH_SEED_PEOPLE, default 330000)',
  async run(): Promise<Figure[]> {
    const people = envInt('PATHWAYS_BENCH_SEED_PEOPLE', 330_000);
    const dir = mkdtempSync(join(tmpdir(), 'pathways-bench-seed-'));
    const path = join(dir, 'pathways.db');
    const store = await openStore(`sqlite:${path}`);
    try {
      await seedDemo(store, { people: 0 });
      const rssBefore = process.resourceUsage().maxRSS * 1024;
      const cpuBefore = process.cpuUsage();
      const result = await seedCohort(store, { people, progress: createProgressBar({ unit: 'people', total: people }) });
      const cpu = process.cpuUsage(cpuBefore);
      const peak = process.resourceUsage().maxRSS * 1024;
      const seconds = result.ms / 1000;
      const size = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
      return [
        { name: 'people seeded', value: result.people },
        { name: 'journeys seeded', value: result.journeys, note: `${result.journeysByState.closed ?? 0} closed, the rest open in every stage` },
        { name: 'events written (hash-chained)', value: result.events },
        { name: 'timers written', value: result.timers, note: `${result.pendingTimers} still pending` },
        { name: 'referrals / consents', value: `${result.referrals.toLocaleString('en-GB')} / ${result.consents.toLocaleString('en-GB')}` },
        { name: 'seed time (generate + write)', value: seconds, unit: 's', note: `${availableParallelism()} cores shared with whatever else runs` },
        { name: 'journeys per second', value: Math.round(result.journeys / seconds), unit: 'journeys/s' },
        { name: 'CPU time, all threads', value: (cpu.user + cpu.system) / 1e6, unit: 's' },
        { name: 'measures rebuild after the seed', value: result.metricsMs / 1000, unit: 's' },
        { name: 'peak memory (RSS high-water)', value: mb(peak), unit: 'MB', note: `process high-water mark; ${mb(rssBefore)} MB before seeding` },
        { name: 'database size', value: mb(size), unit: 'MB' },
      ];
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
