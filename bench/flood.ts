/**
 * A sign-in flood against a real `pathways serve` (SQLite, or PostgreSQL: BENCH_FLOOD_PG):
 * journey transitions offered at a steady rate over the full API (bench/load-client.ts, open
 * loop, in its own process), first quiet, then while 32 unauthenticated clients (in this
 * process) post wrong passwords to `POST /api/v1/auth/login` back to back. Passwords are hashed at the real cost (scrypt
 * N=2^15), so each guess that reaches the hashing pool costs what it costs in production.
 *
 * Three servers, each measured quiet and flooded:
 * - behind a trusted balancer (`PATHWAYS_TRUST_PROXY=1`), the guesses spread over 512
 *   `X-Forwarded-For` addresses and fresh emails (a distributed spray: the per-address and
 *   per-account limits each see few failures, so most guesses are hashed) — once with the
 *   hashing threads at the process's priority (`PATHWAYS_HASH_NICE=0`), once at the
 *   default (nice 19), which is the before and after of that setting;
 * - with the header ignored (the default), every guess comes from one address, which the
 *   per-address limit throttles after 30 failures: the rest are refused before hashing, and
 *   once the server has read that block, from its memory without a database read
 *   (src/auth/login-throttle.ts).
 * Reported: journey-write p50/p99 quiet and flooded (aim: flooded p50 ≤ 2× quiet), the
 * sign-ins answered (401 after hashing), refused by the full hashing queue (429, "busy")
 * and throttled (429), and the server's CPU.
 *
 * Each server alternates quiet and flooded phases (BENCH_FLOOD_ROUNDS rounds of each, 3),
 * so a change in the machine's load during the run weighs on both alike.
 *
 * Sizes (env): BENCH_FLOOD_RATE (100 transitions/s), BENCH_FLOOD_SECONDS (12 of each, all rounds),
 * BENCH_FLOOD_CLIENTS (32 flooding clients), BENCH_FLOOD_HASH_THREADS (unset: the server's
 * default), BENCH_FLOOD_KINDS (which servers, comma-separated: `spray0`, `spray19`, `one`;
 * default all three), BENCH_DIR.
 * Stores (env): BENCH_FLOOD_PG `1` runs every server on SQLite and then on PostgreSQL (a
 * fresh schema each, dropped after), `only` on PostgreSQL alone; unset, SQLite alone.
 * BENCH_PG_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createAgency, createStaff } from '../src/agencies/agency-commands.ts';
import { hashPassword, setPasswordHashCost } from '../src/auth/password.ts';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { SYSTEM_ACTOR, createEngine } from '../src/engine/engine.ts';
import { attachMetrics } from '../src/metrics/attach-metrics.ts';
import { recordPerson } from '../src/people/person-commands.ts';
import { startServeProcess, type ServeProcess } from '../test/support/serve-process.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';
import { startLoadClient, type RunResult } from './load-client.ts';

const REAL_COST = 2 ** 15;
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEYWORKER_PASSWORD = 'bench keyworker password';
/** Real accounts the flood guesses at (a quarter of its guesses), besides fresh unknown emails. */
const VICTIMS = 8;

