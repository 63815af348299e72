/**
 * Engine throughput on SQLite with `synchronous=FULL`, against the disk's own ceiling.
 *
 * (a) ceiling: a bare better-sqlite3 loop, one synced insert per transaction, on the same
 *     disk — the most commits per second this disk allows;
 * (b) the engine with sequential awaits: each transition is its own commit;
 * (c) the engine with N concurrent callers: group commit packs their transitions into
 *     shared commits, so it can beat (a) without giving up durability;
 * (d) the same concurrent load with group commit switched off, to show what it buys.
 *
 * A "transition" is one engine operation: opening a journey or applying one event, each
 * with its snapshot write, hash-chained event row and timer rows.
 *
 * Sizes (env): BENCH_CEILING_N (1000 inserts), BENCH_SEQ_JOURNEYS (150), BENCH_CONCURRENCY
 * (64 callers), BENCH_CONC_JOURNEYS (8 per caller), BENCH_NO_GROUP_JOURNEYS (2 per caller),
 * BENCH_DIR (parent of the temp dir; default the OS temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { openStore, type Store } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { createEngine, type Actor, type Engine, type EventInput } from '../src/engine/engine.ts';
import { verifyChain } from '../src/engine/hash-chain.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';

/** The events of one journey from referral into treatment, after CASE_OPENED (bench/metrics.ts walks it too). */
export const JOURNEY: EventInput[] = [
  { type: 'SCREENING_STARTED' },
  { type: 'SCREENING_COMPLETED', outcome: 'assess' },
  { type: 'ASSESSMENT_COMPLETED', domains: {} },
  { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'int-1', modality: 'structured_psychosocial' }] },
  { type: 'INTERVENTION_OFFERED', interventionId: 'int-1' },
  { type: 'INTERVENTION_STARTED', interventionId: 'int-1' },
];
const OPS_PER_JOURNEY = 1 + JOURNEY.length;

interface World {
  personId: string;
  agencyId: string;
  actor: Actor;
}

async function createWorld(store: Store): Promise<World> {
  const at = new Date().toISOString();
  await store.db.insertInto('agencies').values({ id: 'bench-provider', name: 'Bench Recovery Service', kind: 'treatment_provider', area: 'Bench', created_at: at }).execute();
  await store.db
    .insertInto('users')
    .values({ id: 'bench-keyworker', email: 'kw@bench.test', name: 'Bench Keyworker', password_hash: 'x', role: 'keyworker', agency_id: 'bench-provider', created_at: at, disabled_at: null })
    .execute();
  await store.db
    .insertInto('people')
    .values({ id: 'bench-person', given_name: 'Bench', family_name: 'Person', date_of_birth: '1980-01-01', sex: 'M', ethnicity: null, postcode_district: null, details: '{}', created_by_agency_id: 'bench-provider', created_at: at })
    .execute();
  return { personId: 'bench-person', agencyId: 'bench-provider', actor: { userId: 'bench-keyworker', agencyId: 'bench-provider' } };
}

/** Runs one journey; records each operation's latency in `latencies` (ms). */
async function journey(engine: Engine, world: World, latencies?: number[]): Promise<void> {
  let t = performance.now();
  const opened = await engine.openCase({
    personId: world.personId,
    leadAgencyId: world.agencyId,
    referralSource: 'self',
    referredOn: new Date().toISOString().slice(0, 10),
    actor: world.actor,
  });
  latencies?.push(performance.now() - t);
  let version = opened.row.version;
  for (const event of JOURNEY) {
    t = performance.now();
    const result = await engine.apply({ stream: 'case', id: opened.row.id, event, expectedVersion: version, actor: world.actor });
    latencies?.push(performance.now() - t);
    version = result.row.version;
  }
}

function ceiling(file: string, n: number): number {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table t (id integer primary key, payload text not null)');
  const insert = db.prepare('insert into t (payload) values (?)');
  const payload = JSON.stringify({ type: 'SCREENING_STARTED', note: 'x'.repeat(200) });
  const started = performance.now();
  // Autocommit: every run() is its own transaction, synced on commit.
  for (let i = 0; i < n; i += 1) insert.run(payload);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return n / seconds;
}

async function concurrent(engine: Engine, world: World, callers: number, journeysEach: number, latencies: number[]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let j = 0; j < journeysEach; j += 1) await journey(engine, world, latencies);
    }),
  );
  return (callers * journeysEach * OPS_PER_JOURNEY) / ((performance.now() - started) / 1000);
}