function post(agent: Agent, port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** CPU seconds (user + system) a process (or, under /proc/PID/task/TID, one thread) has used so far. */
function cpuSeconds(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based), in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Prepared {
  url: string;
  keyworker: string;
  victims: string[];
  /** Journeys for the warm-up, then for each phase of each round. */
  journeys: string[][];
}

async function prepare(url: string, pools: number, perPool: number): Promise<Prepared> {
  const store = await openStore(url);
  const engine = createEngine(store);
  attachMetrics(engine);
  try {
    await migrate(store);
    const at = new Date().toISOString();
    const agency = (await createAgency(engine, SYSTEM_ACTOR, { name: 'Bench Recovery Service', kind: 'treatment_provider', area: 'Bench' })).row;
    const staff = (email: string, hash: string) => createStaff(engine, SYSTEM_ACTOR, { email, name: 'Bench Keyworker', passwordHash: hash, role: 'keyworker', agencyId: agency.id });
    const user = (await staff('kw@flood.example', await hashPassword(KEYWORKER_PASSWORD))).row;
    const victims: string[] = [];
    for (let i = 0; i < VICTIMS; i++) victims.push((await staff(`victim-${i}@flood.example`, await hashPassword(`victim password ${i} kept secret`))).row.email);
    const viewer = { userId: user.id, role: 'keyworker' as const, agencyId: agency.id, agencyKind: agency.kind, agencyArea: agency.area };
    const open = (n: number): Promise<string[]> =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const { row: person } = await recordPerson(engine, viewer, { givenName: 'Bench', familyName: 'Person', dateOfBirth: '1980-01-01', sex: 'male' }, at);
          return (await engine.openCase({ personId: person.id, leadAgencyId: agency.id, referralSource: 'self', referredOn: at.slice(0, 10), actor: { userId: user.id, agencyId: agency.id } })).row.id;
        }),
      );
    const journeys: string[][] = [];
    for (let i = 0; i < pools; i++) journeys.push(await open(perPool));
    return { url, keyworker: user.email, victims, journeys };
  } finally {
    await engine.close();
    await store.close();
  }
}

/** What the flooding clients got back. */
interface FloodTally {
  attempts: number;
  /** 401: the password was hashed and found wrong. */
  answered: number;
  /** 429 from the full hashing queue ("busy"). */
  refusedBusy: number;
  /** 429 from the sign-in throttle. */
  throttled: number;
  other: number;
}

/** `clients` loops posting wrong passwords until stopped; `spray` spreads them over addresses and fresh emails. */
function startFlood(port: number, clients: number, victims: string[], spray: boolean, counter: { next: number }): { stop(): Promise<FloodTally> } {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const tally: FloodTally = { attempts: 0, answered: 0, refusedBusy: 0, throttled: 0, other: 0 };
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const i = counter.next++;
      const email = i % 4 === 0 ? victims[(i / 4) % victims.length]! : `guess-${i}@flood.example`;
      const headers: Record<string, string> = spray ? { 'x-forwarded-for': `10.${(i >> 8) & 1}.${i & 255}.${7 + (i % 3)}` } : {};
      tally.attempts += 1;
      try {
        const res = await post(agent, port, '/api/v1/auth/login', JSON.stringify({ email, password: `wrong guess number ${i}` }), headers);
        if (res.status === 401) tally.answered += 1;
        else if (res.status === 429 && res.body.includes('busy')) tally.refusedBusy += 1;
        else if (res.status === 429) tally.throttled += 1;
        else tally.other += 1;
      } catch {
        tally.other += 1;
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return tally;
    },
  };
}

interface Phase {
  latencies: number[];
  ok: number;
  failed: number;
  seconds: number;
  /** Server CPU seconds, all threads and the main thread (the event loop). */
  cpu: number;
  mainCpu: number;
  /** CPU seconds of this process, which runs the flooding clients: the attacker's share of the machine. */
  clientCpu: number;
  flood: FloodTally;
}

const emptyPhase = (): Phase => ({ latencies: [], ok: 0, failed: 0, seconds: 0, cpu: 0, mainCpu: 0, clientCpu: 0, flood: { attempts: 0, answered: 0, refusedBusy: 0, throttled: 0, other: 0 } });

/** What a phase's figures are, summed over its rounds. */
function summary(p: Phase) {
  return { p50: percentile(p.latencies, 0.5), p99: percentile(p.latencies, 0.99), rate: p.ok / p.seconds, cpu: p.cpu / p.seconds, mainCpu: p.mainCpu / p.seconds, clientCpu: p.clientCpu / p.seconds };
}