export const bench: BenchModule = {
  name: 'engine',
  summary: 'engine transitions/s on SQLite (synchronous=FULL) against the one-sync-per-commit ceiling',
  async run(): Promise<Figure[]> {
    const ceilingN = envInt('BENCH_CEILING_N', 1000);
    const seqJourneys = envInt('BENCH_SEQ_JOURNEYS', 150);
    const callers = envInt('BENCH_CONCURRENCY', 64);
    const concJourneys = envInt('BENCH_CONC_JOURNEYS', 8);
    const noGroupJourneys = envInt('BENCH_NO_GROUP_JOURNEYS', 2);
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-'));
    try {
      console.log(`   temp dir ${dir}`);
      const ceil = ceiling(join(dir, 'ceiling.db'), ceilingN);
      console.log(`   (a) ceiling: ${ceil.toFixed(0)} synced commits/s over ${ceilingN} inserts`);

      const store = await openStore(`sqlite:${join(dir, 'engine.db')}`);
      try {
        await migrate(store);
        const synchronous = store.sqlite!.pragma('synchronous', { simple: true });
        if (synchronous !== 2) throw new Error(`expected synchronous=FULL (2), got ${String(synchronous)}`);
        const world = await createWorld(store);

        const engine = createEngine(store);
        let started = performance.now();
        for (let j = 0; j < seqJourneys; j += 1) await journey(engine, world);
        const sequential = (seqJourneys * OPS_PER_JOURNEY) / ((performance.now() - started) / 1000);
        console.log(`   (b) sequential: ${sequential.toFixed(0)} transitions/s over ${seqJourneys * OPS_PER_JOURNEY}`);

        const before = engine.stats();
        const latencies: number[] = [];
        const cpuBefore = process.cpuUsage();
        const grouped = await concurrent(engine, world, callers, concJourneys, latencies);
        const cpu = process.cpuUsage(cpuBefore);
        const cpuPerTransition = (cpu.user + cpu.system) / (callers * concJourneys * OPS_PER_JOURNEY);
        const after = engine.stats();
        const commits = after.commits - before.commits;
        const perCommit = (after.units - before.units) / Math.max(1, commits);
        console.log(`   (c) ${callers} concurrent callers: ${grouped.toFixed(0)} transitions/s, ${perCommit.toFixed(1)} per commit`);
        await engine.close();

        const unbatched = createEngine(store, { groupCommit: false });
        const noGroup = await concurrent(unbatched, world, callers, noGroupJourneys, []);
        await unbatched.close();
        console.log(`   (d) ${callers} concurrent callers, group commit off: ${noGroup.toFixed(0)} transitions/s`);

        started = performance.now();
        const chain = await verifyChain(store.db);
        const verifyMs = performance.now() - started;
        if (!chain.ok) throw new Error(`hash chain broken at seq ${chain.brokenSeq}`);

        const beats = grouped > ceil;
        return [
          { name: '(a) ceiling: bare better-sqlite3, one synced insert per transaction', value: ceil, unit: 'commits/s', note: `${ceilingN} inserts, WAL, synchronous=FULL` },
          { name: '(b) engine, sequential awaits', value: sequential, unit: 'transitions/s', note: `${seqJourneys * OPS_PER_JOURNEY} transitions` },
          { name: '(b) / (a)', value: sequential / ceil, unit: '×' },
          { name: `(c) engine, ${callers} concurrent callers (group commit)`, value: grouped, unit: 'transitions/s', note: `${callers * concJourneys * OPS_PER_JOURNEY} transitions, ${perCommit.toFixed(1)} per commit` },
          { name: '(c) / (a)', value: grouped / ceil, unit: '×' },
          { name: '(c) latency p50 / p99', value: `${percentile(latencies, 0.5).toFixed(1)} / ${percentile(latencies, 0.99).toFixed(1)}`, unit: 'ms' },
          {
            name: '(c) CPU per transition',
            value: cpuPerTransition,
            unit: 'µs',
            note: `so one core could do about ${Math.round(1e6 / cpuPerTransition)}/s; the machine's load (${loadavg()[0]!.toFixed(1)}) lowers the wall-clock figures`,
          },
          { name: `(d) engine, ${callers} concurrent callers, group commit off`, value: noGroup, unit: 'transitions/s', note: `${callers * noGroupJourneys * OPS_PER_JOURNEY} transitions` },
          { name: 'group commit beats the one-sync-per-commit ceiling', value: beats ? 'yes' : 'no', note: `${(grouped / ceil).toFixed(2)}× the ceiling` },
          { name: 'verify hash chain', value: chain.rowsChecked / (verifyMs / 1000), unit: 'events/s', note: `${chain.rowsChecked} events` },
          { name: 'peak RSS (engine bench)', value: process.resourceUsage().maxRSS / 1024, unit: 'MB' },
        ];
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