/**
 * One server, quiet and flooded in turn for `rounds` rounds (quiet, flooded, quiet, …), so
 * that a change in the machine's load over the run weighs on both alike.
 */
async function runServer(label: string, prepared: Prepared, env: Record<string, string>, spray: boolean, sizes: { rate: number; seconds: number; clients: number; rounds: number }): Promise<{ quiet: Phase; flood: Phase }> {
  const server: ServeProcess = await startServeProcess(prepared.url, { PATHWAYS_LOG_LEVEL: 'error', PATHWAYS_SCRYPT_COST: String(REAL_COST), ...env });
  const load = startLoadClient();
  const port = Number(new URL(server.url).port);
  const pid = server.child.pid!;
  try {
    const signIn = await post(new Agent(), port, '/api/v1/auth/login', JSON.stringify({ email: prepared.keyworker, password: KEYWORKER_PASSWORD }));
    const token = (JSON.parse(signIn.body) as { token: string }).token;
    const job = (ids: string[], seconds: number) => ({ mode: 'open' as const, port, token, target: { kind: 'journey' as const, caseIds: ids, clients: 32 }, rate: sizes.rate, seconds });
    const [warm, ...pools] = prepared.journeys;
    await load.run(job(warm!, 2));
    const quiet = emptyPhase();
    const flooded = emptyPhase();
    const counter = { next: 0 };
    const measure = async (into: Phase, ids: string[], flooding: boolean): Promise<void> => {
      const flood = flooding ? startFlood(port, sizes.clients, prepared.victims, spray, counter) : null;
      if (flood) await new Promise((r) => setTimeout(r, 1000)); // let the flood fill the hashing queue first
      const cpu0 = cpuSeconds(pid);
      const main0 = cpuSeconds(pid, pid);
      const client0 = cpuSeconds(process.pid);
      const t0 = performance.now();
      const result: RunResult = await load.run(job(ids, sizes.seconds / sizes.rounds));
      into.seconds += (performance.now() - t0) / 1000;
      into.cpu += cpuSeconds(pid) - cpu0;
      into.mainCpu += cpuSeconds(pid, pid) - main0;
      into.clientCpu += cpuSeconds(process.pid) - client0;
      into.latencies.push(...result.latencies);
      into.ok += result.ok;
      into.failed += result.failed;
      if (flood) {
        const t = await flood.stop();
        for (const k of Object.keys(t) as Array<keyof FloodTally>) into.flood[k] += t[k];
      }
    };
    for (let round = 0; round < sizes.rounds; round++) {
      await measure(quiet, pools[2 * round]!, false);
      await measure(flooded, pools[2 * round + 1]!, true);
    }
    const q = summary(quiet);
    const f = summary(flooded);
    const t = flooded.flood;
    console.log(
      `   ${label}: quiet p50 ${q.p50.toFixed(1)} / p99 ${q.p99.toFixed(1)} ms (cpu ${q.cpu.toFixed(2)}, main ${q.mainCpu.toFixed(2)}), ` +
        `flooded p50 ${f.p50.toFixed(1)} / p99 ${f.p99.toFixed(1)} ms (cpu ${f.cpu.toFixed(2)}, main ${f.mainCpu.toFixed(2)}, flooding clients ${f.clientCpu.toFixed(2)}); ` +
        `sign-ins ${t.attempts}: ${t.answered} answered, ${t.refusedBusy} busy, ${t.throttled} throttled, ${t.other} other`,
    );
    return { quiet, flood: flooded };
  } finally {
    load.close();
    await server.stop();
  }
}

export const bench: BenchModule = {
  name: 'flood',
  summary: 'journey writes over the API, quiet and during a flood of 32 clients guessing passwords (a real serve process; SQLite, PostgreSQL with BENCH_FLOOD_PG)',
  async run(): Promise<Figure[]> {
    const rate = envInt('BENCH_FLOOD_RATE', 100);
    const seconds = envInt('BENCH_FLOOD_SECONDS', 12);
    const rounds = envInt('BENCH_FLOOD_ROUNDS', 3);
    const clients = envInt('BENCH_FLOOD_CLIENTS', 32);
    const threads: Record<string, string> = process.env.BENCH_FLOOD_HASH_THREADS ? { PATHWAYS_HASH_THREADS: String(envInt('BENCH_FLOOD_HASH_THREADS', 1)) } : {};
    setPasswordHashCost(REAL_COST);
    const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-flood-'));
    const schemas: string[] = [];
    const stores = process.env.BENCH_FLOOD_PG === 'only' ? ['PostgreSQL'] : process.env.BENCH_FLOOD_PG === '1' ? ['SQLite', 'PostgreSQL'] : ['SQLite'];
    const urlOf = (store: string, key: string): string => {
      if (store === 'SQLite') return `sqlite:${join(dir, `${key}.db`)}`;
      const schema = `bench_flood_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      return `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
    };
    // Journeys of eight transitions each, for the warm-up and every phase, with room for late sends.
    const perPool = Math.ceil((rate * (seconds / rounds + 2)) / 8) + 32;
    const sizes = { rate, seconds, clients, rounds };
    // The first two differ only in the hashing threads' priority: before and after niceing them.
    const configs = [
      { label: 'spray via balancer, hashing at nice 0', key: 'spray0', env: { PATHWAYS_TRUST_PROXY: '1', PATHWAYS_HASH_NICE: '0', ...threads }, spray: true },
      { label: 'spray via balancer, hashing at nice 19', key: 'spray19', env: { PATHWAYS_TRUST_PROXY: '1', ...threads }, spray: true },
      { label: 'one address, hashing at nice 19', key: 'one', env: { ...threads }, spray: false },
    ];
    const kinds = (process.env.BENCH_FLOOD_KINDS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    const chosen = kinds.length > 0 ? configs.filter((c) => kinds.includes(c.key)) : configs;
    try {
      const figures: Figure[] = [];
      for (const store of stores) {
        for (const config of chosen) {
          const c = { ...config, label: `${store}, ${config.label}` };
          const prepared = await prepare(urlOf(store, c.key), 1 + 2 * rounds, perPool);
          const phases = await runServer(c.label, prepared, c.env, c.spray, sizes);
          const quiet = summary(phases.quiet);
          const flood = summary(phases.flood);
          const t = phases.flood.flood;
          figures.push(
            { name: `${c.label}: journey writes p50 / p99, quiet`, value: `${quiet.p50.toFixed(1)} / ${quiet.p99.toFixed(1)}`, unit: 'ms', note: `${quiet.rate.toFixed(0)}/s of ${rate}/s, server CPU ${quiet.cpu.toFixed(2)} cores (event loop ${quiet.mainCpu.toFixed(2)})` },
            { name: `${c.label}: journey writes p50 / p99, ${clients} clients flooding sign-in`, value: `${flood.p50.toFixed(1)} / ${flood.p99.toFixed(1)}`, unit: 'ms', note: `${flood.rate.toFixed(0)}/s of ${rate}/s, ${phases.flood.failed} failed, server CPU ${flood.cpu.toFixed(2)} cores (event loop ${flood.mainCpu.toFixed(2)}), flooding clients ${flood.clientCpu.toFixed(2)} on the same machine` },
            { name: `${c.label}: flooded p50 ÷ quiet p50`, value: flood.p50 / Math.max(0.1, quiet.p50), unit: '×', note: 'aim ≤ 2' },
            { name: `${c.label}: sign-ins answered / refused busy / throttled`, value: `${t.answered} / ${t.refusedBusy} / ${t.throttled}`, note: `of ${t.attempts} in ${seconds + rounds} s (answered: hashed, 401; ${t.other} other)` },
          );
        }
      }
      return figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (schemas.length > 0) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    }
  },
};
